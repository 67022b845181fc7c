"""Person lists over the API: the scoped, filtered list and totals for upper levels."""

from django.http import Http404
from ninja import Field, Query, Schema, Status

from tongzhan.accounts.roles import VIEW_STATS
from tongzhan.core.choices import Category

from .. import stats
from ..access import can_view_any
from ..filters import find_people
from . import router
from .records import FieldErrors, PersonSummary, to_summary


class PersonPage(Schema):
    count: int
    page: int
    pages: int
    items: list[PersonSummary]
    category_counts: dict[str, int] = Field(
        description="当前范围和筛选条件下每个类别的人数（不受 category 筛选影响；一人可属多类）"
    )


class PersonFilters(Schema):
    """The list page's parameters; values are checked by the same form as the page."""

    page: int = Field(1, ge=1)
    q: str = Field(
        "",
        description="姓名（简繁）、全拼、首字母、身份证号、电话、工作单位、企业或统一社会信用代码",
    )
    region: str = Field("", description="12 位区划代码：含下级区域")
    category: str = ""
    status: str = ""
    political_status: str = Field(
        "", description="政治面貌代码，或 parties（任一民主党派）；需敏感字段权限"
    )
    religion: str = Field("", description="宗教代码；需敏感字段权限")
    representative: str = Field("", description="党外代表人士层级，或 any（任一层级）")
    arrangement: str = Field("", description="政治安排类型")
    arrangement_level: str = Field("", description="政治安排层级")
    arrangement_current: bool = Field(False, description="仅现任（结束日期为空或不早于今天）")
    age_min: int | None = None
    age_max: int | None = None
    sort: str = Field(
        "", description="region（默认）、name（姓名拼音）、birth（出生日期）、updated（最近修改）"
    )

    def form_data(self) -> dict[str, str]:
        values = self.dict(exclude={"page"})
        values["arrangement_current"] = "on" if self.arrangement_current else ""
        return {k: "" if v is None else str(v) for k, v in values.items()}


class StatsRow(Schema):
    region: str
    region_name: str
    total: int
    categories: dict[str, int]


class StatsTable(Schema):
    root: str
    root_name: str
    rows: list[StatsRow]


@router.get(
    "/",
    response={200: PersonPage, 422: FieldErrors},
    summary="查找可见的统战对象（每页 50 条），附按类别计数",
)
def list_people(request, filters: Query[PersonFilters]):
    if not can_view_any(request.auth):
        raise Http404
    results = find_people(request.auth, filters.form_data(), filters.page)
    if results.page is None:
        return Status(422, _query_errors(results.form))
    page = results.page
    return {
        "count": results.total,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "items": [to_summary(p, request.auth) for p in page],
        "category_counts": {c.code: c.count for c in results.counts},
    }


def _query_errors(form) -> dict:
    return {
        "detail": [
            {"loc": ["query", field] if field != "__all__" else ["query"], "msg": str(message)}
            for field, messages in form.errors.items()
            for message in messages
        ]
    }


@router.get("/stats", response=list[StatsTable], summary="按下级区域汇总（不含个人信息）")
def people_stats(request):
    if not request.auth.has_job(VIEW_STATS):
        raise Http404
    codes = [c.value for c in Category]
    return [
        {
            "root": root.code,
            "root_name": root.name,
            "rows": [
                {
                    "region": r["region"].code,
                    "region_name": r["region"].name,
                    "total": r["total"],
                    "categories": dict(zip(codes, r["categories"], strict=True)),
                }
                for r in stats.totals_by_child(request.auth, root)
            ],
        }
        for root in stats.aggregate_roots(request.auth)
    ]

"""Person lists over the API: the scoped, filtered list and totals for upper levels."""

from django.core.paginator import Paginator
from django.http import Http404
from ninja import Field, Query, Schema

from tongzhan.accounts.roles import VIEW_STATS
from tongzhan.core.choices import Category

from .. import stats
from ..access import can_view_any
from ..filters import filter_people
from ..forms import PersonFilterForm
from ..models import Person
from ..views.lists import PAGE_SIZE
from . import router
from .records import PersonOut, to_out


class PersonPage(Schema):
    count: int
    page: int
    pages: int
    items: list[PersonOut]


class PersonFilters(Schema):
    page: int = Field(1, ge=1)
    q: str = ""
    region: str = ""
    category: str = ""
    status: str = ""


class StatsRow(Schema):
    region: str
    region_name: str
    total: int
    categories: dict[str, int]


class StatsTable(Schema):
    root: str
    root_name: str
    rows: list[StatsRow]


@router.get("/", response=PersonPage, summary="列出可见的统战对象（每页 50 条）")
def list_people(request, filters: Query[PersonFilters]):
    if not can_view_any(request.auth):
        raise Http404
    form = PersonFilterForm(filters.dict(exclude={"page"}))
    people = (
        Person.objects.restrict(request.auth, "view")
        .select_related("region")
        .prefetch_related("categories")
    )
    if form.is_valid():
        people = filter_people(people, **form.cleaned_data)
    page = Paginator(people, PAGE_SIZE).get_page(filters.page)
    return {
        "count": page.paginator.count,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "items": [to_out(p, request.auth) for p in page],
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

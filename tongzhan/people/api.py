"""The people API: the same scope rule, form rules and writers as the pages."""

from datetime import date, datetime

from django.core.paginator import Paginator
from django.http import Http404
from ninja import Field, Query, Router, Schema, Status

from tongzhan.accounts.roles import UNMASK, VIEW_SENSITIVE, VIEW_STATS
from tongzhan.core.choices import Category
from tongzhan.core.scope import OutOfScope, ReadOnly, access_object

from . import services, stats
from .access import can_create, can_view_any
from .filters import filter_people
from .forms import PersonFilterForm, PersonForm
from .models import Person
from .views import PAGE_SIZE, _initial

router = Router(tags=["统战对象"])


class PersonOut(Schema):
    id: int
    name: str
    gender: str
    birth_date: date | None
    region: str
    region_name: str
    categories: list[str]
    status: str
    status_date: date | None
    phone_masked: str = Field(description="脱敏电话；完整号码须调用 reveal-phone（留审计）")
    ethnicity: str | None = Field(None, description="仅对有敏感字段权限的角色返回")
    political_status: str | None = Field(None, description="仅对有敏感字段权限的角色返回")
    version: int
    updated_at: datetime


class PersonIn(Schema):
    name: str
    gender: str
    birth_date: date | None = None
    region: str
    categories: list[str]
    status: str = "active"
    status_date: date | None = None
    phone: str = ""
    ethnicity: str = ""
    political_status: str = ""


class PersonPatch(Schema):
    version: int = Field(description="读取时的版本号；他人已修改时返回 409")
    name: str | None = None
    gender: str | None = None
    birth_date: date | None = None
    region: str | None = None
    categories: list[str] | None = None
    status: str | None = None
    status_date: date | None = None
    phone: str | None = None
    ethnicity: str | None = None
    political_status: str | None = None


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


class FieldErrors(Schema):
    detail: list[dict]


class Message(Schema):
    detail: str


class PhoneOut(Schema):
    phone: str


class StatsRow(Schema):
    region: str
    region_name: str
    total: int
    categories: dict[str, int]


class StatsTable(Schema):
    root: str
    root_name: str
    rows: list[StatsRow]


def to_out(person: Person, user) -> dict:
    sensitive = user.has_job(VIEW_SENSITIVE)
    return {
        "id": person.pk,
        "name": person.name,
        "gender": person.gender,
        "birth_date": person.birth_date,
        "region": person.region_id,
        "region_name": person.region.name,
        "categories": person.category_codes(),
        "status": person.status,
        "status_date": person.status_date,
        "phone_masked": person.phone_masked,
        "ethnicity": person.ethnicity if sensitive else None,
        "political_status": person.political_status if sensitive else None,
        "version": person.version,
        "updated_at": person.updated_at,
    }


def form_errors(form) -> dict:
    return {
        "detail": [
            {"loc": ["body", field if field != "__all__" else ""], "msg": str(message)}
            for field, messages in form.errors.items()
            for message in messages
        ]
    }


def _get(request, person_id: int, action: str = "view") -> Person:
    queryset = Person.objects.select_related("region").prefetch_related("categories")
    return access_object(queryset, request.auth, person_id, action)


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


@router.get("/{int:person_id}", response=PersonOut, summary="查看一个统战对象")
def get_person(request, person_id: int):
    return to_out(_get(request, person_id), request.auth)


@router.post("/", response={201: PersonOut, 403: Message, 422: FieldErrors}, summary="新增统战对象")
def create_person(request, payload: PersonIn):
    if not can_create(request.auth):
        raise Http404
    form = PersonForm(payload.dict(), user=request.auth)
    if not form.is_valid():
        return Status(422, form_errors(form))
    data = {k: v for k, v in form.cleaned_data.items() if k in form.fields and k != "version"}
    try:
        person = services.do_create_person(request.auth, data)
    except OutOfScope:
        return Status(403, {"detail": "该记录不在您的管辖范围（区域或条线）内，未保存。"})
    return Status(201, to_out(_get(request, person.pk), request.auth))


@router.patch(
    "/{int:person_id}",
    response={200: PersonOut, 409: Message, 422: FieldErrors},
    summary="修改统战对象（带版本号）",
)
def update_person(request, person_id: int, payload: PersonPatch):
    person = _get(request, person_id, "change")
    merged = {**_initial(person), "region": person.region_id}
    merged.update(payload.dict(exclude_unset=True))
    form = PersonForm(merged, user=request.auth)
    if not form.is_valid():
        return Status(422, form_errors(form))
    changed = {
        k: form.cleaned_data[k]
        for k in payload.dict(exclude_unset=True)
        if k in form.fields and k != "version"
    }
    try:
        person = services.do_update_person(request.auth, person, changed, payload.version)
    except services.VersionConflict as exc:
        return Status(409, {"detail": str(exc)})
    except OutOfScope:
        return Status(
            422, {"detail": [{"loc": ["body", "region"], "msg": "不能把记录移出您的管辖范围。"}]}
        )
    return Status(200, to_out(_get(request, person.pk), request.auth))


@router.delete("/{int:person_id}", response={204: None}, summary="删除统战对象")
def delete_person(request, person_id: int):
    services.do_delete_person(request.auth, _get(request, person_id, "change"))
    return Status(204, None)


@router.post(
    "/{int:person_id}/reveal-phone",
    response={200: PhoneOut, 403: Message},
    summary="查看完整联系电话（写审计记录）",
)
def reveal_phone(request, person_id: int):
    person = _get(request, person_id)
    if not request.auth.has_job(UNMASK):
        raise ReadOnly("您没有查看完整联系电话的权限。")
    return Status(200, {"phone": services.do_reveal_phone(request.auth, person)})

"""One person over the API: detail, create, update, delete, phone reveal."""

from datetime import date, datetime

from django.http import Http404
from ninja import Field, Schema, Status

from tongzhan.accounts.roles import UNMASK, VIEW_SENSITIVE
from tongzhan.core.scope import OutOfScope, ReadOnly, access_object

from .. import services
from ..access import can_create
from ..forms import PersonForm
from ..models import Person
from ..views.records import _initial
from . import router


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


class FieldErrors(Schema):
    detail: list[dict]


class Message(Schema):
    detail: str


class PhoneOut(Schema):
    phone: str


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

"""One person over the API: the full record, create, update, delete, status change and the
ID/phone reveals. Input goes through the page's forms (forms.PersonRecordForm): one set
of rules for both."""

from datetime import date, datetime
from decimal import Decimal

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Schema, Status
from pydantic import create_model

from tongzhan.accounts.roles import VIEW_SENSITIVE
from tongzhan.core.scope import OutOfScope, access_object

from .. import services
from ..access import can_create
from ..forms import PersonRecordForm, StatusForm, record_form_data, record_values
from ..models import Person
from ..views.records import load_record
from . import router
from .duplicates import DuplicatesFound, duplicate_conflict

SENSITIVE = Person.SENSITIVE_FIELDS
ONLY_SENSITIVE = "仅对有敏感字段权限的角色返回，否则为 null"


# --- parts of the record -----------------------------------------------------------------------


class NonPublicData(Schema):
    """非公经济人士 (category 06)."""

    enterprise: str = ""
    uscc: str = Field("", description="统一社会信用代码（GB 32100 校验）")
    industry: str = ""
    scale: str = Field("", description="large / medium / small / micro")
    employees: int | None = None
    revenue: Decimal | None = Field(None, description="营业收入（万元）")
    tax: Decimal | None = Field(None, description="纳税额（万元）")
    chamber: str = ""


class ReligiousData(Schema):
    """宗教界人士 (category 05)."""

    religion: str | None = Field("", description="宗教代码；" + ONLY_SENSITIVE)
    clerical_post: str = ""
    venue: str = ""


class OverseasData(Schema):
    """港澳台侨 (categories 09, 10, 11)."""

    ties: str = ""
    country_region: str = ""


class ArrangementData(Schema):
    kind: str = Field("", description="npc（人大代表）/ cppcc（政协委员）/ other")
    level: str = Field("", description="township / county / city / province / national")
    term: str = ""
    post: str = ""
    start: date | None = None
    end: date | None = None


class ResumeEntryData(Schema):
    start: date | None = None
    end: date | None = None
    description: str = ""


class RelationData(Schema):
    kind: str = Field("", description="family / social")
    relationship: str = ""
    name: str = ""
    work: str = ""


class StatusChangeOut(Schema):
    old_status: str
    new_status: str
    date: date
    reason: str
    changed_by: str | None
    changed_at: datetime


# --- the person ---------------------------------------------------------------------------------


class PersonIn(Schema):
    """A new record. Line profiles are kept only when their category is ticked."""

    name: str
    former_name: str = ""
    gender: str = Field("", description="GB/T 2261.1；填写身份证号时可省略，按身份证号填入")
    birth_date: date | None = Field(None, description="可省略，按身份证号填入；填写时核对")
    id_number: str = Field("", description="18 位身份证号（GB 11643 校验）")
    native_place: str = ""
    birthplace: str = ""
    health: str = ""
    phone: str = Field("", description="11 位手机号或“区号-号码”")
    email: str = ""
    address: str = ""
    ethnicity: str = Field("", description="需敏感字段权限，否则忽略")
    political_status: str = Field("", description="需敏感字段权限，否则忽略")
    party_join_date: date | None = None
    second_party: str = ""
    non_party_date: date | None = None
    religion: str = Field("", description="需敏感字段权限，否则忽略")
    education: str = ""
    degree: str = ""
    fulltime_education: str = ""
    fulltime_school: str = ""
    inservice_education: str = ""
    inservice_school: str = ""
    professional_title: str = ""
    work_unit: str = ""
    post: str = ""
    work_start: date | None = None
    social_posts: str = ""
    specialty: str = ""
    region: str
    categories: list[str]
    responsible_cadre: int | None = Field(None, description="联系干部的用户 id")
    is_representative: bool = False
    representative_level: str = ""
    resume: str = ""
    recommendation: str = ""
    notes: str = ""
    non_public: NonPublicData | None = None
    religious: ReligiousData | None = None
    overseas: OverseasData | None = None
    arrangements: list[ArrangementData] = []
    resume_entries: list[ResumeEntryData] = []
    relations: list[RelationData] = []
    status: str = Field("active", description="新建记录为 active；状态变更请用 /{id}/status")


class PersonCreate(PersonIn):
    confirm_duplicate: bool = Field(False, description="看过 409 列出的疑似重复后仍要新增")


# PATCH takes any field of PersonIn; what is given replaces (child lists as a whole).
PersonPatch = create_model(
    "PersonPatch",
    __base__=Schema,
    version=(int, Field(description="读取时的版本号；他人已修改时返回 409")),
    **{
        name: (info.annotation | None, Field(None, description=info.description))
        for name, info in PersonIn.model_fields.items()
    },
)


class PersonSummary(Schema):
    """A person as lists show it: ID and phone masked, sensitive fields by permission."""

    id: int
    name: str
    gender: str
    birth_date: date | None
    region: str
    region_name: str
    categories: list[str]
    status: str
    status_date: date | None
    id_number_masked: str = Field(
        description="脱敏身份证号；完整号码须调用 reveal-id-number（留审计）"
    )
    phone_masked: str = Field(description="脱敏电话；完整号码须调用 reveal-phone（留审计）")
    ethnicity: str | None = Field(None, description=ONLY_SENSITIVE)
    political_status: str | None = Field(None, description=ONLY_SENSITIVE)
    version: int
    updated_at: datetime


class PersonOut(PersonSummary):
    """The full record."""

    former_name: str
    native_place: str
    birthplace: str
    health: str
    email: str
    address: str
    party_join_date: date | None = Field(None, description=ONLY_SENSITIVE)
    second_party: str | None = Field(None, description=ONLY_SENSITIVE)
    non_party_date: date | None = Field(None, description=ONLY_SENSITIVE)
    religion: str | None = Field(None, description=ONLY_SENSITIVE)
    education: str
    degree: str
    fulltime_education: str
    fulltime_school: str
    inservice_education: str
    inservice_school: str
    professional_title: str
    work_unit: str
    post: str
    work_start: date | None
    social_posts: str
    specialty: str
    responsible_cadre: int | None
    responsible_cadre_name: str | None
    is_representative: bool
    representative_level: str
    resume: str
    recommendation: str
    notes: str
    photo_url: str | None = Field(description="照片（经数据范围检查）；无照片为 null")
    non_public: NonPublicData | None
    religious: ReligiousData | None
    overseas: OverseasData | None
    arrangements: list[ArrangementData]
    resume_entries: list[ResumeEntryData]
    relations: list[RelationData]
    status_history: list[StatusChangeOut]
    created_at: datetime


class StatusIn(Schema):
    status: str = Field(description="active / transferred / deceased / withdrawn")
    date: date
    reason: str


class FieldErrors(Schema):
    detail: list[dict]


class Message(Schema):
    detail: str


class PhoneOut(Schema):
    phone: str


class IdNumberOut(Schema):
    id_number: str


def to_summary(person: Person, user) -> dict:
    """`person` may also be a row of the list (filters.ListedPerson), read without the
    model: use only the fields and methods that class has."""
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
        "id_number_masked": person.id_number_masked,
        "phone_masked": person.phone_masked,
        "ethnicity": person.ethnicity if sensitive else None,
        "political_status": person.political_status if sensitive else None,
        "version": person.version,
        "updated_at": person.updated_at,
    }


def to_out(person: Person, user) -> dict:
    """The full record; load it with views.records.load_record to keep the queries few."""
    values = record_values(person)
    del values["id_number"], values["phone"]
    if not user.has_job(VIEW_SENSITIVE):
        values.update(dict.fromkeys(SENSITIVE))
        if values["religious"]:
            values["religious"]["religion"] = None
    cadre = person.responsible_cadre
    values.update(to_summary(person, user))
    values.update(
        responsible_cadre_name=str(cadre) if cadre else None,
        photo_url=reverse("people:photo_file", args=[person.pk]) if person.photo else None,
        status_history=[_status_change(c) for c in person.status_changes.all()],
        created_at=person.created_at,
    )
    return values


def _status_change(change) -> dict:
    return {
        "old_status": change.old_status,
        "new_status": change.new_status,
        "date": change.date,
        "reason": change.reason,
        "changed_by": str(change.changed_by) if change.changed_by else None,
        "changed_at": change.changed_at,
    }


def _get(request, person_id: int, action: str = "view") -> Person:
    queryset = Person.objects.select_related("region").prefetch_related("categories")
    return access_object(queryset, request.auth, person_id, action)


def _full(request, person_id: int) -> dict:
    return to_out(load_record(_get(request, person_id)), request.auth)


def _status_error(message: str) -> Status:
    return Status(422, {"detail": [{"loc": ["body", "status"], "msg": message}]})


# --- operations -----------------------------------------------------------------------------------


@router.get("/{int:person_id}", response=PersonOut, summary="查看一个统战对象（完整记录）")
def get_person(request, person_id: int):
    return _full(request, person_id)


@router.post(
    "/",
    response={201: PersonOut, 403: Message, 409: DuplicatesFound, 422: FieldErrors},
    summary="新增统战对象（疑似重复时返回 409）",
)
def create_person(request, payload: PersonCreate):
    if not can_create(request.auth):
        raise Http404
    values = payload.dict(exclude={"confirm_duplicate"})
    if values.pop("status") != "active":
        return _status_error(_("新建记录的状态只能是“在库”；调出、去世、退出请用状态变更操作。"))
    record = PersonRecordForm(record_form_data(values), user=request.auth)
    if not record.is_valid():
        return Status(422, {"detail": record.error_list()})
    data = record.service_data()
    conflict = duplicate_conflict(request, data, payload.confirm_duplicate)
    if conflict is not None:
        return conflict
    try:
        person = services.do_create_person(request.auth, data)
    except OutOfScope:
        return Status(403, {"detail": _("该记录不在您的管辖范围（区域或条线）内，未保存。")})
    return Status(201, _full(request, person.pk))


@router.patch(
    "/{int:person_id}",
    response={200: PersonOut, 409: Message, 422: FieldErrors},
    summary="修改统战对象（带版本号；给出的字段替换原值，子表整体替换）",
)
def update_person(request, person_id: int, payload: PersonPatch):
    person = load_record(_get(request, person_id, "change"))
    changes = payload.dict(exclude_unset=True)
    version = changes.pop("version")
    status = changes.pop("status", None)
    if status is not None and status != person.status:
        return _status_error(_("状态不能在此修改，请用状态变更操作（POST /{id}/status）。"))
    values = {**record_values(person), **changes}
    record = PersonRecordForm(record_form_data(values), user=request.auth, person=person)
    if not record.is_valid():
        return Status(422, {"detail": record.error_list()})
    try:
        services.do_update_person(request.auth, person, record.service_data(), version)
    except services.VersionConflict as exc:
        return Status(409, {"detail": str(exc)})
    except OutOfScope:
        msg = _("不能把记录移出您的管辖范围。")
        return Status(422, {"detail": [{"loc": ["body", "region"], "msg": msg}]})
    return Status(200, _full(request, person_id))


@router.delete(
    "/{int:person_id}",
    response={204: None, 409: Message},
    summary="删除统战对象（仅用于误录；已有联系记录、诉求等工作记录的返回 409）",
)
def delete_person(request, person_id: int):
    try:
        services.do_delete_person(request.auth, _get(request, person_id, "change"))
    except services.PersonInUse as exc:
        return Status(409, {"detail": str(exc)})
    return Status(204, None)


@router.post(
    "/{int:person_id}/status",
    response={200: PersonOut, 422: FieldErrors},
    summary="变更状态（调出、去世、退出、恢复在库），记入状态变更记录",
)
def change_status(request, person_id: int, payload: StatusIn):
    person = _get(request, person_id, "change")
    form = StatusForm(payload.dict(), person=person)
    if not form.is_valid():
        errors = [
            {"loc": ["body", field if field != "__all__" else ""], "msg": str(message)}
            for field, messages in form.errors.items()
            for message in messages
        ]
        return Status(422, {"detail": errors})
    values = form.cleaned_data
    try:
        services.do_change_status(
            request.auth, person, values["status"], values["date"], values["reason"]
        )
    except services.InvalidStatusChange as exc:
        return _status_error(str(exc))
    return Status(200, _full(request, person_id))


@router.post(
    "/{int:person_id}/reveal-phone",
    response={200: PhoneOut, 403: Message},
    summary="查看完整联系电话（写审计记录）",
)
def reveal_phone(request, person_id: int):
    person = _get(request, person_id)
    return Status(200, {"phone": services.do_reveal(request.auth, person, "phone")})


@router.post(
    "/{int:person_id}/reveal-id-number",
    response={200: IdNumberOut, 403: Message},
    summary="查看完整身份证号（写审计记录）",
)
def reveal_id_number(request, person_id: int):
    person = _get(request, person_id)
    return Status(200, {"id_number": services.do_reveal(request.auth, person, "id_number")})

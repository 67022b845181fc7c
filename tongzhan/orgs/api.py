"""Organisations over the API: list/search, one record, create, update (with a version),
delete, memberships (list, add, end, remove) and the 组织名册 export. Input goes through
the page's forms: one set of rules. Out of scope answers 404, read-only 403."""

from datetime import date, datetime

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import create_model

from tongzhan.core.scope import OutOfScope, access_object
from tongzhan.ledgers.exports import audit_filters, download_name
from tongzhan.ledgers.views.exports import XLSX, file_response
from tongzhan.people.models import Person

from . import exports, services
from .access import access_membership, can_create, can_view_any
from .filters import find_orgs, list_queryset
from .forms import (
    EndMembershipForm,
    MembershipForm,
    OrgForm,
    api_form_data,
    error_list,
    initial_values,
)
from .models import Organisation

router = Router(tags=["组织"])


class FieldErrors(Schema):
    detail: list[dict]


class Message(Schema):
    detail: str


class OrgIn(Schema):
    """A new organisation. Type-specific fields are kept only for their type."""

    name: str
    org_type: str = Field(description="类型代码：party_branch、federation、chamber … social_org")
    region: str = Field(description="12 位区划代码（须在您的管辖范围内）")
    parent: int | None = Field(None, description="上级组织 id（须在您的查看范围内，不能成环）")
    leader: int | None = Field(None, description="负责人（统战对象 id，须在您的查看范围内）")
    leader_name: str = Field("", description="负责人不在库中时填写姓名")
    uscc: str = Field("", description="统一社会信用代码（GB 32100 校验）")
    religion: str = Field("", description="宗教代码 F/D/Y/T/J；仅宗教活动场所，必填")
    venue_certificate: str = Field(
        "", description="宗教活动场所登记证号，如 宗场证字(浙)F330990001；字母须与宗教一致"
    )
    chamber_kind: str = Field("", description="trade / hometown / area；仅商会，必填")
    founded_on: date | None = None
    address: str = ""
    office_phone: str = ""
    notes: str = ""
    active: bool = True


OrgPatch = create_model(
    "OrgPatch",
    __base__=Schema,
    version=(int, Field(description="读取时的版本号；他人已修改时返回 409")),
    **{
        name: (info.annotation | None, Field(None, description=info.description))
        for name, info in OrgIn.model_fields.items()
    },
)


class OrgOut(Schema):
    id: int
    name: str
    org_type: str
    org_type_label: str
    region: str
    region_name: str
    parent: int | None
    parent_name: str | None
    leader: int | None = Field(description="负责人的统战对象 id；不在您查看范围内时为 null")
    leader_name: str = Field(description="负责人姓名")
    uscc: str
    religion: str
    venue_certificate: str
    chamber_kind: str
    founded_on: date | None
    address: str
    office_phone: str
    notes: str
    active: bool
    version: int
    updated_at: datetime


class OrgPage(Schema):
    count: int
    page: int
    pages: int
    items: list[OrgOut]
    type_counts: dict[str, int] = Field(description="当前范围和筛选条件下每种类型的组织数")


class OrgFilters(Schema):
    page: int = Field(1, ge=1)
    q: str = Field("", description="名称、统一社会信用代码或登记证号（部分即可）")
    org_type: str = ""
    region: str = Field("", description="12 位区划代码：含下级区域")
    active: str = Field("", description="1 存续；0 已撤销/停止")
    sort: str = Field("", description="region（默认）、name、type、updated")

    def form_data(self) -> dict[str, str]:
        return {k: str(v) for k, v in self.dict(exclude={"page"}).items()}


class MembershipIn(Schema):
    person: int = Field(description="统战对象 id（须在您的查看范围内，否则 404）")
    role: str = ""
    start_date: date | None = None
    end_date: date | None = None
    notes: str = ""


class MembershipOut(Schema):
    id: int
    organisation: int
    person: int
    person_name: str
    role: str
    start_date: date | None
    end_date: date | None
    notes: str


class MembershipList(Schema):
    items: list[MembershipOut]
    hidden: int = Field(description="人员不在您查看范围内、因而未列出的成员记录数")


class EndIn(Schema):
    end_date: date


def to_out(org: Organisation, visible_leader: bool = True) -> dict:
    return {
        "id": org.pk,
        "name": org.name,
        "org_type": org.org_type,
        "org_type_label": str(org.get_org_type_display()),
        "region": org.region_id,
        "region_name": org.region.name,
        "parent": org.parent_id,
        "parent_name": org.parent.name if org.parent else None,
        "leader": org.leader_id if visible_leader else None,
        "leader_name": org.leader.name if org.leader else org.leader_name,
        **{
            name: getattr(org, name)
            for name in (
                "uscc",
                "religion",
                "venue_certificate",
                "chamber_kind",
                "founded_on",
                "address",
                "office_phone",
                "notes",
                "active",
                "version",
                "updated_at",
            )
        },
    }


def _get(request, org_id: int, action: str = "view") -> Organisation:
    queryset = Organisation.objects.select_related("region", "parent", "leader")
    return access_object(queryset, request.auth, org_id, action)


def _one(request, org_id: int) -> dict:
    org = _get(request, org_id)
    visible = Person.objects.restrict(request.auth, "view").filter(pk=org.leader_id).exists()
    return to_out(org, visible)


def membership_out(m) -> dict:
    return {
        "id": m.pk,
        "organisation": m.organisation_id,
        "person": m.person_id,
        "person_name": m.person.name,
        **{k: getattr(m, k) for k in ("role", "start_date", "end_date", "notes")},
    }


def _invalid(exc: services.InvalidChange) -> Status:
    return Status(422, {"detail": [{"loc": ["body", exc.field or ""], "msg": str(exc)}]})


# --- operations -----------------------------------------------------------------------------


@router.get("/", response={200: OrgPage, 422: FieldErrors}, summary="查找可见的组织（每页 50 条）")
def list_orgs(request, filters: Query[OrgFilters]):
    if not can_view_any(request.auth):
        raise Http404
    results = find_orgs(request.auth, filters.form_data(), filters.page)
    if results.page is None:
        return Status(422, {"detail": error_list(results.form)})
    page = results.page
    visible = set(
        Person.objects.restrict(request.auth, "view")
        .filter(pk__in=[o.leader_id for o in page if o.leader_id])
        .values_list("pk", flat=True)
    )
    return {
        "count": results.total,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "items": [to_out(o, o.leader_id in visible) for o in page],
        "type_counts": {c.code: c.count for c in results.counts},
    }


@router.get(
    "/export.xlsx",
    response={422: FieldErrors},
    summary="导出组织名册（xlsx，按列表的筛选条件；写入审计日志）",
    openapi_extra={
        "responses": {
            200: {
                "description": "组织名册",
                "content": {XLSX: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def export_orgs(request, filters: Query[OrgFilters]):
    if not exports.can_export(request.auth):
        raise Http404
    orgs, form = list_queryset(request.auth, filters.form_data())
    if orgs is None:
        return Status(422, {"detail": error_list(form)})
    path, meta = exports.export_orgs(
        request.auth,
        orgs,
        filters=audit_filters(form),
        region_code=form.cleaned_data.get("region", ""),
    )
    return file_response(path, download_name(meta), XLSX)


@router.get("/{int:org_id}", response=OrgOut, summary="查看一个组织")
def get_org(request, org_id: int):
    return _one(request, org_id)


@router.post(
    "/",
    response={201: OrgOut, 403: Message, 422: FieldErrors},
    summary="新增组织",
)
def create_org(request, payload: OrgIn):
    if not can_create(request.auth):
        raise Http404
    form = OrgForm(api_form_data(payload.dict()), user=request.auth, suggest=False)
    if not form.is_valid():
        return Status(422, {"detail": error_list(form)})
    try:
        org = services.do_create_org(request.auth, form.service_data())
    except OutOfScope:
        return Status(403, {"detail": _("该组织不在您的管辖范围（区域或条线）内，未保存。")})
    except services.InvalidChange as exc:
        return _invalid(exc)
    return Status(201, _one(request, org.pk))


@router.patch(
    "/{int:org_id}",
    response={200: OrgOut, 409: Message, 422: FieldErrors},
    summary="修改组织（带版本号；他人已修改时返回 409）",
)
def update_org(request, org_id: int, payload: OrgPatch):
    org = _get(request, org_id, "change")
    changes = payload.dict(exclude_unset=True)
    version = changes.pop("version")
    current = {**initial_values(org), **changes}
    form = OrgForm(api_form_data(current), user=request.auth, org=org, suggest=False)
    if not form.is_valid():
        return Status(422, {"detail": error_list(form)})
    try:
        services.do_update_org(request.auth, org, form.service_data(), version)
    except services.VersionConflict as exc:
        return Status(409, {"detail": str(exc)})
    except services.InvalidChange as exc:
        return _invalid(exc)
    except OutOfScope:
        msg = _("不能把组织移出您的管辖范围。")
        return Status(422, {"detail": [{"loc": ["body", "region"], "msg": msg}]})
    return Status(200, _one(request, org_id))


@router.delete(
    "/{int:org_id}",
    response={204: None, 409: Message},
    summary="删除组织（仅用于误录；有下级组织时返回 409）",
)
def delete_org(request, org_id: int):
    try:
        services.do_delete_org(request.auth, _get(request, org_id, "change"))
    except services.InvalidChange as exc:
        return Status(409, {"detail": str(exc)})
    return Status(204, None)


@router.get(
    "/{int:org_id}/memberships",
    response=MembershipList,
    summary="组织的成员（只列出您能查看的人员）",
)
def list_memberships(request, org_id: int):
    org = _get(request, org_id)
    rows = org.memberships.select_related("person").order_by("start_date", "pk")
    visible = Person.objects.restrict(request.auth, "view")
    shown = [membership_out(m) for m in rows.filter(person__in=visible)]
    return {"items": shown, "hidden": rows.count() - len(shown)}


@router.post(
    "/{int:org_id}/memberships",
    response={201: MembershipOut, 422: FieldErrors},
    summary="添加成员（组织须可修改，人员须可查看，否则 404/403）",
)
def add_membership(request, org_id: int, payload: MembershipIn):
    org = _get(request, org_id, "change")
    if not Person.objects.restrict(request.auth, "view").filter(pk=payload.person).exists():
        raise Http404
    values = {k: ("" if v is None else v) for k, v in payload.dict().items()}
    form = MembershipForm(values, user=request.auth)
    if not form.is_valid():
        return Status(422, {"detail": error_list(form)})
    try:
        membership = services.do_add_membership(
            request.auth, org, form.cleaned_data["person"], form.service_data()
        )
    except services.InvalidChange as exc:
        return _invalid(exc)
    return Status(201, membership_out(membership))


def _membership(request, org_id: int, membership_id: int):
    org = _get(request, org_id, "change")
    return access_membership(request.auth, org, membership_id)


@router.post(
    "/{int:org_id}/memberships/{int:membership_id}/end",
    response={200: MembershipOut, 422: FieldErrors},
    summary="终止成员关系（保留为历史）",
)
def end_membership(request, org_id: int, membership_id: int, payload: EndIn):
    membership = _membership(request, org_id, membership_id)
    form = EndMembershipForm({"end_date": payload.end_date.isoformat()})
    if not form.is_valid():
        return Status(422, {"detail": error_list(form)})
    try:
        membership = services.do_end_membership(
            request.auth, membership, form.cleaned_data["end_date"]
        )
    except services.InvalidChange as exc:
        return _invalid(exc)
    return Status(200, membership_out(membership))


@router.delete(
    "/{int:org_id}/memberships/{int:membership_id}",
    response={204: None},
    summary="删除成员记录（仅用于误录）",
)
def remove_membership(request, org_id: int, membership_id: int):
    services.do_remove_membership(request.auth, _membership(request, org_id, membership_id))
    return Status(204, None)

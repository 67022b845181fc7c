"""Contact logs (联系记录) over the API: list, detail, create, update, delete, attachments,
and the person picker. The same services and checks as the pages: a person out of the
caller's view scope answers 404, a person it may only view 403, bad input 422 with field
errors."""

from __future__ import annotations

from datetime import date, datetime, time

from django.http import FileResponse, Http404
from django.urls import reverse
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from tongzhan.core.scope import access_object

from .. import attachments as files
from ..access import holds
from ..contact_forms import ContactFilterForm
from ..contact_queries import mark_visible_persons, page_of, revisions_for
from ..models import Attachment, ContactLog
from ..services import contacts as services
from ..views.contacts import load_log, picker_results

router = Router(tags=["联系记录"])


class FieldErrors(Schema):
    detail: list[dict]


class Message(Schema):
    detail: str


class PersonRef(Schema):
    id: int
    name: str
    region: str
    region_name: str = ""


class CadreRef(Schema):
    id: int
    name: str


class AttachmentOut(Schema):
    id: int
    original_name: str
    content_type: str
    size: int
    is_image: bool
    uploaded_at: datetime
    url: str = Field(description="下载地址（经数据范围检查）")


class RequestRef(Schema):
    id: int
    title: str
    category: str
    state: str


class RevisionOut(Schema):
    version: int
    edited_at: datetime
    edited_by: str | None
    data: dict = Field(description="修改前的内容（不含调用者范围外的联系对象）")
    hidden_persons: int = Field(0, description="修改前内容中不在调用者范围内的联系对象人数")


class ContactSummary(Schema):
    id: int
    happened_on: date
    happened_time: time | None
    mode: str
    place: str
    region: str
    region_name: str
    persons: list[PersonRef] = Field(description="调用者可见的联系对象")
    hidden_persons: int = Field(description="不在调用者范围内、未列出的联系对象人数")
    cadres: list[CadreRef]
    entered_at: datetime = Field(description="录入时间（与联系日期分开保存）")
    is_late: bool = Field(description="补录：录入晚于联系日期超过规定天数，录入时确定")
    version: int


class ContactOut(ContactSummary):
    summary: str
    attachments: list[AttachmentOut]
    requests: list[RequestRef]
    revisions: list[RevisionOut]


class ContactPage(Schema):
    count: int
    page: int
    pages: int
    items: list[ContactSummary]


class ContactFilters(Schema):
    page: int = Field(1, ge=1)
    mode: str = Field("", description="visit / forum / phone / wechat / activity")
    region: str = Field("", description="12 位区划代码：含下级区域")
    date_from: date | None = None
    date_to: date | None = None
    person: int | None = Field(None, description="联系对象 id")
    cadre: int | None = Field(None, description="参与干部（用户）id")
    late: bool = Field(False, description="仅看补录")


class RequestLine(Schema):
    person: int = Field(description="诉求人：本次联系的对象之一")
    title: str
    category: str
    description: str = ""


class ContactIn(Schema):
    persons: list[int] = Field(description="联系对象 id；第一位决定记录的所属区域")
    happened_on: date = Field(description="联系日期，不能晚于今天")
    happened_time: time | None = None
    mode: str = Field(description="visit / forum / phone / wechat / activity")
    place: str = ""
    summary: str
    cadres: list[int] = Field([], description="其他参与干部的用户 id；调用者本人自动记入")


class ContactCreate(ContactIn):
    requests: list[RequestLine] = Field([], description="本次联系中提出的诉求")


class ContactUpdate(ContactIn):
    version: int = Field(description="读取时的版本号；他人已修改时返回 409")


class PickerItem(Schema):
    id: int
    name: str
    region: str
    region_name: str


# --- conversion --------------------------------------------------------------------------------


def _attachment(a: Attachment) -> dict:
    return {
        "id": a.pk,
        "original_name": a.original_name,
        "content_type": a.content_type,
        "size": a.size,
        "is_image": a.is_image,
        "uploaded_at": a.uploaded_at,
        "url": reverse("api:download_contact_attachment", args=[a.pk]),
    }


def to_summary(log: ContactLog) -> dict:
    return {
        "id": log.pk,
        "happened_on": log.happened_on,
        "happened_time": log.happened_time,
        "mode": log.mode,
        "place": log.place,
        "region": log.region_id,
        "region_name": log.region.name,
        "persons": [
            {"id": p.pk, "name": p.name, "region": p.region_id, "region_name": p.region.name}
            for p in log.shown_persons
        ],
        "hidden_persons": log.hidden_persons,
        "cadres": [{"id": u.pk, "name": str(u)} for u in log.cadres.all()],
        "entered_at": log.entered_at,
        "is_late": log.is_late,
        "version": log.version,
    }


def to_out(log: ContactLog, revisions: list[dict]) -> dict:
    return {
        **to_summary(log),
        "summary": log.summary,
        "attachments": [_attachment(a) for a in log.attachments.all()],
        "requests": [
            {"id": r.pk, "title": r.title, "category": r.category, "state": r.state}
            for r in log.requests.all()
        ],
        "revisions": revisions,
    }


def _get(request, log_id: int, action: str = "view") -> ContactLog:
    return access_object(ContactLog.objects.select_related("region"), request.auth, log_id, action)


def _full(request, log_id: int) -> dict:
    log = load_log(_get(request, log_id))
    mark_visible_persons(request.auth, [log])
    return to_out(log, revisions_for(request.auth, log))


def _data(payload: ContactIn) -> services.LogData:
    return services.LogData(
        happened_on=payload.happened_on,
        happened_time=payload.happened_time,
        mode=payload.mode,
        place=payload.place,
        summary=payload.summary,
        persons=payload.persons,
        cadres=payload.cadres,
    )


def _errors(errors: dict[str, str]) -> Status:
    return Status(
        422,
        {"detail": [{"loc": ["body", k] if k else ["body"], "msg": v} for k, v in errors.items()]},
    )


# --- operations ------------------------------------------------------------------------------------


@router.get(
    "/", response={200: ContactPage, 422: FieldErrors}, summary="查找可见的联系记录（每页 30 条）"
)
def list_contacts(request, filters: Query[ContactFilters]):
    if not holds(request.auth, "view"):
        raise Http404
    values = filters.dict(exclude={"page"})
    form = ContactFilterForm({k: ("on" if v is True else v) for k, v in values.items() if v})
    if not form.is_valid():
        detail = [{"loc": ["query", k], "msg": str(m)} for k, ms in form.errors.items() for m in ms]
        return Status(422, {"detail": detail})
    page = page_of(request.auth, form.cleaned_data, filters.page)
    return {
        "count": page.paginator.count,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "items": [to_summary(log) for log in page.object_list],
    }


@router.get(
    "/person-picker",
    response=list[PickerItem],
    summary="按姓名、拼音或首字母查找可联系的统战对象（最多 20 人）",
)
def person_picker(request, q: str = ""):
    if not holds(request.auth, "view"):
        raise Http404
    return [
        {"id": p.pk, "name": p.name, "region": p.region_id, "region_name": p.region.name}
        for p in picker_results(request.auth, q)
    ]


@router.get(
    "/{int:log_id}", response=ContactOut, summary="查看一条联系记录（含附件、诉求和修改历史）"
)
def get_contact(request, log_id: int):
    return _full(request, log_id)


@router.post(
    "/",
    response={201: ContactOut, 403: Message, 422: FieldErrors},
    summary="新增联系记录（可同时登记提出的诉求）；录入晚于联系日期超过规定天数的标记为补录",
)
def create_contact(request, payload: ContactCreate):
    if not holds(request.auth, "record"):
        raise Http404
    lines = [line.dict() for line in payload.requests]
    try:
        log = services.do_create_log(request.auth, _data(payload), requests=lines)
    except services.ContactError as exc:
        return _errors(exc.errors)
    return Status(201, _full(request, log.pk))


@router.put(
    "/{int:log_id}",
    response={200: ContactOut, 409: Message, 422: FieldErrors},
    summary="修改联系记录（带版本号；修改前的内容记入修改历史，录入时间和补录标记不变）",
)
def update_contact(request, log_id: int, payload: ContactUpdate):
    log = _get(request, log_id, "change")
    try:
        services.do_update_log(request.auth, log, _data(payload), payload.version)
    except services.ContactError as exc:
        return _errors(exc.errors)
    except services.VersionConflict as exc:
        return Status(409, {"detail": str(exc)})
    return Status(200, _full(request, log_id))


@router.delete("/{int:log_id}", response={204: None}, summary="删除联系记录（仅用于误录）")
def delete_contact(request, log_id: int):
    services.do_delete_log(request.auth, _get(request, log_id, "change"))
    return Status(204, None)


@router.get(
    "/{int:log_id}/attachments", response=list[AttachmentOut], summary="列出一条联系记录的附件"
)
def list_attachments(request, log_id: int):
    log = _get(request, log_id)
    return [_attachment(a) for a in log.attachments.all()]


@router.post(
    "/{int:log_id}/attachments",
    response={201: AttachmentOut, 422: FieldErrors},
    summary="上传附件（multipart，字段 file）：JPEG/PNG 图片不超过 10 MB（自动缩小、去除 EXIF），PDF/DOCX/XLSX 不超过 20 MB",
)
def upload_attachment(request, log_id: int, file: File[UploadedFile]):
    log = _get(request, log_id, "change")
    try:
        prepared = files.prepare(file)
        attachment = services.do_add_attachment(request.auth, log, prepared)
    except files.AttachmentError as exc:
        return _errors({"file": str(exc)})
    except services.ContactError as exc:
        return _errors(exc.errors)
    return Status(201, _attachment(attachment))


def _attachment_for(request, attachment_id: int, action: str = "view") -> Attachment:
    attachment = Attachment.objects.filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404
    _get(request, attachment.log_id, action)
    return attachment


@router.get(
    "/attachments/{int:attachment_id}",
    response={200: None},
    url_name="download_contact_attachment",
    summary="下载附件（经数据范围检查）",
)
def download_attachment(request, attachment_id: int):
    attachment = _attachment_for(request, attachment_id)
    path = files.path_of(attachment.stored_name)
    if path is None:
        raise Http404
    response = FileResponse(
        path.open("rb"),
        content_type=attachment.content_type,
        as_attachment=True,
        filename=attachment.original_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@router.delete("/attachments/{int:attachment_id}", response={204: None}, summary="删除附件")
def delete_attachment(request, attachment_id: int):
    services.do_remove_attachment(request.auth, _attachment_for(request, attachment_id, "change"))
    return Status(204, None)

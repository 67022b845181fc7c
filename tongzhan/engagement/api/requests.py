"""Requests (诉求/实事) over the API: the filtered list, one request with its steps, raise,
advance one step, edit, delete, and the 诉求办理台账. The same forms and services as the
pages; out of scope answers 404, read-only 403."""

from datetime import date, datetime

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from tongzhan.core.scope import access_object
from tongzhan.ledgers.exports import audit_filters, download_name
from tongzhan.ledgers.views.exports import XLSX, file_response

from .. import requests_export
from .. import requests_query as rq
from ..access import holds
from ..models import ContactLog, Request
from ..requests_forms import AdvanceForm, find_requests
from ..services import requests as services

router = Router(tags=["诉求"])


class FieldErrors(Schema):
    detail: list[dict]


class Message(Schema):
    detail: str


class RequestFilters(Schema):
    """The list page's parameters, checked by the same form."""

    page: int = Field(1, ge=1)
    q: str = Field("", description="诉求事项或诉求人姓名（包含）")
    state: str = Field("", description="received / assigned / in_progress / closed / revisited")
    category: str = ""
    overdue: str = Field(
        "", description="1（逾期）/ closed_late（逾期办结）/ due_soon（3 天内到期）"
    )
    region: str = Field("", description="12 位区划代码：含下级区域")
    handler: int | None = Field(None, description="承办人（用户 id）")
    mine: bool = Field(False, description="仅我承办或我登记的")
    raised_from: date | None = None
    raised_to: date | None = None

    def form_data(self) -> dict[str, str]:
        values = self.dict(exclude={"page"})
        values["mine"] = "on" if self.mine else ""
        return {k: "" if v is None else str(v) for k, v in values.items() if k != "mine" or v}


class RequestSummary(Schema):
    id: int
    title: str
    person: int
    person_name: str
    region: str
    region_name: str
    category: str
    raised_on: date
    deadline: date
    state: str
    handling_unit: str
    handler: int | None
    handler_name: str
    closed_on: date | None
    revisited_on: date | None
    satisfaction: str
    flag: str = Field(
        description="overdue（逾期）/ closed_late（逾期办结）/ due_soon（即将到期）/ 空"
    )
    version: int


class StepOut(Schema):
    from_state: str
    to_state: str
    comment: str
    acted_on: date
    acted_by: str | None
    acted_at: datetime


class RequestOut(RequestSummary):
    description: str
    result: str
    contact_log: int | None
    created_at: datetime
    steps: list[StepOut]


class RequestPage(Schema):
    count: int
    page: int
    pages: int
    items: list[RequestSummary]
    state_counts: dict[str, int] = Field(
        description="其他筛选条件下各状态的件数（不受 state 影响）"
    )


class RequestIn(Schema):
    person: int = Field(description="诉求人（统战对象 id）")
    title: str
    category: str
    raised_on: date
    deadline: date | None = Field(None, description="留空则按县里默认时限")
    description: str = ""
    contact_log: int | None = Field(None, description="来源联系记录 id")
    handling_unit: str = ""
    handler: int | None = Field(None, description="承办人（用户 id）")


class AdvanceIn(Schema):
    to_state: str = Field(description="下一状态：只能是当前状态的下一步")
    comment: str
    acted_on: date
    version: int
    handling_unit: str = Field("", description="交办时必填")
    handler: int | None = Field(None, description="交办时可填：承办人（用户 id）")
    deadline: date | None = Field(None, description="交办时必填")
    result: str = Field("", description="办结时必填")
    satisfaction: str = Field("", description="回访时必填：satisfied / mostly / unsatisfied")


class RequestPatch(Schema):
    version: int
    title: str | None = None
    description: str | None = None
    category: str | None = None
    deadline: date | None = None


def _summary(r: Request, today: date) -> dict:
    return {
        "id": r.pk,
        "title": r.title,
        "person": r.person_id,
        "person_name": r.person.name,
        "region": r.region_id,
        "region_name": r.region.name,
        "category": r.category,
        "raised_on": r.raised_on,
        "deadline": r.deadline,
        "state": r.state,
        "handling_unit": r.handling_unit,
        "handler": r.handler_id,
        "handler_name": r.handler_name,
        "closed_on": r.closed_on,
        "revisited_on": r.revisited_on,
        "satisfaction": r.satisfaction,
        "flag": rq.flag_of(r, today),
        "version": r.version,
    }


def _get(user, request_id: int, action: str = "view") -> Request:
    queryset = Request.objects.select_related("person", "region")
    return access_object(queryset, user, request_id, action)


def _full(user, request_id: int) -> dict:
    from django.utils import timezone

    r = _get(user, request_id)
    steps = r.steps.select_related("acted_by").order_by("acted_on", "acted_at", "pk")
    values = _summary(r, timezone.localdate())
    values.update(
        description=r.description,
        result=r.result,
        contact_log=r.contact_log_id,
        created_at=r.created_at,
        steps=[
            {
                "from_state": s.from_state,
                "to_state": s.to_state,
                "comment": s.comment,
                "acted_on": s.acted_on,
                "acted_by": str(s.acted_by) if s.acted_by else None,
                "acted_at": s.acted_at,
            }
            for s in steps
        ],
    )
    return values


def _error(field: str, message: str) -> Status:
    loc = ["body", field] if field != "__all__" else ["body"]
    return Status(422, {"detail": [{"loc": loc, "msg": message}]})


def _form_errors(form, where: str = "body") -> Status:
    return Status(
        422,
        {
            "detail": [
                {"loc": [where, name] if name != "__all__" else [where], "msg": str(message)}
                for name, messages in form.errors.items()
                for message in messages
            ]
        },
    )


def _handler(user, handler_id: int | None):
    """A handler the user may name (the form's choices), or None."""
    from ..requests_forms import handler_choices

    if handler_id is None:
        return None
    handler = handler_choices(user).filter(pk=handler_id).first()
    if handler is None:
        raise services.RequestError("handler", _("请选择有效的承办人。"))
    return handler


@router.get(
    "/", response={200: RequestPage, 422: FieldErrors}, summary="查找可见的诉求（每页 50 件）"
)
def list_requests(request, filters: Query[RequestFilters]):
    from django.utils import timezone

    if not holds(request.auth, "view"):
        raise Http404
    results = find_requests(request.auth, filters.form_data(), filters.page)
    if results.page is None:
        return _form_errors(results.form, "query")
    today = timezone.localdate()
    return {
        "count": results.total,
        "page": results.page.number,
        "pages": results.page.paginator.num_pages,
        "items": [_summary(r, today) for r in results.page],
        "state_counts": {code: n for code, _label, n in results.counts},
    }


@router.get(
    "/export.xlsx",
    response={422: FieldErrors},
    summary="导出诉求办理台账（xlsx，按列表的筛选条件；联系电话脱敏）",
    openapi_extra={
        "responses": {
            200: {
                "description": "诉求办理台账",
                "content": {XLSX: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def export_requests(request, filters: Query[RequestFilters]):
    if not requests_export.can_export(request.auth):
        raise Http404
    results = find_requests(request.auth, filters.form_data())
    if results.queryset is None:
        return _form_errors(results.form, "query")
    path, meta = requests_export.export_requests(
        request.auth,
        results.queryset,
        filters=audit_filters(results.form),
        region_code=results.form.cleaned_data.get("region", ""),
    )
    return file_response(path, download_name(meta), XLSX)


@router.get("/{int:request_id}", response=RequestOut, summary="查看一件诉求及其办理过程")
def get_request(request, request_id: int):
    return _full(request.auth, request_id)


@router.post(
    "/",
    response={201: RequestOut, 403: Message, 422: FieldErrors},
    summary="登记诉求（受理）",
)
def create_request(request, payload: RequestIn):
    from tongzhan.people.models import Person

    user = request.auth
    if not holds(user, "record"):
        raise Http404
    person = access_object(Person.objects.all(), user, payload.person, "view")
    contact_log = None
    if payload.contact_log is not None:
        contact_log = access_object(ContactLog.objects.all(), user, payload.contact_log, "view")
    try:
        created = services.do_create_request(
            user,
            person=person,
            title=payload.title,
            category=payload.category,
            raised_on=payload.raised_on,
            description=payload.description,
            contact_log=contact_log,
            handling_unit=payload.handling_unit,
            handler=_handler(user, payload.handler),
            deadline=payload.deadline,
        )
    except services.RequestError as exc:
        return _error(exc.field, exc.message)
    return Status(201, _full(user, created.pk))


@router.post(
    "/{int:request_id}/advance",
    response={200: RequestOut, 409: Message, 422: FieldErrors},
    summary="办理下一步（受理→交办→办理中→办结→回访，每步须填意见）",
)
def advance_request(request, request_id: int, payload: AdvanceIn):
    user = request.auth
    obj = _get(user, request_id, "change")
    try:
        services.check_transition(obj.state, payload.to_state)
    except services.RequestError as exc:
        return _error(exc.field, exc.message)
    data = payload.dict()
    data["handler"] = "" if data["handler"] is None else str(data["handler"])
    form = AdvanceForm(
        {k: "" if v is None else v for k, v in data.items()}, request_obj=obj, user=user
    )
    if not form.is_valid():
        return _form_errors(form)
    try:
        services.do_advance_request(user, obj, **form.service_kwargs())
    except services.RequestError as exc:
        return _error(exc.field, exc.message)
    except services.RequestConflict as exc:
        return Status(409, {"detail": str(exc)})
    return Status(200, _full(user, request_id))


@router.patch(
    "/{int:request_id}",
    response={200: RequestOut, 409: Message, 422: FieldErrors},
    summary="修改诉求（办结前：事项、内容、类别、时限）",
)
def update_request(request, request_id: int, payload: RequestPatch):
    user = request.auth
    obj = _get(user, request_id, "change")
    data = payload.dict(exclude_unset=True)
    version = data.pop("version")
    data = {k: v for k, v in data.items() if v is not None or k == "description"}
    try:
        services.do_update_request(user, obj, data, version)
    except services.RequestError as exc:
        return _error(exc.field, exc.message)
    except services.RequestConflict as exc:
        return Status(409, {"detail": str(exc)})
    return Status(200, _full(user, request_id))


@router.delete(
    "/{int:request_id}",
    response={204: None, 422: FieldErrors},
    summary="删除诉求（仅误录、尚在受理状态的）",
)
def delete_request(request, request_id: int):
    user = request.auth
    obj = _get(user, request_id, "change")
    try:
        services.do_delete_request(user, obj)
    except services.RequestError as exc:
        return _error(exc.field, exc.message)
    return Status(204, None)

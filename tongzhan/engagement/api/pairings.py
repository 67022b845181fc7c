"""联谊交友 over the API: pairings (list, one, create, update, end, delete) and the county
settings (/settings). The same scope rule, forms' checks and services as the pages."""

from datetime import date

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from tongzhan.core.scope import OutOfScope, access_object
from tongzhan.people.models import Person

from ..access import holds
from ..models import EngagementSettings, Pairing
from ..pairing_forms import STATUS_CHOICES, cadre_queryset
from ..pairing_queries import decorate, find_pairings
from ..services import pairings as services
from ..services.settings import SettingsError, can_manage_settings, do_update_settings

router = Router(tags=["联谊交友"])


class FieldErrors(Schema):
    detail: list[dict]


class Message(Schema):
    detail: str


class PairingOut(Schema):
    id: int
    cadre: int
    cadre_name: str
    person: int
    person_name: str
    person_region: str
    categories: list[str]
    start_date: date
    end_date: date | None
    interval_months: int | None = Field(description="本结对另设的周期；null 表示按县里默认")
    effective_interval_months: int = Field(description="实际使用的联系周期（月）")
    last_contact_on: date | None
    next_due_on: date
    state: str = Field(description="ok / due_soon（14 天内到期）/ overdue / ended")
    notes: str
    end_reason: str
    version: int


class PairingPage(Schema):
    count: int
    page: int
    pages: int
    items: list[PairingOut]
    counts: dict[str, int] = Field(
        description="当前筛选（不计 overdue）下的 total / overdue / never（从未联系）"
    )


class PairingFilters(Schema):
    page: int = Field(1, ge=1)
    cadre: int | None = Field(None, description="干部的用户 id")
    person: int | None = Field(None, description="交友对象 id")
    region: str = Field("", description="12 位区划代码：含下级区域")
    status: str = Field("open", description=" / ".join(k for k, _v in STATUS_CHOICES))
    overdue: bool = Field(False, description="只看逾期")
    mine: bool = Field(False, description="只看本人作为干部的结对")

    def form_data(self) -> dict[str, str]:
        values = self.dict(exclude={"page", "mine"})
        values["overdue"] = "on" if self.overdue else ""
        return {k: "" if v is None else str(v) for k, v in values.items()}


class PairingIn(Schema):
    cadre: int = Field(description="干部的用户 id：其查看范围须包括交友对象")
    person: int = Field(description="交友对象（党外代表人士）id")
    start_date: date
    interval_months: int | None = Field(None, description="1–24；省略则按县里默认")
    notes: str = ""


class PairingPatch(Schema):
    version: int = Field(description="读取时的版本号；他人已修改时返回 409")
    start_date: date | None = None
    interval_months: int | None = Field(None, description="1–24；null 恢复为县里默认")
    notes: str | None = None


class PairingEnd(Schema):
    end_date: date
    reason: str
    version: int | None = None


class SettingsOut(Schema):
    late_entry_days: int
    default_interval_months: int
    category_interval_months: dict[str, int]
    request_deadline_days: int
    version: int


class SettingsPatch(Schema):
    version: int
    late_entry_days: int | None = None
    default_interval_months: int | None = None
    category_interval_months: dict[str, int] | None = Field(
        None, description="{类别代码: 月数}，整体替换；未列出的类别按默认周期"
    )
    request_deadline_days: int | None = None


class SettingsSaved(SettingsOut):
    pairings_recomputed: int


def to_out(pairing: Pairing) -> dict:
    """A decorated pairing (pairing_queries.decorate) as the API shows it."""
    return {
        "id": pairing.pk,
        "cadre": pairing.cadre_id,
        "cadre_name": str(pairing.cadre),
        "person": pairing.person_id,
        "person_name": pairing.person.name,
        "person_region": pairing.person.region_id,
        "categories": pairing.person.category_codes(),
        "start_date": pairing.start_date,
        "end_date": pairing.end_date,
        "interval_months": pairing.interval_months,
        "effective_interval_months": pairing.effective_interval,  # type: ignore[attr-defined]
        "last_contact_on": pairing.last_contact_on,
        "next_due_on": pairing.next_due_on,
        "state": pairing.state,  # type: ignore[attr-defined]
        "notes": pairing.notes,
        "end_reason": pairing.end_reason,
        "version": pairing.version,
    }


def _get(request, pairing_id: int, action: str = "view") -> Pairing:
    queryset = Pairing.objects.select_related("person__region", "cadre").prefetch_related(
        "person__categories"
    )
    return access_object(queryset, request.auth, pairing_id, action)


def _one(request, pairing_id: int) -> dict:
    return to_out(decorate([_get(request, pairing_id)])[0])


def _error(field: str | None, message: str, status: int = 422) -> Status:
    if status != 422:
        return Status(status, {"detail": message})
    return Status(
        422, {"detail": [{"loc": ["body", field] if field else ["body"], "msg": message}]}
    )


def _query_errors(form) -> dict:
    return {
        "detail": [
            {"loc": ["query", name] if name != "__all__" else ["query"], "msg": str(message)}
            for name, messages in form.errors.items()
            for message in messages
        ]
    }


# --- pairings ----------------------------------------------------------------------------------


@router.get(
    "/",
    response={200: PairingPage, 422: FieldErrors},
    summary="查找可见的结对（每页 50 条），附总数、逾期数、从未联系数",
)
def list_pairings(request, filters: Query[PairingFilters]):
    if not holds(request.auth, "view"):
        raise Http404
    results = find_pairings(request.auth, filters.form_data(), filters.page, mine=filters.mine)
    if results.page is None:
        return Status(422, _query_errors(results.form))
    page = results.page
    return {
        "count": page.paginator.count,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "items": [to_out(p) for p in page.object_list],
        "counts": results.counts,
    }


class CadreOut(Schema):
    id: int
    name: str
    unit: str


@router.get(
    "/cadres",
    response=list[CadreOut],
    summary="可选的结对干部（管辖区域内及上级的统战工作人员）",
)
def list_cadres(request):
    if not holds(request.auth, "change"):
        raise Http404
    return [
        {"id": u.pk, "name": u.display_name or u.username, "unit": u.unit}
        for u in cadre_queryset(request.auth)
    ]


@router.get("/{int:pairing_id}", response=PairingOut, summary="查看一个结对")
def get_pairing(request, pairing_id: int):
    return _one(request, pairing_id)


@router.post(
    "/",
    response={201: PairingOut, 422: FieldErrors},
    summary="新建结对（交友对象须为管辖范围内在库的党外代表人士）",
)
def create_pairing(request, payload: PairingIn):
    user = request.auth
    if not holds(user, "change"):
        raise Http404
    # Out of scope: 404, as if missing; visible but read-only: 403.
    person = access_object(Person.objects.all(), user, payload.person, "change")
    cadre = cadre_queryset(user).filter(pk=payload.cadre).first()
    if cadre is None:
        return _error("cadre", _("所选干部不存在或不在您的管辖范围内。"))
    try:
        pairing = services.do_create_pairing(
            user,
            cadre=cadre,
            person=person,
            start_date=payload.start_date,
            interval_months=payload.interval_months,
            notes=payload.notes,
        )
    except services.PairingError as exc:
        return _error(exc.field, str(exc))
    return Status(201, _one(request, pairing.pk))


@router.patch(
    "/{int:pairing_id}",
    response={200: PairingOut, 409: Message, 422: FieldErrors},
    summary="修改结对的联系周期、结对日期或备注（带版本号）",
)
def update_pairing(request, pairing_id: int, payload: PairingPatch):
    pairing = _get(request, pairing_id, "change")
    data = payload.dict(exclude_unset=True)
    version = data.pop("version")
    if "start_date" in data and data["start_date"] is None:
        return _error("start_date", _("结对日期不能为空。"))
    try:
        services.do_update_pairing(request.auth, pairing, data, version)
    except services.VersionConflict as exc:
        return Status(409, {"detail": str(exc)})
    except services.PairingError as exc:
        return _error(exc.field, str(exc))
    return Status(200, _one(request, pairing_id))


@router.post(
    "/{int:pairing_id}/end",
    response={200: PairingOut, 409: Message, 422: FieldErrors},
    summary="结束结对（结束日期和原因）",
)
def end_pairing(request, pairing_id: int, payload: PairingEnd):
    pairing = _get(request, pairing_id, "change")
    try:
        services.do_end_pairing(
            request.auth, pairing, payload.end_date, payload.reason, payload.version
        )
    except services.VersionConflict as exc:
        return Status(409, {"detail": str(exc)})
    except services.PairingError as exc:
        return _error(exc.field, str(exc))
    return Status(200, _one(request, pairing_id))


@router.delete(
    "/{int:pairing_id}",
    response={204: None, 409: Message},
    summary="删除结对（仅用于误建；已有联系记录的请结束）",
)
def delete_pairing(request, pairing_id: int):
    pairing = _get(request, pairing_id, "change")
    try:
        services.do_delete_pairing(request.auth, pairing)
    except services.PairingError as exc:
        return Status(409, {"detail": str(exc)})
    return Status(204, None)


# --- county settings ---------------------------------------------------------------------------


def _settings_out(settings: EngagementSettings) -> dict:
    return {
        "late_entry_days": settings.late_entry_days,
        "default_interval_months": settings.default_interval_months,
        "category_interval_months": settings.category_interval_months,
        "request_deadline_days": settings.request_deadline_days,
        "version": settings.version,
    }


@router.get("/settings", response=SettingsOut, summary="联谊交友设置（县统战部干部）")
def get_settings(request):
    if not can_manage_settings(request.auth):
        raise Http404
    return _settings_out(EngagementSettings.current())


@router.patch(
    "/settings",
    response={200: SettingsSaved, 409: Message, 422: FieldErrors},
    summary="修改联谊交友设置；进行中结对的下次应联系日期随之重算",
)
def update_settings(request, payload: SettingsPatch):
    if not can_manage_settings(request.auth):
        raise Http404
    data = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    version = data.pop("version")
    try:
        settings, moved = do_update_settings(request.auth, data, version)
    except OutOfScope as exc:
        raise Http404 from exc
    except services.VersionConflict as exc:
        return Status(409, {"detail": str(exc)})
    except SettingsError as exc:
        return _error(exc.field, str(exc))
    return Status(200, {**_settings_out(settings), "pairings_recomputed": moved})

"""The only code that writes requests (诉求/实事): raise, advance one step, edit, delete.

A request moves 受理 → 交办 → 办理中 → 办结 → 回访, one step at a time (choices.NEXT_STATE),
each step with a comment and a date, kept as RequestStep rows. Each writer runs in one
transaction, re-checks the scope after the write and writes the audit row.

Errors: RequestError (bad input, names the field), InvalidTransition (a refused step),
RequestConflict (someone saved first), OutOfScope (404) and ReadOnly (403) from the scope
rule.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from tongzhan.audit.models import AuditAction
from tongzhan.audit.services import record
from tongzhan.core.scope import OutOfScope, ReadOnly, check_in_scope
from tongzhan.engagement.choices import (
    NEXT_STATE,
    RequestCategory,
    RequestState,
    Satisfaction,
)
from tongzhan.engagement.models import ContactLog, EngagementSettings, Request, RequestStep

EDITABLE = ("title", "description", "category", "deadline")


class RequestError(ValueError):
    """Bad input for a request: `field` names the field the message belongs to."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


class InvalidTransition(RequestError):
    """A step the workflow refuses (skipping, going back, after 回访)."""

    def __init__(self, message: str):
        super().__init__("to_state", message)


class RequestConflict(Exception):
    """Someone else saved the request after this user opened it."""


def snapshot(request: Request) -> dict:
    """The request as the audit log keeps it (no sensitive fields on a request)."""
    return {
        "person": request.person_id,
        "title": request.title,
        "category": request.category,
        "region": request.region_id,
        "raised_on": _iso(request.raised_on),
        "deadline": _iso(request.deadline),
        "state": request.state,
        "handling_unit": request.handling_unit,
        "handler": request.handler_id,
        "contact_log": request.contact_log_id,
    }


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _state_label(state: str) -> str:
    return str(RequestState(state).label)


# --- checks ------------------------------------------------------------------------------


def _check_person(user, person) -> None:
    """Visible (else 404) and within the user's "record" scope (else 403)."""
    from tongzhan.people.models import Person

    if not Person.objects.restrict(user, "view").filter(pk=person.pk).exists():
        raise OutOfScope(f"Person {person.pk}")
    if not Person.objects.restrict(user, "record").filter(pk=person.pk).exists():
        raise ReadOnly(_("您不能为该统战对象登记诉求。"))


def _check_text(field: str, value: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise RequestError(field, message)
    return value


def _check_day(field: str, value: date | None, *, not_before: date | None = None) -> date:
    if value is None:
        raise RequestError(field, _("请填写日期。"))
    if value > timezone.localdate():
        raise RequestError(field, _("日期不能晚于今天。"))
    if not_before and value < not_before:
        raise RequestError(field, _("日期不能早于 %(day)s。") % {"day": not_before.isoformat()})
    return value


def _check_deadline(deadline: date | None, raised_on: date) -> date:
    if deadline is None:
        raise RequestError("deadline", _("请填写办理时限。"))
    if deadline < raised_on:
        raise RequestError("deadline", _("办理时限不能早于提出日期。"))
    return deadline


def _check_category(category: str) -> str:
    if category not in RequestCategory.values:
        raise RequestError("category", _("请选择有效的诉求类别。"))
    return category


def _check_contact_log(user, contact_log, person) -> None:
    if contact_log is None:
        return
    if not ContactLog.objects.restrict(user, "view").filter(pk=contact_log.pk).exists():
        raise OutOfScope(f"ContactLog {contact_log.pk}")
    if not contact_log.persons.filter(pk=person.pk).exists():
        raise RequestError("contact_log", _("该联系记录中没有这位诉求人。"))


def _locked(user, request: Request, version: int | None) -> Request:
    check_in_scope(Request, user, request.pk, "change")
    current = Request.objects.select_for_update().get(pk=request.pk)
    if version is not None and current.version != version:
        raise RequestConflict(
            _("此诉求已被他人修改（当前版本 %(v)s），请刷新后重试。") % {"v": current.version}
        )
    return current


# --- writers -----------------------------------------------------------------------------


def do_create_request(
    user,
    *,
    person,
    title,
    category,
    raised_on,
    description="",
    contact_log=None,
    handling_unit="",
    handler=None,
    deadline=None,
) -> Request:
    """Raise a request for a person (受理), directly or from a contact log. The deadline
    defaults to the county's number of days after it was raised."""
    _check_person(user, person)
    title = _check_text("title", title, _("请填写诉求事项。"))
    category = _check_category(category)
    raised_on = _check_day("raised_on", raised_on)
    if deadline is None:
        days = EngagementSettings.current().request_deadline_days
        deadline = raised_on + timedelta(days=days)
    deadline = _check_deadline(deadline, raised_on)
    with transaction.atomic():
        _check_contact_log(user, contact_log, person)
        request = Request.objects.create(
            person=person,
            contact_log=contact_log,
            title=title,
            description=(description or "").strip(),
            category=category,
            region_id=person.region_id,
            raised_on=raised_on,
            handling_unit=(handling_unit or "").strip(),
            handler=handler,
            handler_name=str(handler) if handler else "",
            deadline=deadline,
            created_by=user,
        )
        RequestStep.objects.create(
            request=request,
            to_state=RequestState.RECEIVED,
            comment=_("受理：%(title)s") % {"title": title},
            acted_on=raised_on,
            acted_by=user,
        )
        check_in_scope(Request, user, request.pk, "change")
        record(AuditAction.CREATE, user=user, obj=request, detail={"after": snapshot(request)})
    return request


def do_advance_request(
    user,
    request: Request,
    *,
    to_state,
    comment,
    acted_on,
    version,
    handling_unit=None,
    handler=None,
    deadline=None,
    result=None,
    satisfaction=None,
) -> Request:
    """Move the request one step on, with the step's comment and what the step needs:
    交办 a handling unit and a deadline, 办结 a result, 回访 the person's satisfaction."""
    with transaction.atomic():
        current = _locked(user, request, version)
        check_transition(current.state, to_state)
        comment = _check_text("comment", comment, _("每一步都须填写办理意见。"))
        last = current.steps.order_by("-acted_on").values_list("acted_on", flat=True).first()
        acted_on = _check_day("acted_on", acted_on, not_before=last or current.raised_on)
        before = snapshot(current)
        fields = _apply_step(
            current, to_state, acted_on, handling_unit, handler, deadline, result, satisfaction
        )
        current.state = to_state
        current.version = F("version") + 1
        current.save(update_fields=[*fields, "state", "version", "updated_at"])
        RequestStep.objects.create(
            request=current,
            from_state=before["state"],
            to_state=to_state,
            comment=comment,
            acted_on=acted_on,
            acted_by=user,
        )
        current.refresh_from_db()
        check_in_scope(Request, user, current.pk, "change")
        detail = {
            "step": {"from": before["state"], "to": to_state, "on": acted_on.isoformat()},
            "comment": comment,
        }
        record(AuditAction.UPDATE, user=user, obj=current, detail=detail)
    return current


def check_transition(state: str, to_state: str) -> None:
    if to_state not in RequestState.values:
        raise InvalidTransition(_("未知的状态：%(s)s。") % {"s": to_state})
    allowed = NEXT_STATE.get(RequestState(state))
    if allowed is None:
        raise InvalidTransition(
            _("诉求已“%(current)s”，办理已结束，不能再转为“%(asked)s”。")
            % {"current": _state_label(state), "asked": _state_label(to_state)}
        )
    if to_state != allowed:
        raise InvalidTransition(
            _("诉求当前为“%(current)s”，不能转为“%(asked)s”：下一步只能是“%(next)s”。")
            % {
                "current": _state_label(state),
                "asked": _state_label(to_state),
                "next": _state_label(allowed),
            }
        )


def _apply_step(
    current, to_state, acted_on, handling_unit, handler, deadline, result, satisfaction
):
    """Set what the step records on the request; the names of the fields it set."""
    if to_state == RequestState.ASSIGNED:
        current.handling_unit = _check_text(
            "handling_unit", handling_unit, _("交办须填写承办单位。")
        )
        current.deadline = _check_deadline(deadline, current.raised_on)
        current.handler = handler
        current.handler_name = str(handler) if handler else ""
        return ["handling_unit", "deadline", "handler", "handler_name"]
    if to_state == RequestState.CLOSED:
        current.result = _check_text("result", result, _("办结须填写办理结果。"))
        current.closed_on = acted_on
        return ["result", "closed_on"]
    if to_state == RequestState.REVISITED:
        if satisfaction not in Satisfaction.values:
            raise RequestError("satisfaction", _("回访须选择诉求人的满意度。"))
        current.satisfaction = satisfaction
        current.revisited_on = acted_on
        return ["satisfaction", "revisited_on"]
    return []


def do_update_request(user, request: Request, data: dict, version: int) -> Request:
    """Correct the title, description, category or deadline of a request not yet closed."""
    unknown = set(data) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    with transaction.atomic():
        current = _locked(user, request, version)
        if current.closed_on is not None:
            raise RequestError("__all__", _("诉求已办结，不能再修改。"))
        before = snapshot(current)
        old_description = current.description
        if "title" in data:
            current.title = _check_text("title", data["title"], _("请填写诉求事项。"))
        if "description" in data:
            current.description = (data["description"] or "").strip()
        if "category" in data:
            current.category = _check_category(data["category"])
        if "deadline" in data:
            current.deadline = _check_deadline(data["deadline"], current.raised_on)
        current.version = F("version") + 1
        current.save(update_fields=[*data, "version", "updated_at"])
        current.refresh_from_db()
        check_in_scope(Request, user, current.pk, "change")
        after = snapshot(current)
        changes = {
            k: {"before": before[k], "after": after[k]} for k in after if before[k] != after[k]
        }
        if current.description != old_description:
            changes["description"] = {"before": old_description, "after": current.description}
        record(AuditAction.UPDATE, user=user, obj=current, detail={"changes": changes})
    return current


def do_delete_request(user, request: Request) -> None:
    """Only a request entered by mistake, still at 受理; one being handled is kept."""
    with transaction.atomic():
        current = _locked(user, request, None)
        if current.state != RequestState.RECEIVED:
            raise RequestError(
                "__all__",
                _("只能删除尚在“受理”状态的诉求（误录）；当前为“%(s)s”。")
                % {"s": _state_label(current.state)},
            )
        record(AuditAction.DELETE, user=user, obj=current, detail={"before": snapshot(current)})
        current.delete()

"""Writing 联谊交友 pairings: create, edit, end, delete.

Each writer runs in one transaction, keeps last_contact_on / next_due_on true through
services.due.recompute, re-checks after the write that the pairing is still in the
writer's "change" scope, and writes its audit row.

Who may be a pairing's cadre: an active user whose own view scope holds the person (a
cadre befriends someone it can look up and log contacts with). Who may be paired: a
党外代表人士 still in the registry (在库) in the acting user's change scope.
"""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from tongzhan.audit.models import AuditAction
from tongzhan.audit.services import record
from tongzhan.core.choices import PersonStatus
from tongzhan.core.scope import check_in_scope
from tongzhan.engagement.models import Pairing
from tongzhan.people.models import Person

from .due import recompute

MIN_INTERVAL, MAX_INTERVAL = 1, 24  # months: monthly to every two years


class PairingError(ValueError):
    """A pairing cannot be written as asked; `field` names the input at fault."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class VersionConflict(Exception):
    """Someone else saved the pairing after this user opened it."""


# --- checks shared by the forms and the API -------------------------------------------------


def cadre_covers(cadre, person: Person) -> bool:
    """The cadre is active and the person lies in the cadre's own view scope."""
    if cadre is None or not cadre.is_active:
        return False
    return Person.objects.restrict(cadre, "view").filter(pk=person.pk).exists()


def check_interval(months: int | None) -> None:
    if months is not None and not MIN_INTERVAL <= months <= MAX_INTERVAL:
        raise PairingError(
            _("联系周期应在 %(low)d 到 %(high)d 个月之间。")
            % {"low": MIN_INTERVAL, "high": MAX_INTERVAL},
            "interval_months",
        )


def check_person(person: Person) -> None:
    if not person.is_representative:
        raise PairingError(_("只能与党外代表人士结对。"), "person")
    if person.status != PersonStatus.ACTIVE:
        raise PairingError(_("此人已不在库（调出、去世或退出），不能结对。"), "person")


def snapshot(pairing: Pairing) -> dict:
    """The audit view of a pairing: plain values only."""
    return {
        "cadre": pairing.cadre_id,
        "person": pairing.person_id,
        "interval_months": pairing.interval_months,
        "start_date": _iso(pairing.start_date),
        "end_date": _iso(pairing.end_date),
        "notes": pairing.notes,
        "end_reason": pairing.end_reason,
        "last_contact_on": _iso(pairing.last_contact_on),
        "next_due_on": _iso(pairing.next_due_on),
    }


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _changes(before: dict, after: dict) -> dict:
    return {k: {"before": before[k], "after": v} for k, v in after.items() if before[k] != v}


def _locked(pairing: Pairing, user, expected_version: int | None) -> Pairing:
    """The current row, locked, after the scope and version checks."""
    check_in_scope(Pairing, user, pairing.pk, "change")
    current = Pairing.objects.select_for_update().select_related("person").get(pk=pairing.pk)
    if expected_version is not None and current.version != expected_version:
        raise VersionConflict(
            _("此结对已被他人修改（当前版本 %(v)s），请刷新后重试。") % {"v": current.version}
        )
    return current


def _fresh(pk: int) -> Pairing:
    return Pairing.objects.select_related("person", "cadre").get(pk=pk)


# --- writers ------------------------------------------------------------------------------------


def do_create_pairing(
    user, *, cadre, person: Person, start_date: date, interval_months=None, notes: str = ""
) -> Pairing:
    """Pair `cadre` with `person`. OutOfScope when the person is not in the user's change
    scope; PairingError (with the field) for anything else that is wrong."""
    with transaction.atomic():
        # The scope first: nothing is said about a person the user may not change.
        check_in_scope(Person, user, person.pk, "change")
        check_person(person)
        check_interval(interval_months)
        if not cadre_covers(cadre, person):
            raise PairingError(_("所选干部的工作范围不包括该交友对象，不能结对。"), "cadre")
        if Pairing.objects.filter(cadre=cadre, person=person, end_date__isnull=True).exists():
            raise PairingError(_("该干部与此人已有未结束的结对。"), "person")
        pairing = Pairing(
            cadre=cadre,
            person=person,
            start_date=start_date,
            interval_months=interval_months,
            notes=(notes or "").strip(),
            created_by=user,
        )
        recompute(pairing)
        try:
            with transaction.atomic():  # two users pairing the same two at once
                pairing.save()
        except IntegrityError as exc:
            raise PairingError(_("该干部与此人已有未结束的结对。"), "person") from exc
        check_in_scope(Pairing, user, pairing.pk, "change")
        record(AuditAction.CREATE, user=user, obj=pairing, detail={"after": snapshot(pairing)})
    return _fresh(pairing.pk)


EDITABLE = ("interval_months", "notes", "start_date")


def do_update_pairing(user, pairing: Pairing, data: dict, expected_version: int) -> Pairing:
    """Change the interval override (None: the county default), notes or start date."""
    if "interval_months" in data:
        check_interval(data["interval_months"])
    with transaction.atomic():
        current = _locked(pairing, user, expected_version)
        before = snapshot(current)
        for name in EDITABLE:
            if name in data:
                value = data[name]
                setattr(current, name, (value or "").strip() if name == "notes" else value)
        if current.end_date and current.start_date > current.end_date:
            raise PairingError(_("结对日期不能晚于结束日期。"), "start_date")
        recompute(current)
        current.version = F("version") + 1
        current.save(update_fields=[*EDITABLE, "last_contact_on", "next_due_on", "version"])
        check_in_scope(Pairing, user, current.pk, "change")
        current = _fresh(current.pk)
        record(
            AuditAction.UPDATE,
            user=user,
            obj=current,
            detail={"changes": _changes(before, snapshot(current))},
        )
    return current


def do_end_pairing(
    user, pairing: Pairing, end_date: date, reason: str, expected_version: int | None = None
) -> Pairing:
    """End a pairing on `end_date` for `reason` (kept on the pairing and in the audit row)."""
    reason = (reason or "").strip()
    if not reason:
        raise PairingError(_("请填写结束原因。"), "reason")
    if end_date > timezone.localdate():
        raise PairingError(_("结束日期不能晚于今天。"), "end_date")
    with transaction.atomic():
        current = _locked(pairing, user, expected_version)
        if current.end_date is not None:
            raise PairingError(_("此结对已经结束。"), "end_date")
        if end_date < current.start_date:
            raise PairingError(_("结束日期不能早于结对日期。"), "end_date")
        before = snapshot(current)
        current.end_date = end_date
        current.end_reason = reason
        recompute(current)
        current.version = F("version") + 1
        current.save(
            update_fields=["end_date", "end_reason", "last_contact_on", "next_due_on", "version"]
        )
        check_in_scope(Pairing, user, current.pk, "change")
        current = _fresh(current.pk)
        detail = {"reason": reason, "changes": _changes(before, snapshot(current))}
        record(AuditAction.UPDATE, user=user, obj=current, detail=detail)
    return current


def do_delete_pairing(user, pairing: Pairing) -> None:
    """Only for a pairing entered by mistake: one with a contact on record is ended
    instead, so that the work done (and the assessment built on it) stays."""
    with transaction.atomic():
        current = _locked(pairing, user, None)
        if current.last_contact_on is not None:
            raise PairingError(_("此结对已有联系记录，不能删除；请改为结束结对。"))
        record(AuditAction.DELETE, user=user, obj=current, detail={"before": snapshot(current)})
        current.delete()

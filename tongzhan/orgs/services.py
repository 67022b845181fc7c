"""The only code that writes organisations and memberships: one transaction each, a scope
re-check after the write, an audit row.

`data` for create/update is a dict of cleaned values (forms.OrgForm.service_data()): any
of FIELDS, with region, parent and leader as instances. Fields that do not belong to the
type (登记证号 and 宗教 outside 宗教活动场所, 商会类别 outside 商会) are cleared here, so
no path can store them.
"""

from datetime import date

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from tongzhan.audit.models import AuditAction
from tongzhan.audit.services import record
from tongzhan.core.scope import OutOfScope, check_in_scope
from tongzhan.people.models import Person

from .choices import OrgType
from .models import Membership, Organisation

FIELDS = (
    "name",
    "org_type",
    "region",
    "parent",
    "leader",
    "leader_name",
    "uscc",
    "venue_certificate",
    "religion",
    "chamber_kind",
    "founded_on",
    "address",
    "office_phone",
    "notes",
    "active",
)
MEMBERSHIP_FIELDS = ("role", "start_date", "end_date", "notes")
MAX_DEPTH = 20  # parent chains are a few levels deep; a longer one is a cycle in the making


class VersionConflict(Exception):
    """Someone else saved the organisation after this user opened it."""


class InvalidChange(ValueError):
    """The change breaks a rule (cycle, children left, dates); str() is a Chinese message."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


# --- audit snapshots ------------------------------------------------------------------------


def _plain(value):
    if hasattr(value, "pk"):
        return value.pk
    if isinstance(value, date):
        return value.isoformat()
    return value


def snapshot(org: Organisation) -> dict:
    return {name: _plain(getattr(org, name)) for name in FIELDS}


def membership_snapshot(membership: Membership) -> dict:
    values = {name: _plain(getattr(membership, name)) for name in MEMBERSHIP_FIELDS}
    values.update(organisation=membership.organisation_id, person=membership.person_id)
    return values


def diff(before: dict, after: dict) -> dict:
    return {
        k: {"before": before.get(k), "after": after[k]} for k in after if before.get(k) != after[k]
    }


# --- rules shared by the form and the writers ---------------------------------------------


def would_cycle(org: Organisation | None, parent: Organisation | None) -> bool:
    """Whether making `parent` the parent of `org` closes a loop (or nests too deep)."""
    if parent is None or org is None or org.pk is None:
        return False
    seen, current = 0, parent
    while current is not None:
        if current.pk == org.pk:
            return True
        seen += 1
        if seen > MAX_DEPTH:
            return True
        current = current.parent
    return False


def _tidy(org: Organisation) -> None:
    if org.org_type != OrgType.RELIGIOUS_VENUE:
        org.venue_certificate, org.religion = "", ""
    if org.org_type != OrgType.CHAMBER:
        org.chamber_kind = ""
    if org.leader_id:
        org.leader_name = ""  # the registry's name is shown; no second copy to drift


def _check_links(user, org: Organisation, before: dict | None = None) -> None:
    """A new parent or leader must be one the user may see (one already there stays even
    if the editor cannot see it); the parent must not close a loop."""
    before = before or {}
    parents = Organisation.objects.restrict(user, "view")
    if org.parent_id is not None:
        if org.parent_id != before.get("parent") and not parents.filter(pk=org.parent_id).exists():
            raise OutOfScope("parent")
        if org.parent_id == org.pk or would_cycle(org, org.parent):
            raise InvalidChange(_("上级组织不能是本组织或其下级组织。"), "parent")
    new_leader = org.leader_id not in (None, before.get("leader"))
    if new_leader and not Person.objects.restrict(user, "view").filter(pk=org.leader_id).exists():
        raise OutOfScope("leader")


def _apply(org: Organisation, data: dict) -> None:
    for name in FIELDS:
        if name in data:
            setattr(org, name, data[name])
    _tidy(org)


# --- organisations --------------------------------------------------------------------------


def do_create_org(user, data: dict) -> Organisation:
    with transaction.atomic():
        org = Organisation(created_by=user)
        _apply(org, data)
        _check_links(user, org)
        org.save()
        check_in_scope(Organisation, user, org.pk, "change")
        record(AuditAction.CREATE, user=user, obj=org, detail={"after": snapshot(org)})
    return org


def do_update_org(user, org: Organisation, data: dict, expected_version: int) -> Organisation:
    """Save only if nobody saved since `expected_version`; else VersionConflict."""
    with transaction.atomic():
        check_in_scope(Organisation, user, org.pk, "change")
        current = Organisation.objects.select_for_update().get(pk=org.pk)
        if current.version != expected_version:
            raise VersionConflict(
                _("此组织已被他人修改（当前版本 %(v)s），请刷新后重试。") % {"v": current.version}
            )
        before = snapshot(current)
        _apply(current, data)
        _check_links(user, current, before)
        current.version = F("version") + 1
        current.save()
        # The edit must not move the organisation out of the writer's scope.
        check_in_scope(Organisation, user, current.pk, "change")
        current.refresh_from_db()
        changes = diff(before, snapshot(current))
        record(AuditAction.UPDATE, user=user, obj=current, detail={"changes": changes})
    return current


def do_delete_org(user, org: Organisation) -> None:
    """Delete an organisation entered by mistake, with its memberships. One that has
    closed is kept and marked not 存续 (an edit); one with child organisations cannot go
    until they are moved or deleted."""
    with transaction.atomic():
        check_in_scope(Organisation, user, org.pk, "change")
        current = Organisation.objects.select_for_update().get(pk=org.pk)
        if current.children.exists():
            raise InvalidChange(_("该组织下还有下级组织，请先调整或删除下级组织。"))
        members = list(current.memberships.values_list("person_id", "role"))
        detail = {"before": snapshot(current), "memberships": [list(m) for m in members]}
        record(AuditAction.DELETE, user=user, obj=current, detail=detail)
        current.delete()


# --- memberships ------------------------------------------------------------------------------


def _membership_scope(user, org: Organisation, person: Person) -> None:
    """The organisation in the user's change scope, the person in its view scope."""
    check_in_scope(Organisation, user, org.pk, "change")
    check_in_scope(Person, user, person.pk, "view")


def _check_dates(start: date | None, end: date | None) -> None:
    if start and end and end < start:
        raise InvalidChange(_("终止日期不能早于起始日期。"), "end_date")


def do_add_membership(user, org: Organisation, person: Person, data: dict) -> Membership:
    _check_dates(data.get("start_date"), data.get("end_date"))
    with transaction.atomic():
        _membership_scope(user, org, person)
        Organisation.objects.select_for_update().filter(pk=org.pk).first()
        open_one = Membership.objects.filter(organisation=org, person=person, end_date__isnull=True)
        if data.get("end_date") is None and open_one.exists():
            raise InvalidChange(_("此人已是该组织的现任成员。"), "person")
        values = {name: data[name] for name in MEMBERSHIP_FIELDS if name in data}
        membership = Membership.objects.create(organisation=org, person=person, **values)
        detail = {"after": membership_snapshot(membership)}
        record(AuditAction.CREATE, user=user, obj=membership, detail=detail)
    return membership


def do_end_membership(user, membership: Membership, end_date: date) -> Membership:
    """Close a membership on a date (kept as history)."""
    with transaction.atomic():
        _membership_scope(user, membership.organisation, membership.person)
        current = Membership.objects.select_for_update().get(pk=membership.pk)
        if current.end_date is not None:
            raise InvalidChange(_("该成员关系已于 %(d)s 终止。") % {"d": current.end_date})
        _check_dates(current.start_date, end_date)
        if end_date > date.today():
            raise InvalidChange(_("终止日期不能晚于今天。"), "end_date")
        current.end_date = end_date
        current.save(update_fields=["end_date"])
        detail = {"end_date": {"before": None, "after": end_date.isoformat()}}
        record(AuditAction.UPDATE, user=user, obj=current, detail=detail)
    return current


def do_remove_membership(user, membership: Membership) -> None:
    """Only for a membership entered by mistake; one that ended is ended, not removed."""
    with transaction.atomic():
        _membership_scope(user, membership.organisation, membership.person)
        before = membership_snapshot(membership)
        record(AuditAction.DELETE, user=user, obj=membership, detail={"before": before})
        membership.delete()

"""The only code that writes contact logs (联系记录) and their attachments.

Each writer runs in one transaction, writes its audit row, re-checks the scope after the
write, and recounts the pairings the log touches (services.due.refresh_pairings).

The persons of a log must each be in the writer's VIEW scope (else OutOfScope: the caller
answers 404, as for a missing record) and the writer must hold "record" for them (else
ReadOnly: 403). When it happened is kept apart from when it was entered: 补录 (is_late) is
decided at entry by the county threshold of that day and never changes afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tongzhan.audit.models import AuditAction
from tongzhan.audit.services import record
from tongzhan.core.scope import OutOfScope, ReadOnly, check_in_scope, grants, user_assignments
from tongzhan.engagement import attachments as files
from tongzhan.engagement import due
from tongzhan.engagement.choices import ContactMode
from tongzhan.engagement.models import (
    Attachment,
    ContactLog,
    ContactLogRevision,
    EngagementSettings,
)
from tongzhan.lib import divisioncode
from tongzhan.people.models import Person

from .due import refresh_pairings

MAX_PERSONS = 30
MAX_CADRES = 20


class ContactError(ValueError):
    """Input the services refuse: `errors` maps a field name ("" for the whole log) to a
    message in the user's language."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


class VersionConflict(Exception):
    """Someone else saved the log after this user opened it."""


@dataclass
class LogData:
    """The values of a log as a form or the API hands them over (persons and cadres as ids)."""

    happened_on: date
    mode: str
    summary: str
    persons: list[int]
    cadres: list[int] = field(default_factory=list)
    place: str = ""
    happened_time: time | None = None


# --- checks -----------------------------------------------------------------------------------


def person_order(log: ContactLog) -> tuple[int, ...]:
    """The log's persons in the order they were given (the first places the log)."""
    through = ContactLog.persons.through.objects.filter(contactlog=log).order_by("pk")
    return tuple(through.values_list("person_id", flat=True))


def scoped_persons(user, ids) -> list[Person]:
    """The persons, in the order given; OutOfScope when any is missing or not visible to the
    user (nothing says which: the same answer as a missing record)."""
    ids = list(dict.fromkeys(int(i) for i in ids))
    found = Person.objects.restrict(user, "view").select_related("region").in_bulk(ids)
    if len(found) != len(ids):
        raise OutOfScope("a person of the contact log is not in the user's view scope")
    recordable = set(
        Person.objects.restrict(user, "record").filter(pk__in=ids).values_list("pk", flat=True)
    )
    if recordable != set(ids):
        raise ReadOnly(_("您只能查看这些统战对象，不能为其记录联系。"))
    return [found[i] for i in ids]


def cadre_choices(user):
    """Users who may be named as present: active users holding "record" in a region that
    lies within, or above, one of the writer's own "record" regions (a township member can
    name its village liaisons and the county staff who came along, not another township's)."""
    from tongzhan.accounts.models import RoleAssignment, User
    from tongzhan.accounts.roles import ROLES

    recording_roles = [code for code, role in ROLES.items() if "record" in role.data_actions]
    near = Q(pk__in=[])
    for assignment in user_assignments(user):
        if not grants(assignment, "record"):
            continue
        low, high = divisioncode.subtree_range(assignment.region_id)
        near |= Q(region_id__gte=low, region_id__lte=high)
        near |= Q(region_id__in=divisioncode.ancestors(assignment.region_id))
    holders = RoleAssignment.objects.filter(near, active=True, role__in=recording_roles)
    return User.objects.filter(is_active=True, pk__in=holders.values("user_id")).order_by(
        "display_name", "username"
    )


@dataclass(frozen=True)
class Kept:
    """What an edit keeps from the log as it was: its author (always present) and the
    persons and cadres it already names, which the editor need not be able to see or
    choose (a county cadre's log naming persons of two townships, edited by one of them)."""

    author: int | None = None
    persons: tuple[int, ...] = ()
    cadres: tuple[int, ...] = ()


def _clean(user, data: LogData, today: date, kept: Kept | None = None):
    """(persons, cadre ids) of a log about to be written; ContactError for bad values."""
    kept = kept or Kept(author=user.pk)
    errors = _field_errors(data, today)
    choosable = set(
        cadre_choices(user)
        .filter(pk__in=[*map(int, data.cadres), *kept.cadres])
        .values_list("pk", flat=True)
    )
    # Cadres the editor could not have chosen stay: the editor cannot see them to remove.
    fixed = [c for c in kept.cadres if c not in choosable]
    cadre_ids = list(dict.fromkeys([kept.author or user.pk, *map(int, data.cadres), *fixed]))
    if len(cadre_ids) > MAX_CADRES:
        errors["cadres"] = _("参与干部最多 %(n)s 位。") % {"n": MAX_CADRES}
    elif set(cadre_ids) - choosable - {user.pk, kept.author, *fixed}:
        errors["cadres"] = _("所选参与干部不在可选范围内。")
    if errors:
        raise ContactError(errors)
    return _persons(user, data.persons, kept.persons), cadre_ids


def _name_persons(log: ContactLog, persons: list[Person]) -> None:
    """Write the log's persons in the order given: person_order reads them back by row id
    (the first places the log). `persons.set()` adds from a set, in no stable order."""
    through = ContactLog.persons.through
    through.objects.filter(contactlog=log).delete()
    through.objects.bulk_create([through(contactlog=log, person=p) for p in persons])


def _field_errors(data: LogData, today: date) -> dict[str, str]:
    errors = {}
    if data.happened_on > today:
        errors["happened_on"] = _("联系日期不能晚于今天。")
    if data.mode not in ContactMode.values:
        errors["mode"] = _("请选择联系方式。")
    if not data.summary.strip():
        errors["summary"] = _("请填写交流内容。")
    if not data.persons:
        errors["persons"] = _("请至少选择一位联系对象。")
    elif len(set(data.persons)) > MAX_PERSONS:
        errors["persons"] = _("一次最多记录 %(n)s 位联系对象。") % {"n": MAX_PERSONS}
    return errors


def _persons(user, ids, kept: tuple[int, ...]) -> list[Person]:
    """The persons given, checked against the user's scope, plus the persons the log
    already names that the user cannot see (kept where they were: the first person
    places the log)."""
    ids = [int(i) for i in dict.fromkeys(ids)]
    hidden = set(kept) - set(
        Person.objects.restrict(user, "view").filter(pk__in=kept).values_list("pk", flat=True)
    )
    added = scoped_persons(user, [i for i in ids if i not in hidden])
    if not hidden:
        return added
    by_id = {p.pk: p for p in added}
    by_id.update(Person.objects.select_related("region").in_bulk(hidden))
    order = [i for i in kept if i in hidden or i in by_id] + [i for i in ids if i not in kept]
    return [by_id[i] for i in dict.fromkeys(order) if i in by_id]


# --- audit view ---------------------------------------------------------------------------------


def snapshot(log: ContactLog) -> dict:
    """What a revision keeps and the audit row shows: the values a user can edit."""
    return {
        "happened_on": log.happened_on.isoformat(),
        "happened_time": log.happened_time.isoformat() if log.happened_time else None,
        "mode": log.mode,
        "place": log.place,
        "summary": log.summary,
        "region": log.region_id,
        "persons": [{"id": p.pk, "name": p.name} for p in log.persons.order_by("pk")],
        "cadres": [{"id": u.pk, "name": str(u)} for u in log.cadres.order_by("pk")],
    }


def _diff(before: dict, after: dict) -> dict:
    return {
        k: {"before": before.get(k), "after": v} for k, v in after.items() if before.get(k) != v
    }


def _ids(entries) -> list[int]:
    return [entry["id"] for entry in entries]


# --- writers ----------------------------------------------------------------------------------


def do_create_log(user, data: LogData, requests=(), uploads=()) -> ContactLog:
    """Record a contact, with the 诉求 raised in it (dicts of do_create_request's keyword
    arguments: person, title, category, …) and its checked uploads, all or nothing."""
    stored: list[str] = []
    try:
        return _create_log(user, data, requests, uploads, stored)
    except BaseException:
        _delete_files(stored)
        raise


def _create_log(user, data: LogData, requests, uploads, stored: list[str]) -> ContactLog:
    entered = timezone.localdate()  # the county's day (TIME_ZONE Asia/Shanghai)
    persons, cadre_ids = _clean(user, data, entered)
    threshold = EngagementSettings.current().late_entry_days
    with transaction.atomic():
        log = ContactLog.objects.create(
            happened_on=data.happened_on,
            happened_time=data.happened_time,
            mode=data.mode,
            place=data.place.strip(),
            summary=data.summary.strip(),
            region_id=persons[0].region_id,
            is_late=due.is_late_entry(data.happened_on, entered, threshold),
            created_by=user,
        )
        _name_persons(log, persons)
        log.cadres.set(cadre_ids)
        check_in_scope(ContactLog, user, log.pk, "change")
        record(
            AuditAction.CREATE,
            user=user,
            obj=log,
            detail={"after": snapshot(log), "is_late": log.is_late},
        )
        for prepared in uploads:
            _attach(user, log, prepared, stored)
        by_id = {p.pk: p for p in persons}
        for values in requests:
            _raise_request(user, log, by_id, dict(values))
        refresh_pairings([p.pk for p in persons], cadre_ids)
    return log


def _raise_request(user, log: ContactLog, persons: dict, values: dict):
    """A request raised in a visit is an ordinary request (services.requests owns them)
    pointing back at the log; its person must be one of the log's persons."""
    from tongzhan.engagement.services.requests import RequestError, do_create_request

    person = values.pop("person")
    person = persons.get(getattr(person, "pk", person))
    if person is None:
        raise ContactError({"requests": _("诉求人必须是本次联系的对象之一。")})
    try:
        return do_create_request(
            user, person=person, contact_log=log, raised_on=log.happened_on, **values
        )
    except RequestError as exc:
        raise ContactError({"requests": _("诉求：%(msg)s") % {"msg": exc.message}}) from exc


def do_update_log(user, log: ContactLog, data: LogData, expected_version: int) -> ContactLog:
    """Save an edit only if nobody saved since `expected_version` (else VersionConflict),
    keeping the values before it as a revision. When it was entered and 补录 never change;
    the author stays among the cadres present."""
    kept = Kept(
        author=log.created_by_id,
        persons=person_order(log),
        cadres=tuple(log.cadres.values_list("pk", flat=True)),
    )
    persons, cadre_ids = _clean(user, data, timezone.localdate(), kept)
    with transaction.atomic():
        check_in_scope(ContactLog, user, log.pk, "change")
        current = ContactLog.objects.select_for_update().get(pk=log.pk)
        if current.version != expected_version:
            raise VersionConflict(
                _("此联系记录已被他人修改（当前版本 %(v)s），请刷新后重试。")
                % {"v": current.version}
            )
        before = snapshot(current)
        ContactLogRevision.objects.create(
            log=current, version=current.version, data=before, edited_by=user
        )
        current.happened_on, current.happened_time = data.happened_on, data.happened_time
        current.mode, current.place = data.mode, data.place.strip()
        current.summary, current.region_id = data.summary.strip(), persons[0].region_id
        current.version = F("version") + 1
        current.save()
        _name_persons(current, persons)
        current.cadres.set(cadre_ids)
        check_in_scope(ContactLog, user, current.pk, "change")
        current.refresh_from_db()
        after = snapshot(current)
        record(AuditAction.UPDATE, user=user, obj=current, detail={"changes": _diff(before, after)})
        refresh_pairings(
            {*_ids(before["persons"]), *_ids(after["persons"])},
            {*_ids(before["cadres"]), *cadre_ids},
        )
    return current


def do_delete_log(user, log: ContactLog) -> None:
    """Delete a log (entered by mistake); its files go once the deletion is committed and
    the pairings it counted for are recounted without it."""
    with transaction.atomic():
        check_in_scope(ContactLog, user, log.pk, "change")
        current = ContactLog.objects.select_for_update().get(pk=log.pk)
        before = snapshot(current)
        names = list(current.attachments.values_list("stored_name", flat=True))
        record(AuditAction.DELETE, user=user, obj=current, detail={"before": before})
        current.delete()
        refresh_pairings(_ids(before["persons"]), _ids(before["cadres"]))
        transaction.on_commit(lambda: _delete_files(names))


def do_add_attachment(user, log: ContactLog, prepared: files.Prepared) -> Attachment:
    """Store a checked upload (attachments.prepare) on the log. The file is removed again
    when the write fails."""
    stored: list[str] = []
    try:
        with transaction.atomic():
            check_in_scope(ContactLog, user, log.pk, "change")
            current = ContactLog.objects.select_for_update().get(pk=log.pk)
            attachment = _attach(user, current, prepared, stored)
    except BaseException:
        _delete_files(stored)
        raise
    return attachment


def _attach(user, log: ContactLog, prepared: files.Prepared, stored: list[str]) -> Attachment:
    """Write one attachment inside the caller's transaction; `stored` collects the files
    written, for the caller to remove if the transaction fails."""
    if log.attachments.count() >= files.MAX_PER_LOG:
        raise ContactError(
            {"file": _("每条联系记录最多 %(n)s 个附件。") % {"n": files.MAX_PER_LOG}}
        )
    stored.append(files.save(prepared))
    attachment = Attachment.objects.create(
        log=log,
        stored_name=stored[-1],
        original_name=prepared.original_name,
        content_type=prepared.content_type,
        size=len(prepared.content),
        is_image=prepared.is_image,
        uploaded_by=user,
    )
    detail = {"attachment": attachment.pk, "name": attachment.original_name}
    record(AuditAction.UPDATE, user=user, obj=log, detail=detail)
    return attachment


def _delete_files(names) -> None:
    for name in names:
        files.delete(name)


def do_remove_attachment(user, attachment: Attachment) -> None:
    with transaction.atomic():
        check_in_scope(ContactLog, user, attachment.log_id, "change")
        log = ContactLog.objects.select_for_update().get(pk=attachment.log_id)
        detail = {"attachment_removed": attachment.pk, "name": attachment.original_name}
        record(AuditAction.UPDATE, user=user, obj=log, detail=detail)
        name = attachment.stored_name
        attachment.delete()
        transaction.on_commit(lambda: files.delete(name))

"""The only code that writes persons: one transaction, a scope re-check, an audit row."""

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from tongzhan.audit.models import AuditAction
from tongzhan.audit.services import record
from tongzhan.core.scope import ReadOnly, check_in_scope

from .models import Person, PersonCategory

PLAIN_FIELDS = (
    "name",
    "gender",
    "birth_date",
    "region",
    "status",
    "status_date",
    "ethnicity",
    "political_status",
)


class VersionConflict(Exception):
    """Someone else saved the record after this user opened it."""


def snapshot(person: Person) -> dict:
    """Audit view of a person: plain values, categories, and only a marker for the phone."""
    values = {name: _plain(getattr(person, name)) for name in PLAIN_FIELDS}
    values["categories"] = person.category_codes() if person.pk else []
    values["phone"] = "(已设置)" if person.phone_encrypted else ""
    return values


def _plain(value):
    return getattr(value, "pk", value)


def diff(before: dict, after: dict) -> dict:
    return {
        k: {"before": before.get(k), "after": after[k]} for k in after if before.get(k) != after[k]
    }


def _apply(person: Person, data: dict) -> None:
    for name in PLAIN_FIELDS:
        if name in data:
            setattr(person, name, data[name])
    if "phone" in data:
        person.phone = data["phone"]


def _set_categories(person: Person, codes) -> None:
    person.categories.all().delete()
    PersonCategory.objects.bulk_create(
        [PersonCategory(person=person, category=code) for code in sorted(set(codes))]
    )


def do_create_person(user, data: dict) -> Person:
    with transaction.atomic():
        person = Person(created_by=user)
        _apply(person, data)
        person.save()
        _set_categories(person, data.get("categories", []))
        check_in_scope(Person, user, person.pk, "change")
        record(AuditAction.CREATE, user=user, obj=person, detail={"after": snapshot(person)})
    return person


def do_update_person(user, person: Person, data: dict, expected_version: int) -> Person:
    """Save changes only if nobody saved since `expected_version`; else VersionConflict."""
    with transaction.atomic():
        check_in_scope(Person, user, person.pk, "change")
        current = Person.objects.select_for_update().get(pk=person.pk)
        if current.version != expected_version:
            raise VersionConflict(
                _("此记录已被他人修改（当前版本 %(v)s），请刷新后重试。") % {"v": current.version}
            )
        before = snapshot(current)
        _apply(current, data)
        current.version = F("version") + 1
        current.save()
        if "categories" in data:
            _set_categories(current, data["categories"])
        current.refresh_from_db()
        # The edit must not move the record out of the writer's scope.
        check_in_scope(Person, user, current.pk, "change")
        changes = diff(before, snapshot(current))
        record(AuditAction.UPDATE, user=user, obj=current, detail={"changes": changes})
    return current


def do_delete_person(user, person: Person) -> None:
    with transaction.atomic():
        check_in_scope(Person, user, person.pk, "change")
        before = snapshot(person)
        record(AuditAction.DELETE, user=user, obj=person, detail={"before": before})
        person.delete()


def do_reveal_phone(user, person: Person) -> str:
    """Return the unmasked phone and write the audit row that says who looked."""
    from tongzhan.accounts.roles import UNMASK

    if not user.has_job(UNMASK):
        raise ReadOnly(_("您没有查看完整联系电话的权限。"))
    with transaction.atomic():
        record(AuditAction.UNMASK, user=user, obj=person, detail={"field": "phone"})
    return person.phone

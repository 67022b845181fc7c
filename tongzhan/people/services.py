"""The only code that writes persons: one transaction, a scope re-check, an audit row.

`data` for create/update is a dict of cleaned values: any of PLAIN_FIELDS, plus
"id_number", "phone", "categories" (codes), the line profiles "non_public",
"religious", "overseas" (dicts; None removes), and the child lists "arrangements",
"resume_entries", "relations" (lists of dicts; given = replaced).
"""

from datetime import date

from django.db import models, transaction
from django.db.models import F
from django.http import QueryDict
from django.utils.translation import gettext as _

from tongzhan.audit.models import AuditAction
from tongzhan.audit.services import record
from tongzhan.core.choices import PersonStatus
from tongzhan.core.scope import ReadOnly, check_in_scope
from tongzhan.lib.text import format_list

from . import search
from .models import (
    NonPublicProfile,
    OverseasProfile,
    Person,
    PoliticalArrangement,
    Relation,
    ReligiousProfile,
    ResumeEntry,
    StatusChange,
)

PLAIN_FIELDS = (
    "name",
    "former_name",
    "gender",
    "birth_date",
    "native_place",
    "birthplace",
    "health",
    "email",
    "address",
    "ethnicity",
    "political_status",
    "party_join_date",
    "second_party",
    "non_party_date",
    "religion",
    "education",
    "degree",
    "fulltime_education",
    "fulltime_school",
    "inservice_education",
    "inservice_school",
    "professional_title",
    "work_unit",
    "post",
    "work_start",
    "social_posts",
    "specialty",
    "region",
    "responsible_cadre",
    "is_representative",
    "representative_level",
    "resume",
    "recommendation",
    "notes",
)
PROFILES = {
    "non_public": NonPublicProfile,
    "religious": ReligiousProfile,
    "overseas": OverseasProfile,
}
CHILDREN = {
    "arrangements": PoliticalArrangement,
    "resume_entries": ResumeEntry,
    "relations": Relation,
}


class VersionConflict(Exception):
    """Someone else saved the record after this user opened it."""


class InvalidStatusChange(ValueError):
    """The requested status change is not allowed (same status, or a date in the future)."""


class PersonInUse(ValueError):
    """The record carries work done with the person (contacts, requests …), which deleting
    it would delete or cut from the person; str() is a message for the user."""


# --- audit snapshots ----------------------------------------------------------------------


def snapshot(person: Person) -> dict:
    """Audit view of a person: every plain value, categories, profiles and child rows;
    ID and phone only as their masked forms (never raw in the log)."""
    values = {name: _plain(getattr(person, name)) for name in PLAIN_FIELDS}
    values.update(
        status=person.status,
        status_date=_plain(person.status_date),
        id_number=person.id_number_masked,
        phone=person.phone_masked,
    )
    if person.pk:
        values["categories"] = person.category_codes()
        for name in PROFILES:
            profile = getattr(person, name, None)
            values[name] = _row(profile) if profile else None
        for name in CHILDREN:
            values[name] = [_row(row) for row in getattr(person, name).all()]
    return values


def _row(instance) -> dict:
    skip = {"id", "person"}
    return {
        f.name: _plain(getattr(instance, f.name))
        for f in instance._meta.concrete_fields
        if f.name not in skip
    }


def _plain(value):
    if hasattr(value, "pk"):
        return value.pk
    if isinstance(value, date):
        return value.isoformat()
    if value is not None and not isinstance(value, str | int | bool | float):
        return str(value)  # Decimal
    return value


def diff(before: dict, after: dict) -> dict:
    return {
        k: {"before": before.get(k), "after": after[k]} for k in after if before.get(k) != after[k]
    }


# --- applying cleaned data ------------------------------------------------------------------


def _apply(person: Person, data: dict) -> None:
    for name in PLAIN_FIELDS:
        if name in data:
            setattr(person, name, data[name])
    if "phone" in data:
        person.phone = data["phone"]
    if "id_number" in data:
        person.id_number = data["id_number"]
    person.name_key = search.name_key(person.name)


def _apply_related(person: Person, data: dict) -> None:
    if "categories" in data:
        person.set_categories(data["categories"])
    for name, model in PROFILES.items():
        if name in data:
            model.objects.filter(person=person).delete()
            if data[name]:
                model.objects.create(person=person, **data[name])
    for name, model in CHILDREN.items():
        if name in data:
            model.objects.filter(person=person).delete()
            model.objects.bulk_create([model(person=person, **row) for row in data[name]])


def _fresh(pk: int) -> Person:
    return Person.objects.prefetch_related("categories", *CHILDREN).get(pk=pk)


# --- writers ----------------------------------------------------------------------------------


def do_create_person(user, data: dict) -> Person:
    with transaction.atomic():
        person = Person(created_by=user)
        _apply(person, data)
        person.save()
        _apply_related(person, data)
        search.index_person(person)
        check_in_scope(Person, user, person.pk, "change")
        person = _fresh(person.pk)
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
        before = snapshot(_fresh(current.pk))
        _apply(current, data)
        current.version = F("version") + 1
        current.save()
        _apply_related(current, data)
        if "name" in data or "region" in data:  # the keys carry the region
            search.index_person(current)
        # The edit must not move the record out of the writer's scope.
        check_in_scope(Person, user, current.pk, "change")
        current = _fresh(current.pk)
        changes = diff(before, snapshot(current))
        record(AuditAction.UPDATE, user=user, obj=current, detail={"changes": changes})
    return current


def do_change_status(user, person: Person, new_status: str, when: date, reason: str) -> Person:
    """调出 / 去世 / 退出 / back to 在库: an action with a date and a reason, kept as
    history; a record is never deleted to take it out of the registry."""
    if new_status == person.status:
        raise InvalidStatusChange(_("状态没有变化。"))
    if when > date.today():
        raise InvalidStatusChange(_("日期不能晚于今天。"))
    if not reason.strip():
        raise InvalidStatusChange(_("请填写原因。"))
    with transaction.atomic():
        check_in_scope(Person, user, person.pk, "change")
        current = Person.objects.select_for_update().get(pk=person.pk)
        StatusChange.objects.create(
            person=current,
            old_status=current.status,
            new_status=new_status,
            date=when,
            reason=reason.strip(),
            changed_by=user,
        )
        detail = {
            "status": {"before": current.status, "after": new_status},
            "date": when.isoformat(),
            "reason": reason.strip(),
        }
        current.status = new_status
        current.status_date = None if new_status == PersonStatus.ACTIVE else when
        current.version = F("version") + 1
        current.save(update_fields=["status", "status_date", "version", "updated_at"])
        record(AuditAction.UPDATE, user=user, obj=current, detail=detail)
    return _fresh(person.pk)


def do_delete_person(user, person: Person) -> None:
    """Only for a record entered by mistake; leaving the registry is a status change.

    A record that other work names (contact logs, requests, pairings, memberships, an
    organisation it leads) is refused with PersonInUse: the cascade would delete those
    work records (requests, pairings, memberships) or cut them from the person (a contact
    log, an organisation's 负责人), and the assessment counts them. The row is locked first,
    so that no such row can be added between the count and the delete."""
    with transaction.atomic():
        check_in_scope(Person, user, person.pk, "change")
        Person.objects.select_for_update().filter(pk=person.pk).exists()
        refusal = deletion_refusal(person)
        if refusal:
            raise PersonInUse(refusal)
        before = snapshot(_fresh(person.pk))
        record(AuditAction.DELETE, user=user, obj=person, detail={"before": before})
        person.delete()
        if person.photo:
            from . import photos

            transaction.on_commit(lambda: photos.delete(person.photo))


def linked_work(person: Person) -> list[tuple[str, int]]:
    """(what, how many) of the rows of other apps that name the person: the work done with
    the person. Found through Person._meta as the merge finds what to move (a many-to-many,
    such as a contact log's persons, through its hidden table), so a later app's rows count
    too. The person's own detail rows (categories, profiles, 简历 …) are not work."""
    from .merge import relations

    counts: dict[str, int] = {}
    for rel in relations():
        model = rel.related_model
        owner = model._meta.auto_created or model  # a hidden many-to-many table: its model
        if owner._meta.app_label == Person._meta.app_label:
            continue
        count = model._base_manager.filter(**{rel.field.name: person.pk}).count()
        if count:
            name = str(owner._meta.verbose_name)
            if getattr(rel, "on_delete", None) is models.SET_NULL:
                # A row that only names the person (an organisation's 负责人): say as what.
                name = _("%(what)s（%(as)s）") % {"what": name, "as": rel.field.verbose_name}
            counts[name] = counts.get(name, 0) + count
    return list(counts.items())


def deletion_refusal(person: Person) -> str:
    """Why the record cannot be deleted (the work that names the person), or "" if it can:
    what do_delete_person refuses with, and what the delete page says before it is asked."""
    work = linked_work(person)
    if not work:
        return ""
    found = format_list(_("%(what)s %(n)d 条") % {"what": what, "n": count} for what, count in work)
    return _(
        "此人已有工作记录（%(found)s），不能删除：删除只用于误录的记录。"
        "此人调出、去世或退出时请变更状态；与另一条记录重复时请合并。"
    ) % {"found": found}


def do_set_photo(user, person: Person, photo) -> Person:
    """Store a checked photo (photos.Photo; None removes it) and point the record at it.
    The old file goes once the change is committed; the new one if the change fails."""
    from . import photos

    new_name = photos.save(photo) if photo is not None else ""
    try:
        with transaction.atomic():
            check_in_scope(Person, user, person.pk, "change")
            current = Person.objects.select_for_update().get(pk=person.pk)
            old_name, current.photo = current.photo, new_name
            current.save(update_fields=["photo", "updated_at"])
            detail = {"photo": {"before": old_name, "after": new_name}}
            record(AuditAction.UPDATE, user=user, obj=current, detail=detail)
            if old_name:
                transaction.on_commit(lambda: photos.delete(old_name))
    except BaseException:
        photos.delete(new_name)
        raise
    return current


def do_reveal(user, person: Person, field: str) -> str:
    """Return the unmasked ID number or phone and write the audit row that says who looked."""
    from tongzhan.accounts.roles import UNMASK

    if field not in ("phone", "id_number"):
        raise ValueError(field)
    if not user.has_job(UNMASK):
        raise ReadOnly(_("您没有查看完整信息的权限。"))
    with transaction.atomic():
        record(AuditAction.UNMASK, user=user, obj=person, detail={"field": field})
    return getattr(person, field)


def do_reveal_phone(user, person: Person) -> str:
    return do_reveal(user, person, "phone")


# --- saved filters (a user's own named searches of the person list) --------------------------

MAX_SAVED_FILTERS = 30


class SavedFilterError(ValueError):
    """The filter cannot be saved; the message says why, in the user's language."""


def do_save_filter(user, name: str, query: str):
    """Save `query` (a validated query string) under `name`; the same name is replaced."""
    from .filters import search_kind
    from .models import SavedFilter

    if search_kind(QueryDict(query).get("q", "")) in ("id_number", "phone"):
        # A saved filter is kept in clear text: no ID or phone number may go into it.
        raise SavedFilterError(_("搜索内容是身份证号或电话号码，不能保存为常用筛选。"))
    with transaction.atomic():
        mine = SavedFilter.objects.select_for_update().filter(user=user)
        saved = mine.filter(name=name).first()
        if saved is None:
            if mine.count() >= MAX_SAVED_FILTERS:
                raise SavedFilterError(
                    _("常用筛选最多保存 %(n)s 个，请先删除不用的。") % {"n": MAX_SAVED_FILTERS}
                )
            saved = SavedFilter.objects.create(user=user, name=name, query=query)
            action = AuditAction.CREATE
        else:
            saved.query = query
            saved.save(update_fields=["query"])
            action = AuditAction.UPDATE
        record(action, user=user, obj=saved, detail={"name": name, "query": query})
    return saved


def do_delete_saved_filter(user, saved) -> None:
    if saved.user_id != user.pk:
        raise ReadOnly(_("只能删除自己的常用筛选。"))
    with transaction.atomic():
        record(AuditAction.DELETE, user=user, obj=saved, detail={"name": saved.name})
        saved.delete()

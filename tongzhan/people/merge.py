"""Merging two records of one person: the only writer is do_merge_persons.

Every row that points at the removed record moves to the kept one. Relations are found
through Person._meta (reverse foreign keys, one-to-ones and the hidden tables of
many-to-many fields, of every app), so rows that later apps add — contact logs,
pairings … — move too; a relation that cannot be moved stops the merge (nothing is
written) instead of being dropped by the cascade.
"""

from django.db import models, transaction
from django.db.models import F
from django.dispatch import Signal
from django.utils.translation import gettext as _

from tongzhan.accounts.roles import VIEW_SENSITIVE
from tongzhan.audit.models import AuditAction
from tongzhan.audit.services import record
from tongzhan.core.scope import check_in_scope
from tongzhan.lib.text import format_list

from . import search
from .models import Person, PersonCategory, PersonSearchKey, category_bits
from .services import PLAIN_FIELDS, VersionConflict, _fresh, snapshot

KEEP, REMOVE = "keep", "remove"
# Values copied with their stored columns: the encrypted text, the blind index, the mask.
SECRET_FIELDS = {
    "id_number": ("id_number_encrypted", "id_number_index", "id_number_masked"),
    "phone": ("phone_encrypted", "phone_index", "phone_masked"),
}
# Columns the forms do not set but a merge may take from either record.
OTHER_COLUMNS = ("photo",)
FIELDS = (*PLAIN_FIELDS, *SECRET_FIELDS, *OTHER_COLUMNS)
# Rows of these models are a set per person: a row the kept record already has is dropped.
UNION_MODELS = {PersonCategory}
# Rows derived from the record itself: deleted and written again for the kept record.
REBUILT_MODELS = {PersonSearchKey}


# Sent inside the merge's transaction after every row has moved: kept=Person, removed_id.
person_merged = Signal()


class MergeError(ValueError):
    """The merge cannot be done as asked; str() is a message for the user."""


def relations() -> list:
    """Every relation whose rows point at a Person (reverse FK and one-to-one, including
    the hidden through tables of many-to-many fields)."""
    found = []
    for rel in Person._meta.get_fields(include_hidden=True):
        if rel.auto_created and not rel.concrete and (rel.one_to_many or rel.one_to_one):
            found.append(rel)
        elif rel.is_relation and not rel.concrete and not rel.auto_created:
            # A GenericRelation: its rows name the person by content type and id.
            raise MergeError(
                _("无法合并：%(name)s 的关联方式不支持自动迁移。") % {"name": rel.name}
            )
    return found


def profile_names() -> list[str]:
    """The one-to-one relations (line profiles): when both records have one, the user
    chooses which to keep."""
    return [rel.get_accessor_name() for rel in relations() if rel.one_to_one]


def choosable_fields(user) -> list[str]:
    """Fields whose value the user may choose; sensitive ones only with the field right."""
    sensitive = user.has_job(VIEW_SENSITIVE)
    names = [f for f in FIELDS if sensitive or f not in Person.SENSITIVE_FIELDS]
    return names + profile_names()


def do_merge_persons(user, keep: Person, remove: Person, field_choices: dict, *, versions=None):
    """Merge `remove` into `keep` and delete `remove`, in one transaction.

    field_choices: {field or profile name: "keep" | "remove"}; fields not named keep the
    kept record's value. versions: (keep's, remove's) as the user saw them; by default
    the versions of the instances passed in. Raises MergeError, VersionConflict,
    OutOfScope (either record outside the user's change scope).
    """
    chosen = _check_choices(user, keep, remove, field_choices)
    expected = versions or (keep.version, remove.version)
    with transaction.atomic():
        for person in (keep, remove):
            check_in_scope(Person, user, person.pk, "change")
        current = _lock(keep.pk, remove.pk)
        _check_versions(current, keep.pk, remove.pk, expected)
        before = {"keep": snapshot(_fresh(keep.pk)), "remove": snapshot(_fresh(remove.pk))}
        kept, removed = current[keep.pk], current[remove.pk]
        photos_before = {kept.photo, removed.photo}
        _copy_fields(kept, removed, chosen)
        moved = _move_related(kept, removed, chosen)
        kept.category_bits = category_bits(
            PersonCategory.objects.filter(person=kept).values_list("category", flat=True)
        )
        removed.delete()
        kept.version = F("version") + 1
        kept.save()
        search.index_person(kept)
        # A chosen region must not take the record out of the writer's scope.
        check_in_scope(Person, user, kept.pk, "change")
        kept = _fresh(kept.pk)
        detail = {
            "event": "merge",
            "kept_id": kept.pk,
            "removed_id": remove.pk,
            "choices": chosen,
            "moved": moved,
            "before": before,
            "after": snapshot(kept),
        }
        record(AuditAction.MERGE, user=user, obj=kept, detail=detail)
        # Records kept elsewhere that derive values from the person's rows (a pairing's
        # last contact) bring themselves up to date, inside this transaction.
        person_merged.send(Person, kept=kept, removed_id=remove.pk)
        _drop_photo_files(photos_before - {kept.photo, ""})
    return kept


def _drop_photo_files(names) -> None:
    """The photo file the merged record no longer uses goes once the merge is committed."""
    from . import photos

    for name in names:
        transaction.on_commit(lambda name=name: photos.delete(name))


def _check_choices(user, keep, remove, field_choices: dict) -> dict:
    if keep.pk == remove.pk:
        raise MergeError(_("不能把一条记录与它自己合并。"))
    allowed = set(choosable_fields(user))
    unknown = sorted(set(field_choices) - allowed)
    if unknown:
        raise MergeError(_("无法选择这些字段：%(f)s。") % {"f": format_list(unknown)})
    bad = sorted(k for k, v in field_choices.items() if v not in (KEEP, REMOVE))
    if bad:
        raise MergeError(_("字段取值只能是 keep 或 remove：%(f)s。") % {"f": format_list(bad)})
    return {k: v for k, v in sorted(field_choices.items()) if v == REMOVE}


def _lock(*pks) -> dict[int, Person]:
    # Locked in primary-key order, so two merges of the same pair cannot deadlock.
    rows = Person.objects.select_for_update().filter(pk__in=pks).order_by("pk")
    return {p.pk: p for p in rows}


def _check_versions(current: dict, keep_pk: int, remove_pk: int, expected) -> None:
    for pk, version in zip((keep_pk, remove_pk), expected, strict=True):
        if current[pk].version != int(version):
            raise VersionConflict(
                _("%(name)s 的记录已被他人修改（当前版本 %(v)s），请刷新后重试。")
                % {"name": current[pk].name, "v": current[pk].version}
            )


def _copy_fields(kept: Person, removed: Person, chosen: dict) -> None:
    for name in chosen:
        if name in PLAIN_FIELDS or name in OTHER_COLUMNS:
            columns = (Person._meta.get_field(name).attname,)  # region_id, not a fetch
        else:
            columns = SECRET_FIELDS.get(name, ())  # profiles move with the rows
        for column in columns:
            setattr(kept, column, getattr(removed, column))
    kept.name_key = search.name_key(kept.name)


# --- moving the linked rows --------------------------------------------------------------------


def _move_related(kept: Person, removed: Person, chosen: dict) -> dict[str, int]:
    """Point every row of `removed` at `kept`; returns {model label: rows moved}."""
    moved = {}
    for rel in relations():
        model, fk = rel.related_model, rel.field
        if fk.target_field.name != Person._meta.pk.name:
            raise MergeError(_("无法合并：%(m)s 不是按主键关联的。") % {"m": model._meta.label})
        rows = model._base_manager.filter(**{fk.name: removed})
        if model in REBUILT_MODELS:
            rows.delete()
            continue
        if rel.one_to_one:
            count = _move_one_to_one(rel, kept, rows, chosen)
        else:
            _drop_collisions(model, fk, kept, rows)
            count = rows.update(**{fk.name: kept})
        if count:
            moved[model._meta.label_lower] = count
    return moved


def _move_one_to_one(rel, kept: Person, rows, chosen: dict) -> int:
    """A line profile: when both records have one, the kept record's stays unless the
    user chose the other; the one not chosen is deleted (its values are in the audit row)."""
    model, fk = rel.related_model, rel.field
    if not rows.exists():
        return 0
    existing = model._base_manager.filter(**{fk.name: kept})
    if existing.exists():
        if chosen.get(rel.get_accessor_name()) != REMOVE:
            rows.delete()
            return 0
        existing.delete()
    return rows.update(**{fk.name: kept})


def _drop_collisions(model, fk, kept: Person, rows) -> None:
    """Rows that would break a unique constraint once moved: for set-like models (and the
    tables of many-to-many fields) the kept record's row wins; otherwise the merge stops."""
    for fields, condition in _unique_sets(model, fk):
        others = [f for f in fields if f != fk.name]
        mine = model._base_manager.filter(**{fk.name: kept})
        theirs = rows
        if condition is not None:  # a partial constraint: only the rows it covers clash
            mine, theirs = mine.filter(condition), rows.filter(condition)
        taken = set(mine.values_list(*others))
        clashes = [
            pk for pk, *values in theirs.values_list("pk", *others) if tuple(values) in taken
        ]
        if not clashes:
            continue
        if not _kept_row_wins(model):
            raise MergeError(
                _("无法合并：两条记录在“%(m)s”中有冲突的数据，请先处理。")
                % {"m": model._meta.verbose_name}
            )
        model._base_manager.filter(pk__in=clashes).delete()


def _kept_row_wins(model) -> bool:
    """Set-like rows (categories, the tables of many-to-many fields, and models that say
    so with `merge_keeps_kept_row`, such as a cadre's pairing with the person): when both
    records have one, the kept record's row stays and the other goes."""
    return (
        model in UNION_MODELS
        or model._meta.auto_created
        or getattr(model, "merge_keeps_kept_row", False)
    )


def _unique_sets(model, fk) -> list[tuple[tuple[str, ...], models.Q | None]]:
    """(field names, condition) of each unique rule that includes the foreign key; the
    condition of a partial unique constraint, else None."""
    sets = [
        (tuple(model._meta.get_field(f).name for f in fields), None)
        for fields in model._meta.unique_together
    ]
    for constraint in model._meta.constraints:
        if not isinstance(constraint, models.UniqueConstraint):
            continue
        if constraint.expressions:
            # Which rows such a constraint covers cannot be checked here: stop, loudly.
            raise MergeError(
                _("无法合并：“%(m)s”的唯一约束 %(c)s 无法自动检查。")
                % {"m": model._meta.verbose_name, "c": constraint.name}
            )
        names = tuple(model._meta.get_field(f).name for f in constraint.fields)
        sets.append((names, constraint.condition))
    if fk.unique:
        sets.append(((fk.name,), None))
    return [(fields, condition) for fields, condition in sets if fk.name in fields]

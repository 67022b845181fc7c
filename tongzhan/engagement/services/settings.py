"""Writing the county's engagement settings (补录 threshold, contact intervals, request
deadline), and bringing every open pairing's due date in line with them.

Only county staff set them: a user holding "change" on the whole county (or above) with
no line restriction. A member-unit contact also works county-wide, but on its own lines:
the county's rules are not its to set.
"""

from __future__ import annotations

from collections import defaultdict

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from tongzhan.audit.models import AuditAction
from tongzhan.audit.services import record
from tongzhan.core.choices import Category, RegionLevel
from tongzhan.core.scope import OutOfScope, grants, user_assignments
from tongzhan.engagement import due
from tongzhan.engagement.models import EngagementSettings, Pairing
from tongzhan.people.models import PersonCategory

from .pairings import MAX_INTERVAL, MIN_INTERVAL, VersionConflict

LIMITS = {
    "late_entry_days": (0, 365),
    "default_interval_months": (MIN_INTERVAL, MAX_INTERVAL),
    "request_deadline_days": (1, 365),
}
FIELDS = (*LIMITS, "category_interval_months")
CHUNK = 2000


class SettingsError(ValueError):
    """A setting is out of range; `field` names it."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def can_manage_settings(user) -> bool:
    return any(
        grants(a, "change") and not a.lines and a.region.level <= RegionLevel.COUNTY
        for a in user_assignments(user)
    )


def snapshot(settings: EngagementSettings) -> dict:
    return {name: getattr(settings, name) for name in FIELDS}


def clean_category_months(value) -> dict[str, int]:
    """{category code: months}; blank values dropped, codes and ranges checked."""
    codes = {c.value for c in Category}
    cleaned = {}
    for code, months in (value or {}).items():
        if months in (None, ""):
            continue
        if code not in codes:
            raise SettingsError(
                _("未知的类别代码：%(c)s。") % {"c": code}, "category_interval_months"
            )
        if not isinstance(months, int) or not MIN_INTERVAL <= months <= MAX_INTERVAL:
            raise SettingsError(
                _("%(c)s 的联系周期应在 %(low)d 到 %(high)d 个月之间。")
                % {"c": Category(code).label, "low": MIN_INTERVAL, "high": MAX_INTERVAL},
                "category_interval_months",
            )
        cleaned[code] = months
    return dict(sorted(cleaned.items()))


def _check(data: dict) -> dict:
    values: dict[str, object] = {}
    for name, (low, high) in LIMITS.items():
        if name in data:
            value = data[name]
            if not isinstance(value, int) or not low <= value <= high:
                raise SettingsError(
                    _("应为 %(low)d 到 %(high)d 之间的整数。") % {"low": low, "high": high}, name
                )
            values[name] = value
    if "category_interval_months" in data:
        values["category_interval_months"] = clean_category_months(data["category_interval_months"])
    return values


def do_update_settings(user, data: dict, expected_version: int) -> tuple[EngagementSettings, int]:
    """Save the given settings; returns (settings, how many pairings got a new due date).
    OutOfScope (→404) for anyone but county staff; VersionConflict on a stale version."""
    if not can_manage_settings(user):
        raise OutOfScope("engagement settings")
    values = _check(data)
    with transaction.atomic():
        current = EngagementSettings.current()
        current = EngagementSettings.objects.select_for_update().get(pk=current.pk)
        if current.version != expected_version:
            raise VersionConflict(
                _("设置已被他人修改（当前版本 %(v)s），请刷新后重试。") % {"v": current.version}
            )
        before = snapshot(current)
        for name, value in values.items():
            setattr(current, name, value)
        current.updated_by = user
        current.version = F("version") + 1
        current.save()
        current.refresh_from_db()
        moved = recompute_open_pairings(current)
        changes = {
            k: {"before": before[k], "after": v}
            for k, v in snapshot(current).items()
            if before[k] != v
        }
        record(
            AuditAction.UPDATE,
            user=user,
            obj=current,
            detail={"changes": changes, "pairings_recomputed": moved},
        )
    return current, moved


def recompute_open_pairings(settings: EngagementSettings) -> int:
    """New due dates for the open pairings that follow the county default (those with
    their own interval do not move): one pass over them, written with bulk_update. The
    last contact is already on each row, so no contact log is read."""
    open_default = Pairing.objects.filter(end_date__isnull=True, interval_months__isnull=True)
    categories: dict[int, list[str]] = defaultdict(list)
    rows = PersonCategory.objects.filter(person_id__in=open_default.values("person_id"))
    for person_id, code in rows.values_list("person_id", "category").iterator(chunk_size=CHUNK):
        categories[person_id].append(code)
    changed = []
    fields = ("pk", "person_id", "start_date", "last_contact_on", "next_due_on")
    for pairing in open_default.only(*fields).iterator(chunk_size=CHUNK):
        months = settings.interval_for(categories.get(pairing.person_id, []))
        next_due = due.next_due(pairing.start_date, pairing.last_contact_on, months)
        if next_due != pairing.next_due_on:
            pairing.next_due_on = next_due
            changed.append(pairing)
    Pairing.objects.bulk_update(changed, ["next_due_on"], batch_size=1000)
    return len(changed)

"""Keeping pairings' last contact and next due date true to the contact logs.

A contact counts for a pairing when the log names the paired person and the paired cadre
was present. The last contact is recomputed from the logs (not incremented), so editing
a log's date or deleting it leaves the pairing right.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Max

from tongzhan.engagement import due
from tongzhan.engagement.models import ContactLog, EngagementSettings, Pairing


def effective_interval(pairing: Pairing, settings: EngagementSettings) -> int:
    """The pairing's own interval, else the county default for the person's categories."""
    if pairing.interval_months:
        return pairing.interval_months
    return settings.interval_for(pairing.person.category_codes())


def recompute(pairing: Pairing, settings: EngagementSettings | None = None) -> None:
    """Set last_contact_on and next_due_on from the logs (the caller saves)."""
    settings = settings or EngagementSettings.current()
    last = ContactLog.objects.filter(
        persons=pairing.person_id, cadres=pairing.cadre_id, happened_on__gte=pairing.start_date
    ).aggregate(last=Max("happened_on"))["last"]
    pairing.last_contact_on = last
    pairing.next_due_on = due.next_due(
        pairing.start_date, last, effective_interval(pairing, settings)
    )


def refresh_pairings(person_ids: Iterable[int], cadre_ids: Iterable[int] | None = None) -> int:
    """Recompute the pairings of these persons (with these cadres, when given) after a
    contact log was written, edited or deleted. Returns how many changed."""
    settings = EngagementSettings.current()
    pairings = Pairing.objects.filter(person_id__in=list(person_ids)).select_related("person")
    if cadre_ids is not None:
        pairings = pairings.filter(cadre_id__in=list(cadre_ids))
    changed = 0
    for pairing in pairings.prefetch_related("person__categories"):
        before = (pairing.last_contact_on, pairing.next_due_on)
        recompute(pairing, settings)
        if (pairing.last_contact_on, pairing.next_due_on) != before:
            pairing.save(update_fields=["last_contact_on", "next_due_on"])
            changed += 1
    return changed

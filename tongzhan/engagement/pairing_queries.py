"""Finding pairings for the pages, the API and the ledger: always from
`Pairing.objects.restrict(user, "view")`, then the filter; counts come from one aggregate.

A pairing's state on a day: ended; overdue (the day after its due date); due soon (due
within DUE_SOON_DAYS); or on schedule.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q
from django.utils import timezone

from tongzhan.accounts.models import User
from tongzhan.lib import divisioncode

from . import due
from .models import EngagementSettings, Pairing
from .pairing_forms import STATUS_ALL, STATUS_ENDED, PairingFilterForm

PAGE_SIZE = 50
DUE_SOON_DAYS = 14
ENDED, OVERDUE, DUE_SOON, ON_SCHEDULE = "ended", "overdue", "due_soon", "ok"


def state_of(pairing: Pairing, today: date) -> str:
    if pairing.end_date is not None:
        return ENDED
    if due.is_overdue(pairing.next_due_on, today):
        return OVERDUE
    if pairing.next_due_on <= today + timedelta(days=DUE_SOON_DAYS):
        return DUE_SOON
    return ON_SCHEDULE


def overdue_q(today: date) -> Q:
    return Q(end_date__isnull=True, next_due_on__lt=today)


def decorate(pairings, today: date | None = None, settings=None) -> list[Pairing]:
    """Give each pairing (person categories prefetched) its state and effective interval."""
    today = today or timezone.localdate()
    settings = settings or EngagementSettings.current()
    rows = list(pairings)
    for pairing in rows:
        pairing.state = state_of(pairing, today)
        pairing.effective_interval = pairing.interval_months or settings.interval_for(
            pairing.person.category_codes()
        )
        pairing.uses_default = pairing.interval_months is None
    return rows


def with_rows(queryset):
    return queryset.select_related("person__region", "cadre").prefetch_related("person__categories")


def scope_cadres(user):
    """The cadres of the pairings the user sees: the filter's choices."""
    cadre_ids = Pairing.objects.restrict(user, "view").values("cadre_id")
    return User.objects.filter(pk__in=cadre_ids).order_by("username")


def filter_pairings(queryset, data: dict, today: date, *, user=None, mine: bool = False):
    """Apply the cleaned filter; the overdue toggle last so the counts can skip it."""
    if mine and user is not None:
        queryset = queryset.filter(cadre=user)
    if data.get("cadre"):
        queryset = queryset.filter(cadre_id=data["cadre"])
    if data.get("person"):
        queryset = queryset.filter(person_id=data["person"])
    if data.get("region"):
        low, high = divisioncode.subtree_range(data["region"])
        queryset = queryset.filter(person__region_id__gte=low, person__region_id__lte=high)
    status = data.get("status") or "open"
    if status == STATUS_ENDED:
        queryset = queryset.filter(end_date__isnull=False)
    elif status != STATUS_ALL:
        queryset = queryset.filter(end_date__isnull=True)
    return queryset


def count(queryset, today: date) -> dict[str, int]:
    """Total, overdue and never-contacted (open pairings with no contact yet), one query."""
    return queryset.aggregate(
        total=Count("pk"),
        overdue=Count("pk", filter=overdue_q(today)),
        never=Count("pk", filter=Q(end_date__isnull=True, last_contact_on__isnull=True)),
    )


@dataclass
class PairingResults:
    form: PairingFilterForm
    page: Page | None
    counts: dict = field(default_factory=dict)


def filtered(user, params, *, mine: bool = False, today: date | None = None):
    """(pairings, form, counts): every pairing the list shows for these parameters, in
    order; pairings is None when a parameter is invalid (an export never guesses)."""
    today = today or timezone.localdate()
    form = PairingFilterForm(params, user=user)
    if not form.is_valid():
        return None, form, {}
    data = form.cleaned_data
    pairings = Pairing.objects.restrict(user, "view")
    pairings = filter_pairings(pairings, data, today, user=user, mine=mine)
    counts = count(pairings, today)
    if data.get("overdue"):
        pairings = pairings.filter(overdue_q(today))
    return pairings.order_by("next_due_on", "pk"), form, counts


def find_pairings(user, params, page_number=1, *, mine: bool = False) -> PairingResults:
    today = timezone.localdate()
    pairings, form, counts = filtered(user, params, mine=mine, today=today)
    if pairings is None:
        return PairingResults(form, None)
    paginator = Paginator(with_rows(pairings), PAGE_SIZE)
    paginator.count = counts["overdue"] if form.cleaned_data.get("overdue") else counts["total"]
    page = paginator.get_page(page_number)
    page.object_list = decorate(page.object_list, today)
    return PairingResults(form, page, counts)


def my_pairings(user):
    """The user's own open pairings, in the user's view scope, most urgent first."""
    queryset = Pairing.objects.restrict(user, "view").filter(cadre=user, end_date__isnull=True)
    return with_rows(queryset.order_by("next_due_on", "pk"))

"""Which requests are late: the one place that says what 逾期, 逾期办结 and 即将到期 mean.

Pages, the API, the 诉求办理台账 and the home-page warnings all use these conditions, so a
request is flagged the same way everywhere. The deadline day itself is on time (like a
pairing's due day, due.is_overdue): an open request becomes 逾期 the day after.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Case, CharField, F, Q, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _

from .choices import OPEN_STATES

DUE_SOON_DAYS = 3

OVERDUE, CLOSED_LATE, DUE_SOON = "overdue", "closed_late", "due_soon"
FLAG_LABELS = {
    OVERDUE: _("逾期"),
    CLOSED_LATE: _("逾期办结"),
    DUE_SOON: _("即将到期"),
}
# Tabler badge colour of each flag.
FLAG_BADGES = {OVERDUE: "bg-red-lt", CLOSED_LATE: "bg-orange-lt", DUE_SOON: "bg-yellow-lt"}


def overdue_q(today: date) -> Q:
    """Still open after its deadline."""
    return Q(state__in=OPEN_STATES, deadline__lt=today)


def closed_late_q() -> Q:
    """Closed (办结, or later 回访) after its deadline."""
    return Q(closed_on__isnull=False, closed_on__gt=F("deadline"))


def due_soon_q(today: date) -> Q:
    """Open, deadline today or within the next DUE_SOON_DAYS days."""
    return Q(
        state__in=OPEN_STATES,
        deadline__gte=today,
        deadline__lte=today + timedelta(days=DUE_SOON_DAYS),
    )


FLAG_CONDITIONS = {
    OVERDUE: overdue_q,
    CLOSED_LATE: lambda today: closed_late_q(),
    DUE_SOON: due_soon_q,
}


def flag_q(flag: str, today: date) -> Q:
    """The condition of one flag (a list filter); ValueError for an unknown flag."""
    if flag not in FLAG_CONDITIONS:
        raise ValueError(f"unknown request flag {flag!r}")
    return FLAG_CONDITIONS[flag](today)


def with_flags(queryset: QuerySet, today: date) -> QuerySet:
    """Annotate `flag` ("" when none) in the query itself: no per-row Python."""
    return queryset.annotate(
        flag=Case(
            When(overdue_q(today), then=Value(OVERDUE)),
            When(closed_late_q(), then=Value(CLOSED_LATE)),
            When(due_soon_q(today), then=Value(DUE_SOON)),
            default=Value(""),
            output_field=CharField(),
        )
    )


def flag_of(request, today: date) -> str:
    """The flag of one loaded request, by the same rules as the conditions above."""
    if request.state in OPEN_STATES:
        if request.deadline < today:
            return OVERDUE
        if request.deadline <= today + timedelta(days=DUE_SOON_DAYS):
            return DUE_SOON
        return ""
    if request.closed_on and request.closed_on > request.deadline:
        return CLOSED_LATE
    return ""


def my_open_requests(user):
    """Open requests the user handles or raised, within its view scope (phone pages)."""
    from .models import Request

    return (
        Request.objects.restrict(user, "view")
        .filter(Q(handler=user) | Q(created_by=user), state__in=OPEN_STATES)
        .select_related("person")
        .order_by("deadline", "pk")
    )

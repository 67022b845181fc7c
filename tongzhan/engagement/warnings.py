"""The home page's warnings: overdue pairings, overdue requests, villages without an active
village liaison — each counted within the user's scope, in three or four queries.

Counts go through "aggregate" where the user holds it (upper levels see totals of the
levels below), else through "view" (a village liaison holds only view and record). Only
users who hold "view" get names and links to the lists; an observer gets the totals.
Villages are the business of the 块 (region) roles: a line-restricted member-unit
contact is not told about villages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q
from django.utils import timezone

from tongzhan.core.choices import RegionLevel
from tongzhan.core.scope import grants, user_assignments
from tongzhan.lib import divisioncode

from . import requests_query as rq
from .models import Pairing, Request

LIAISON_ROLE = "village_liaison"
VILLAGE_NAMES = 10  # villages named on the home page; the count covers them all


@dataclass
class Warnings:
    """What the home page warns about, within the user's scope."""

    overdue_pairings: int = 0
    overdue_requests: int = 0
    due_soon_requests: int = 0
    villages_without_liaison: int | None = None  # None: not the user's business
    village_names: list[str] = field(default_factory=list)
    can_open_lists: bool = False

    @property
    def any(self) -> bool:
        return bool(
            self.overdue_pairings
            or self.overdue_requests
            or self.due_soon_requests
            or self.villages_without_liaison
        )


def counting_action(user) -> str | None:
    """ "aggregate" for users who count totals, "view" for those who only see; else None."""
    assignments = user_assignments(user)
    for action in ("aggregate", "view"):
        if any(grants(a, action) for a in assignments):
            return action
    return None


def overdue_pairings_q(today: date) -> Q:
    # The pairing pages' rule (an ended pairing is never overdue), so the card's count
    # matches the list it links to.
    from .pairing_queries import overdue_q

    return overdue_q(today)


def for_user(user, today: date | None = None) -> Warnings | None:
    """The warnings of the user's home page; None when the user has no data scope."""
    action = counting_action(user)
    if action is None:
        return None
    today = today or timezone.localdate()
    result = Warnings(can_open_lists=any(grants(a, "view") for a in user_assignments(user)))
    result.overdue_pairings = (
        Pairing.objects.restrict(user, action).filter(overdue_pairings_q(today)).count()
    )
    requests = Request.objects.restrict(user, action).aggregate(
        overdue=Count("pk", filter=rq.overdue_q(today)),
        due_soon=Count("pk", filter=rq.due_soon_q(today)),
    )
    result.overdue_requests = requests["overdue"]
    result.due_soon_requests = requests["due_soon"]
    villages = villages_without_liaison(user, action)
    if villages is not None:
        result.villages_without_liaison = villages.count()
        if result.can_open_lists and result.villages_without_liaison:
            result.village_names = list(villages.values_list("name", flat=True)[:VILLAGE_NAMES])
    return result


def villages_without_liaison(user, action: str):
    """Villages (村/社区, not retired) in the user's region subtrees with no active liaison
    whose account is active; None for a user holding only line-restricted scopes."""
    from tongzhan.accounts.models import RoleAssignment
    from tongzhan.core.models import Region

    within: Q | None = None
    for assignment in user_assignments(user):
        if grants(assignment, action) and not assignment.lines:
            low, high = divisioncode.subtree_range(assignment.region_id)
            part = Q(code__gte=low, code__lte=high)
            within = part if within is None else within | part
    if within is None:
        return None
    covered = RoleAssignment.objects.filter(
        role=LIAISON_ROLE, active=True, user__is_active=True
    ).values("region_id")
    return (
        Region.objects.filter(within, level=RegionLevel.VILLAGE, retired=False)
        .exclude(code__in=covered)
        .order_by("code")
    )

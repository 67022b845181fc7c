"""Demo 联谊交友 pairings for the 清溪县 demo: each business account befriends a few
党外代表人士 of its own area, some overdue, some never contacted, some due soon, one with
its own monthly interval.

The demo registry (core.demo) has no 党外代表人士, so a few persons of each area are first
made representatives, through the people service (audit rows as in real use). Pairings
are made by the county staff through the pairing service. Call `load(today)` after
core.demo has built regions, accounts and persons, and BEFORE the contact-log demo: a
contact log that names a paired person with the paired cadre present then moves that
pairing's last contact (services.due.refresh_pairings). A second run adds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from tongzhan.core.choices import Category, PersonStatus
from tongzhan.core.demo import COUNTY, TOWNSHIP_A, TOWNSHIP_B, VILLAGE_A1
from tongzhan.lib import divisioncode


@dataclass(frozen=True)
class DemoPairing:
    """One demo pairing: the cadre's username, where its friend lives, and the timing."""

    username: str
    region: str  # the friend is drawn from this subtree
    started_ago: int  # days before today
    interval_months: int | None = None
    level: str = "county"  # the representative level given to the friend
    line: str = ""  # a category the friend must be in (for the line contact)


PLAN = [
    # 村联络员: one friend overdue and never contacted, one recent.
    DemoPairing("village_a", VILLAGE_A1, 200),
    DemoPairing("village_a", VILLAGE_A1, 20),
    # 清溪镇统战委员: overdue, due soon (3 months after ~80 days ago), recent, monthly.
    DemoPairing("town_a", TOWNSHIP_A, 420),
    DemoPairing("town_a", TOWNSHIP_A, 110),
    DemoPairing("town_a", TOWNSHIP_A, 80),
    DemoPairing("town_a", TOWNSHIP_A, 15),
    DemoPairing("town_a", TOWNSHIP_A, 45, interval_months=1),
    # 白石乡统战委员
    DemoPairing("town_b", TOWNSHIP_B, 300),
    DemoPairing("town_b", TOWNSHIP_B, 85),
    DemoPairing("town_b", TOWNSHIP_B, 10),
    # 县统战部干部 and the 工商联 contact: county-wide friends, on their lines.
    DemoPairing("staff", COUNTY, 500, level="city"),
    DemoPairing("staff", COUNTY, 150, level="city"),
    DemoPairing("staff", COUNTY, 30, interval_months=6, level="city"),
    DemoPairing("gsl", COUNTY, 240, line=Category.NON_PUBLIC_ECONOMY),
    DemoPairing("gsl", COUNTY, 60, line=Category.NON_PUBLIC_ECONOMY),
]


def load(today: date) -> int:
    """Create the demo pairings not yet there; returns how many were created."""
    from tongzhan.accounts.models import User
    from tongzhan.engagement.models import Pairing

    users = {u.username: u for u in User.objects.filter(is_demo=True)}
    if "staff" not in users:
        return 0  # no demo accounts: nothing to pair
    if Pairing.objects.filter(created_by=users["staff"], cadre__is_demo=True).exists():
        return 0
    taken: set[int] = set()
    created = 0
    for spec in PLAN:
        cadre = users.get(spec.username)
        person = _friend(cadre, spec, taken) if cadre else None
        if person is None:
            continue
        _pair(users["staff"], cadre, person, spec, today)
        taken.add(person.pk)
        created += 1
    return created


def _friend(cadre, spec: DemoPairing, taken: set[int]):
    """A person of the area the cadre sees, not yet anyone's demo friend: the first by
    name, so every run picks the same. Made a representative if not one already."""
    from tongzhan.people.models import Person

    low, high = divisioncode.subtree_range(spec.region)
    candidates = (
        Person.objects.restrict(cadre, "view")
        .filter(region_id__gte=low, region_id__lte=high, status=PersonStatus.ACTIVE)
        .exclude(pk__in=taken)
        .order_by("-is_representative", "name_pinyin", "pk")
    )
    if spec.line:
        candidates = candidates.filter(categories__category=spec.line)
    person = candidates.first()
    if person is not None and not person.is_representative:
        _make_representative(person, spec.level)
    return person


def _make_representative(person, level: str) -> None:
    from tongzhan.accounts.models import User
    from tongzhan.people.services import do_update_person

    staff = User.objects.get(username="staff", is_demo=True)
    data = {"is_representative": True, "representative_level": level}
    do_update_person(staff, person, data, person.version)
    person.refresh_from_db()


def _pair(staff, cadre, person, spec: DemoPairing, today: date):
    from tongzhan.engagement.services.pairings import do_create_pairing

    return do_create_pairing(
        staff,
        cadre=cadre,
        person=person,
        start_date=today - timedelta(days=spec.started_ago),
        interval_months=spec.interval_months,
        notes="演示数据",
    )

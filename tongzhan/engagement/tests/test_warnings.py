"""Home-page warnings counted within scope: overdue pairings, overdue requests, villages
without an active village liaison."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tongzhan.accounts.models import RoleAssignment, User
from tongzhan.core.models import Region
from tongzhan.engagement import warnings
from tongzhan.engagement.choices import RequestState
from tongzhan.engagement.models import Pairing
from tongzhan.testing import VILLAGE_A1

from .request_factory import make_request


def today():
    return timezone.localdate()


def pairing(world, person, cadre="township_a", due_in=-1, end_in=None):
    return Pairing.objects.create(
        cadre=world.user(cadre),
        person=person,
        start_date=today() - timedelta(days=200),
        next_due_on=today() + timedelta(days=due_in),
        end_date=None if end_in is None else today() + timedelta(days=end_in),
    )


@pytest.fixture
def late_world(world):
    """Overdue: a pairing and a request in A1 and in B1. Not overdue: a pairing due today
    in A2, a pairing that ended yesterday, a request in A2 due tomorrow."""
    staff = world.user("county_staff")
    pairing(world, world.person_a1)
    pairing(world, world.person_b1, cadre="township_b")
    pairing(world, world.person_a2, due_in=0)
    pairing(world, world.person_a1, cadre="county_staff", due_in=-90, end_in=-1)
    long_ago = today() - timedelta(days=60)
    make_request(staff, world.person_a1, RequestState.ASSIGNED, raised_on=long_ago)
    make_request(staff, world.person_b1, RequestState.RECEIVED, raised_on=long_ago)
    make_request(
        staff,
        world.person_a2,
        RequestState.IN_PROGRESS,
        raised_on=today() - timedelta(days=5),
        deadline=today() + timedelta(days=1),
    )
    return world


def counts(user):
    found = warnings.for_user(user)
    return (
        found.overdue_pairings,
        found.overdue_requests,
        found.due_soon_requests,
        found.villages_without_liaison,
    )


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        # A2 (溪口社区) and B1 (白石村) have no liaison; A1 has village_a.
        ("township_a", (1, 1, 1, 1)),
        ("township_b", (1, 1, 0, 1)),
        ("county_staff", (2, 2, 1, 2)),
        ("leader", (2, 2, 1, 2)),
        ("unit_contact", (2, 2, 0, None)),  # its lines only; villages are not its business
        ("village_a", (1, 1, 0, 0)),
    ],
)
def test_each_persona_counts_only_within_its_scope(late_world, persona, expected):
    assert counts(late_world.user(persona)) == expected


def test_an_observer_above_the_county_counts_the_totals_without_links(late_world):
    observer = User.objects.create_user("observer", password=None)
    RoleAssignment.objects.create(user=observer, role="observer", region_id="330500000000")
    found = warnings.for_user(observer)
    assert counts(observer) == (2, 2, 1, 2)
    assert found.can_open_lists is False and found.village_names == []


def test_the_administrators_get_no_warnings(late_world):
    for persona in ("county_admin", "auditor", "security_admin"):
        assert warnings.for_user(late_world.user(persona)) is None


def test_the_township_is_told_which_villages_lack_a_liaison(late_world):
    assert warnings.for_user(late_world.user("township_a")).village_names == ["溪口社区"]


def test_a_village_whose_liaison_left_or_was_disabled_counts_again(late_world):
    liaison = late_world.user("village_a")
    liaison.is_active = False
    liaison.save(update_fields=["is_active"])
    assert counts(late_world.user("township_a"))[3] == 2
    liaison.is_active = True
    liaison.save(update_fields=["is_active"])
    RoleAssignment.objects.filter(user=liaison).update(active=False)
    assert counts(late_world.user("township_a"))[3] == 2


def test_a_retired_village_is_not_counted(late_world):
    Region.objects.filter(code="330599101001").update(retired=True)
    assert counts(late_world.user("township_a"))[3] == 0


def test_an_ended_pairing_and_one_due_today_are_not_overdue(world):
    pairing(world, world.person_a1, due_in=-1, end_in=0)
    pairing(world, world.person_b1, cadre="township_b", due_in=0)
    assert counts(world.user("county_staff"))[0] == 0


def test_an_open_pairing_due_yesterday_is_overdue(world):
    pairing(world, world.person_b1, cadre="township_b", due_in=-1)
    assert counts(world.user("county_staff"))[0] == 1


def test_the_liaisons_own_village_is_not_counted_against_it(world):
    assert RoleAssignment.objects.filter(role="village_liaison", region_id=VILLAGE_A1).exists()
    assert counts(world.user("village_a"))[3] == 0

"""The demo pairings: each business account has friends in its own area, some overdue and
never contacted, some due soon, all with 党外代表人士; a second run adds nothing."""

import pytest
from django.utils import timezone

from tongzhan.accounts.models import User
from tongzhan.core import demo
from tongzhan.engagement import demo_pairings
from tongzhan.engagement.models import Pairing
from tongzhan.engagement.pairing_queries import DUE_SOON, OVERDUE, state_of
from tongzhan.people.models import Person


@pytest.fixture
def demo_world(db, settings):
    settings.DEMO_MODE = True
    demo.build_regions()
    accounts = demo.build_users()
    demo.build_persons({spec.username: user for spec, user, _secret in accounts})
    return demo_pairings.load(timezone.localdate())


def test_every_planned_pairing_is_made_with_a_representative_the_cadre_sees(demo_world):
    assert demo_world == len(demo_pairings.PLAN)
    for pairing in Pairing.objects.select_related("cadre", "person"):
        assert pairing.person.is_representative
        assert Person.objects.restrict(pairing.cadre, "view").filter(pk=pairing.person_id).exists()


def test_the_demo_has_overdue_never_contacted_and_due_soon_pairings(demo_world):
    today = timezone.localdate()
    states = {state_of(p, today) for p in Pairing.objects.all()}
    assert {OVERDUE, DUE_SOON} <= states
    assert Pairing.objects.filter(last_contact_on__isnull=True).exists()


@pytest.mark.parametrize("username", ["staff", "gsl", "town_a", "town_b", "village_a"])
def test_each_business_account_has_an_overdue_friend(demo_world, username):
    today = timezone.localdate()
    mine = Pairing.objects.filter(cadre=User.objects.get(username=username))
    assert any(state_of(p, today) == OVERDUE for p in mine)


def test_loading_the_demo_pairings_twice_adds_nothing(demo_world):
    count = Pairing.objects.count()
    assert demo_pairings.load(timezone.localdate()) == 0
    assert Pairing.objects.count() == count

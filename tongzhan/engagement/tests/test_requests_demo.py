"""The demo requests: every state, some overdue, some closed late, satisfaction at 回访,
warnings on each business role's home page, and a second run adds nothing."""

import pytest
from django.utils import timezone

from tongzhan.accounts.models import User
from tongzhan.core import demo
from tongzhan.engagement import demo_requests, warnings
from tongzhan.engagement import requests_query as rq
from tongzhan.engagement.choices import RequestState
from tongzhan.engagement.models import Request


@pytest.fixture
def demo_world(db, settings):
    settings.DEMO_MODE = True
    demo.build_regions()
    accounts = demo.build_users()
    demo.build_persons({spec.username: user for spec, user, _secret in accounts})
    return demo_requests.load(timezone.localdate())


def test_the_demo_has_requests_in_every_state_with_their_steps(demo_world):
    assert demo_world == len(demo_requests.PLAN)
    states = set(Request.objects.values_list("state", flat=True))
    assert states == set(RequestState.values)
    for request in Request.objects.all():
        assert request.steps.count() == demo_requests.ORDER.index(request.state) + 1
    revisited = Request.objects.filter(state=RequestState.REVISITED)
    assert all(r.satisfaction for r in revisited)


def test_the_demo_has_overdue_and_late_and_due_soon_requests(demo_world):
    today = timezone.localdate()
    for flag in (rq.OVERDUE, rq.CLOSED_LATE, rq.DUE_SOON):
        assert Request.objects.filter(rq.flag_q(flag, today)).exists(), flag


def test_each_business_role_of_the_demo_sees_overdue_requests_at_home(demo_world):
    # One demo world for every role: building it is the slow part.
    for username in ("staff", "leader", "gsl", "town_a", "town_b", "village_a"):
        found = warnings.for_user(User.objects.get(username=username))
        assert found.overdue_requests > 0, username
    assert warnings.for_user(User.objects.get(username="town_a")).villages_without_liaison > 0


def test_loading_the_demo_requests_twice_adds_nothing(demo_world):
    count = Request.objects.count()
    assert demo_requests.load(timezone.localdate()) == 0
    assert Request.objects.count() == count

"""The warnings card on each role's home page: counts within scope, links to the filtered
lists for those who may open them, the phone page for the village liaison, few queries."""

from datetime import timedelta

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from tongzhan.engagement.choices import RequestState
from tongzhan.engagement.tests.request_factory import make_request
from tongzhan.testing import PERSONAS


def _url(name, query=""):
    try:
        return reverse(name) + query
    except NoReverseMatch:
        return ""


@pytest.fixture
def overdue(world):
    long_ago = timezone.localdate() - timedelta(days=60)
    staff = world.user("county_staff")
    make_request(staff, world.person_a1, RequestState.ASSIGNED, raised_on=long_ago)
    make_request(staff, world.person_b1, RequestState.RECEIVED, raised_on=long_ago)
    return world


def card(response) -> str:
    html = response.content.decode()
    assert 'data-testid="warnings"' in html
    return html.split('data-testid="warnings"')[1].split("</div>\n</div>")[0]


@pytest.mark.parametrize(("persona", "count"), [("county_staff", 2), ("township_b", 1)])
def test_the_home_page_counts_overdue_requests_within_scope_with_a_link(
    overdue, as_persona, persona, count
):
    response = as_persona(persona).get("/")
    assert response.context["warnings"]["counts"].overdue_requests == count
    html = card(response)
    assert reverse("engagement:request_list") + "?overdue=1" in html


def test_the_field_roles_get_the_phone_page_link_and_county_staff_do_not(overdue, as_persona):
    phone = _url("engagement:mobile_home")
    assert as_persona("village_a").get("/").context["warnings"]["mobile_url"] == phone
    assert as_persona("township_a").get("/").context["warnings"]["mobile_url"] == phone
    assert as_persona("county_staff").get("/").context["warnings"]["mobile_url"] == ""


def test_the_pairing_link_is_the_overdue_pairing_list_once_that_page_exists(overdue, as_persona):
    expected = _url("engagement:pairing_list", "?overdue=1")
    assert as_persona("township_a").get("/").context["warnings"]["pairings_url"] == expected


@pytest.mark.parametrize("persona", ["county_admin", "auditor", "security_admin"])
def test_administrators_get_no_warnings_card(overdue, as_persona, persona):
    response = as_persona(persona).get("/")
    assert 'data-testid="warnings"' not in response.content.decode()


@pytest.mark.parametrize("persona", sorted(PERSONAS))
def test_the_warnings_keep_the_home_page_within_its_query_bound(
    overdue, as_persona, persona, django_assert_max_num_queries
):
    client = as_persona(persona)
    client.get("/")
    with django_assert_max_num_queries(12):
        assert client.get("/").status_code == 200


def test_the_warnings_cost_the_same_queries_however_many_requests(world, as_persona):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = as_persona("county_staff")
    make_request(world.user("county_staff"), world.person_a1, RequestState.RECEIVED)
    client.get("/")
    with CaptureQueriesContext(connection) as before:
        client.get("/")
    for _n in range(5):
        make_request(world.user("county_staff"), world.person_b1, RequestState.ASSIGNED)
    with CaptureQueriesContext(connection) as after:
        client.get("/")
    assert len(after.captured_queries) == len(before.captured_queries)

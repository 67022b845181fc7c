"""联谊交友 on a phone (375 × 812): a township member opens "my friends", sees the overdue
friend in red, and the unit page with its counts, neither wider than the screen."""

from datetime import timedelta

import pytest
from browsing import PHONE, log_in, no_sideways_scroll
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from tongzhan.engagement.services.pairings import do_create_pairing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_township_member_sees_an_overdue_friend_on_a_phone(page, live_server, world, screenshot):
    person = world.person_a1
    person.is_representative, person.representative_level = True, "county"
    person.save(update_fields=["is_representative", "representative_level"])
    do_create_pairing(
        world.user("county_staff"),
        cadre=world.user("township_a"),
        person=person,
        start_date=timezone.localdate() - timedelta(days=200),
    )
    page.set_viewport_size(PHONE)
    log_in(page, live_server.url, "township_a")

    page.goto(live_server.url + reverse("engagement:pairing_mine"))
    row = page.get_by_test_id("mine-table").locator("tbody tr").first
    expect(row).to_contain_text("张青山")
    expect(row.locator("[data-state=overdue]")).to_be_visible()
    no_sideways_scroll(page)
    screenshot(page, "pairings-mine-phone")

    page.goto(live_server.url + reverse("engagement:pairing_list"))
    expect(page.get_by_test_id("count-overdue")).to_contain_text("逾期 1")
    no_sideways_scroll(page)
    screenshot(page, "pairings-list-phone")
    assert not page.failed_requests

"""联谊交友 on a phone (375 × 812): a township member opens "my friends", sees the overdue
friend in red, and the unit page with its counts, neither wider than the screen."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from tongzhan.engagement.services.pairings import do_create_pairing
from tongzhan.testing import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 375, "height": 812}


def log_in(page, base_url: str, username: str) -> None:
    page.goto(base_url + reverse("accounts:login"))
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(PASSWORD)
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name="登录").click()


def no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width} px wide on a {PHONE['width']} px phone"


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

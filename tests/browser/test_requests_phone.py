"""诉求办理 on a phone (375 × 812): a township member sees the overdue request on the home
page's warnings, follows the link to the filtered list, opens it and assigns it (交办)
with a comment; nothing is wider than the screen."""

from datetime import timedelta

import pytest
from browsing import PHONE, log_in, no_sideways_scroll
from django.utils import timezone
from playwright.sync_api import expect

from tongzhan.engagement.choices import RequestCategory
from tongzhan.engagement.models import Request
from tongzhan.engagement.services.requests import do_create_request

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_township_member_follows_an_overdue_request_from_home_to_assigned(
    page, live_server, world, screenshot
):
    raised = timezone.localdate() - timedelta(days=45)
    request = do_create_request(
        world.user("village_a"),
        person=world.person_a1,
        title="村道路灯维修",
        category=RequestCategory.INFRASTRUCTURE,
        raised_on=raised,
    )
    page.set_viewport_size(PHONE)
    log_in(page, live_server.url, "township_a")

    warning = page.get_by_test_id("warn-requests")
    expect(warning).to_have_text("1")
    no_sideways_scroll(page)
    screenshot(page, "requests-home-warnings-phone")
    with page.expect_navigation(wait_until="load"):
        warning.locator("a").click()
    row = page.get_by_test_id("request-table").locator("tbody tr").first
    expect(row).to_contain_text("村道路灯维修")
    expect(row).to_contain_text("逾期")
    no_sideways_scroll(page)
    screenshot(page, "requests-list-phone")

    with page.expect_navigation(wait_until="load"):
        row.get_by_role("link", name="村道路灯维修").click()
    with page.expect_navigation(wait_until="load"):
        page.get_by_test_id("advance").click()
    page.get_by_label("承办单位").fill("县住建局")
    page.get_by_label("办理意见").fill("请住建局一周内修复")
    no_sideways_scroll(page)
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name="确认交办").click()

    expect(page.get_by_test_id("request-state")).to_have_text("交办")
    expect(page.get_by_test_id("request-steps")).to_contain_text("请住建局一周内修复")
    no_sideways_scroll(page)
    screenshot(page, "requests-detail-phone")
    request.refresh_from_db()
    assert (request.state, request.handling_unit) == ("assigned", "县住建局")
    assert Request.objects.count() == 1
    assert not page.failed_requests

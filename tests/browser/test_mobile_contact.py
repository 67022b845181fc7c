"""A village liaison logs a visit from a phone (375 × 812), as it is done in the field: log in,
open the phone page, find the person by the initials of the name, tap 走访, take a photo,
save, and see the saved log with its photo."""

import re

import pytest
from browsing import PHONE, log_in, no_sideways_scroll
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from tongzhan.engagement.due import add_months
from tongzhan.engagement.models import Attachment, ContactLog, Pairing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_village_liaison_logs_a_visit_with_a_photo_from_a_phone(
    page, live_server, world, screenshot, tmp_path
):
    today = timezone.localdate()
    Pairing.objects.create(  # a friend of the liaison's, three days overdue
        cadre=world.user("village_a"),
        person=world.person_a1,
        start_date=add_months(today, -3) - timezone.timedelta(days=3),
        next_due_on=today - timezone.timedelta(days=3),
    )
    photo = tmp_path / "visit.png"
    Image.new("RGB", (1200, 900), (30, 140, 90)).save(photo)
    page.set_viewport_size(PHONE)
    log_in(page, live_server.url, "village_a")

    page.goto(live_server.url + reverse("engagement:mobile_home"))
    expect(page.get_by_test_id("m-log")).to_be_visible()
    expect(page.get_by_test_id("m-due-item")).to_contain_text("已逾期")
    no_sideways_scroll(page)
    screenshot(page, "mobile-1-home")

    with page.expect_navigation(wait_until="load"):
        page.get_by_test_id("m-log").click()
    page.get_by_test_id("picker-search").fill("zqs")
    result = page.get_by_test_id("picker-result").filter(has_text="张青山")
    expect(result).to_be_visible()
    screenshot(page, "mobile-2-found-by-initials")
    result.click()
    expect(page.get_by_test_id("picker-chosen")).to_contain_text("张青山")
    page.get_by_test_id("mode-buttons").get_by_text("走访").click()
    page.locator("textarea[name=summary]").fill("走访企业，了解用工情况")
    page.get_by_test_id("m-photo").set_input_files(str(photo))
    no_sideways_scroll(page)
    screenshot(page, "mobile-3-filled")

    with page.expect_navigation(wait_until="load"):
        page.get_by_test_id("m-save").click()
    expect(page).to_have_url(re.compile(r"/engagement/m/saved/\d+/$"))
    saved = page.get_by_test_id("m-saved")
    expect(saved).to_contain_text("张青山")
    expect(saved).to_contain_text("走访")
    thumb = page.get_by_test_id("attachment-thumb")
    expect(thumb).to_be_visible()
    page.wait_for_function(
        "document.querySelector('[data-testid=attachment-thumb]').naturalWidth > 0"
    )
    no_sideways_scroll(page)
    screenshot(page, "mobile-4-saved")

    # Back home, the friend just visited is no longer due.
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("link", name="返回工作台").click()
    expect(page.get_by_test_id("m-due-item")).to_have_count(0)

    log = ContactLog.objects.get()
    assert log.mode == "visit" and log.created_by == world.user("village_a")
    assert list(log.persons.all()) == [world.person_a1]
    assert Attachment.objects.get(log=log).is_image
    assert not page.failed_requests, page.failed_requests

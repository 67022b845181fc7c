"""A township member records a 商会 and its 会长 as it is done at a desk: create the
organisation, find the member by the initials of the name, and see the organisation on
the person's page."""

import pytest
from browsing import log_in
from django.urls import reverse
from playwright.sync_api import expect

from tongzhan.orgs.models import Membership, Organisation
from tongzhan.testing import TOWNSHIP_A

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DESKTOP = {"width": 1366, "height": 900}


def test_a_township_member_records_a_chamber_and_its_president(
    page, live_server, world, screenshot
):
    page.set_viewport_size(DESKTOP)
    log_in(page, live_server.url, "township_a")
    page.goto(live_server.url + reverse("orgs:create"))
    form = page.get_by_test_id("org-form")
    form.locator("input[name=name]").fill("清溪镇竹木商会")
    form.locator("select[name=org_type]").select_option("chamber")
    form.locator("select[name=region]").select_option(TOWNSHIP_A)
    form.locator("select[name=chamber_kind]").select_option("trade")
    with page.expect_navigation(wait_until="load"):
        form.get_by_role("button", name="保存").click()
    expect(page.locator("h2.page-title")).to_contain_text("清溪镇竹木商会")
    org = Organisation.objects.get(name="清溪镇竹木商会")
    assert org.region_id == TOWNSHIP_A and org.chamber_kind == "trade"

    with page.expect_navigation(wait_until="load"):
        page.get_by_test_id("add-member").click()
    page.get_by_test_id("search-person").fill("zqs")
    person = page.locator("select[name=person]")
    expect(person.locator("option", has_text="张青山")).to_have_count(1)
    person.select_option(str(world.person_a1.pk))
    page.locator("input[name=role]").fill("会长")
    screenshot(page, "org-add-member")
    with page.expect_navigation(wait_until="load"):
        page.get_by_test_id("membership-form").get_by_role("button", name="保存").click()
    expect(page.get_by_text("会长")).to_be_visible()
    assert Membership.objects.filter(organisation=org, person=world.person_a1, role="会长").exists()

    page.goto(live_server.url + reverse("people:detail", args=[world.person_a1.pk]))
    section = page.get_by_test_id("section-organisations")
    expect(section).to_contain_text("清溪镇竹木商会")
    expect(section).to_contain_text("会长")
    screenshot(page, "org-on-person-page")
    assert not page.failed_requests, page.failed_requests

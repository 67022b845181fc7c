"""Logging in as a person does it, in a real browser: each role lands on its own home page
with its own navigation and only its own slice, on a phone and on a desktop."""

import re

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tongzhan.testing import PASSWORD, PERSONAS

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1366, "height": 900}

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, base_url: str, username: str, password: str = PASSWORD) -> None:
    """Fill the real login form; returns once the page it leads to has loaded."""
    page.goto(base_url + "/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    # Waiting for the load event also waits for Tabler's script, which opens the menus.
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name="登录").click()


def current_totp(user) -> str:
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return str(code).zfill(device.digits)


def assert_styled(page) -> None:
    """Tabler's stylesheet is loaded (served by WhiteNoise under its hashed name)."""
    assert page.evaluate(
        "getComputedStyle(document.documentElement).getPropertyValue('--tblr-primary')"
    ).strip()
    assert not [u for u in page.failed_requests if "/static/" in u], page.failed_requests


def assert_no_sideways_scroll(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_the_village_liaison_logs_in_on_a_phone_and_sees_only_its_village(
    page, live_server, world, screenshot
):
    page.set_viewport_size(PHONE)
    log_in(page, live_server.url, "village_a")

    expect(page).to_have_url(live_server.url + "/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_role("heading", name="您好，village_a")).to_be_visible()
    assert_styled(page)
    assert_no_sideways_scroll(page, PHONE["width"])
    recent = page.get_by_test_id("recent-people")
    expect(recent).to_contain_text("张青山")
    body = page.locator("body")
    expect(body).not_to_contain_text("释明心")
    expect(body).not_to_contain_text("李白石")
    expect(page.get_by_test_id("person-total")).to_have_text("1")
    expect(page.get_by_test_id("my-scope")).to_contain_text("青山村")
    screenshot(page, "village_a-home-375")

    # At 375 px the navigation is folded into the toggler.
    nav = page.get_by_test_id("main-nav")
    expect(nav).to_be_hidden()
    page.get_by_test_id("nav-toggler").click()
    expect(nav).to_be_visible()
    # Bootstrap's collapse animates: wait for it to finish before the screenshot.
    expect(page.locator("#navbar-menu")).to_have_class(re.compile(r"(^|\s)show(\s|$)"))
    expect(nav.get_by_role("link", name="统战对象")).to_be_visible()
    expect(nav).not_to_contain_text("用户管理")
    expect(nav).not_to_contain_text("审计日志")
    screenshot(page, "village_a-menu-375")

    # The user menu holds the account pages and logging out.
    page.get_by_test_id("user-menu").click()
    for item in ("修改密码", "两步验证", "API 令牌"):
        expect(page.get_by_role("link", name=item)).to_be_visible()
    screenshot(page, "village_a-user-menu-375")
    page.get_by_test_id("logout").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def test_the_county_admin_passes_totp_and_sees_the_admin_navigation(
    page, live_server, world, screenshot
):
    page.set_viewport_size(DESKTOP)
    log_in(page, live_server.url, "county_admin")

    verify_url = live_server.url + reverse("accounts:otp_verify")
    expect(page).to_have_url(re.compile("^" + re.escape(verify_url)))
    screenshot(page, "county_admin-otp-verify-1366")
    code_input = page.locator("main form input:visible:not([type=hidden])").first
    code_input.fill(current_totp(world.users["county_admin"]))
    with page.expect_navigation(wait_until="load"):
        page.locator("main form [type=submit]").first.click()

    expect(page).to_have_url(live_server.url + "/")
    assert_styled(page)
    nav = page.get_by_test_id("main-nav")
    expect(nav).to_be_visible()
    for label in ("首页", "用户管理", "行政区划"):
        expect(nav.get_by_role("link", name=label)).to_be_visible()
    for label in ("统战对象", "审计日志", "安全策略"):
        expect(nav).not_to_contain_text(label)
    expect(page.get_by_test_id("active-users")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("张青山")
    screenshot(page, "county_admin-home-1366")


def switch_language(page, name: str) -> None:
    menu = page.get_by_test_id("language-menu")
    menu.get_by_role("button").first.click()
    with page.expect_navigation(wait_until="load"):
        menu.get_by_role("button", name=name).click()


def test_the_language_menu_switches_to_traditional_chinese_and_english(
    page, live_server, world, screenshot
):
    page.set_viewport_size(DESKTOP)
    html = page.locator("html")
    menu = page.get_by_test_id("language-menu")
    # Before logging in: the login page has the menu too.
    page.goto(live_server.url + reverse("accounts:login"))
    expect(html).to_have_attribute("lang", "zh-hans")
    switch_language(page, "繁體中文")
    expect(html).to_have_attribute("lang", "zh-hant")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(menu).to_contain_text("繁體中文")
    screenshot(page, "login-zh-hant-1366")

    # The choice survives logging in, and the navbar's menu switches again.
    page.locator("input[name=username]").fill("township_a")
    page.locator("input[name=password]").fill(PASSWORD)
    with page.expect_navigation(wait_until="load"):
        page.locator("form [type=submit]").first.click()
    expect(page).to_have_url(live_server.url + "/")
    expect(html).to_have_attribute("lang", "zh-hant")
    switch_language(page, "English")
    expect(html).to_have_attribute("lang", "en")
    expect(page).to_have_url(live_server.url + "/")
    expect(menu).to_contain_text("English")
    assert_styled(page)
    screenshot(page, "township_a-home-en-1366")

    # Each language keeps its own name in the menu, whatever the page language.
    menu.get_by_role("button").first.click()
    for name in ("简体中文", "繁體中文", "English"):
        expect(menu.get_by_role("button", name=name, exact=True)).to_be_visible()
    page.goto(live_server.url + "/")
    expect(html).to_have_attribute("lang", "en")


def test_the_auditor_reads_recent_audit_entries_on_a_phone_without_sideways_scrolling(
    page, live_server, world, screenshot
):
    page.set_viewport_size(PHONE)
    log_in(page, live_server.url, "auditor")
    expect(page).to_have_url(re.compile(re.escape(reverse("accounts:otp_verify"))))
    page.locator("main form input:visible:not([type=hidden])").first.fill(
        current_totp(world.users["auditor"])
    )
    with page.expect_navigation(wait_until="load"):
        page.locator("main form [type=submit]").first.click()

    expect(page).to_have_url(live_server.url + "/")
    table = page.get_by_test_id("recent-audit")
    # The auditor's own login is the latest entry.
    expect(table.locator("tbody tr").first).to_contain_text("auditor")
    expect(table.locator("thead")).to_be_hidden()  # rows are stacked as cards
    assert_no_sideways_scroll(page, PHONE["width"])
    expect(page.locator("body")).not_to_contain_text("张青山")
    screenshot(page, "auditor-home-375")


def test_a_wrong_password_shows_the_error_and_stays_on_the_login_page(
    page, live_server, world, screenshot
):
    page.set_viewport_size(PHONE)
    log_in(page, live_server.url, "village_a", password="not-the-password-1")

    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.get_by_role("alert")).to_contain_text("用户名或密码不正确。")
    expect(page.locator("input[name=password]")).to_have_value("")
    assert_styled(page)
    assert_no_sideways_scroll(page, PHONE["width"])
    screenshot(page, "login-wrong-password-375")


def open_as(page, base_url: str, user) -> None:
    """Open the home page with a session made on the server side (the login form itself
    is covered above), as a user who has passed TOTP where its role needs it."""
    from django.conf import settings
    from django.test import Client

    from tongzhan.testing import login_as

    session_key = login_as(Client(), user).session.session_key
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session_key, "url": base_url}]
    )
    page.goto(base_url + "/", wait_until="load")


@pytest.mark.parametrize("persona", sorted(PERSONAS))
def test_every_home_page_fits_a_phone_screen(page, live_server, world, screenshot, persona):
    page.set_viewport_size(PHONE)
    open_as(page, live_server.url, world.users[persona])
    expect(page).to_have_url(live_server.url + "/")
    expect(page.get_by_test_id("my-scope")).to_be_visible()
    assert_styled(page)
    assert_no_sideways_scroll(page, PHONE["width"])
    screenshot(page, f"home-{persona}-375")

"""What the browser tests do alike: log in through the real form, check a phone page."""

from django.urls import reverse

from tongzhan.testing import PASSWORD

PHONE = {"width": 375, "height": 812}


def log_in(page, base_url: str, username: str, password: str = PASSWORD) -> None:
    """Fill the real login form; returns once the page it leads to has loaded (the load
    event also waits for Tabler's script, which opens the menus)."""
    page.goto(base_url + reverse("accounts:login"))
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name="登录").click()


def no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width} px wide on a {PHONE['width']} px phone"

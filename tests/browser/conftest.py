"""Browser tests: Playwright's sync API driving Debian's chromium against pytest-django's
live server. `playwright install` cannot download here, so the system chromium is used,
headless, with a fresh profile in a temporary directory for every run.

Screenshots go to test-artifacts/screenshots/<name>.png (git-ignored).
"""

import os
import tempfile
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("TONGZHAN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
ABORTED = "net::ERR_ABORTED"  # Request.failure when the page itself cancelled the request


def _through(app):
    return app


def _stale_static_files() -> list[str]:
    """Our own static files whose collected copy differs from the source: the browser
    would be testing yesterday's CSS."""
    from django.conf import settings

    stale = []
    for source_dir in settings.STATICFILES_DIRS:
        for source in Path(source_dir, "tongzhan").rglob("*"):
            if source.is_file():
                collected = Path(settings.STATIC_ROOT, source.relative_to(source_dir))
                if not collected.exists() or collected.read_bytes() != source.read_bytes():
                    stale.append(str(source.relative_to(source_dir)))
    return stale


@pytest.fixture(scope="session")
def live_server(request):
    """pytest-django's live server, except that /static/ is left to WhiteNoise (in
    MIDDLEWARE) as in production: the default handler looks files up by their source
    names and so answers 404 for the hashed names the manifest storage puts in pages."""
    from pytest_django.live_server_helper import LiveServer

    stale = _stale_static_files()
    if stale:
        pytest.fail(f"static files not collected, run `make static` first: {stale}")
    server = LiveServer(os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS") or "localhost", start=False)
    server.thread.static_handler = _through
    server.start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _plain_http(settings):
    """The live server speaks plain HTTP: no redirect to https, no Secure-only cookies."""
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False


@pytest.fixture(scope="module")
def browser_context():
    """One headless chromium per test module, with a throw-away profile directory."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"no chromium at {CHROMIUM}: `make system-deps` installs Debian's")
    # Playwright's sync API keeps an event loop on this thread, which makes Django refuse
    # ORM calls from test code ("async context"); the test code is plain sync code.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with (
        tempfile.TemporaryDirectory(prefix="tongzhan-chromium-") as profile,
        sync_playwright() as playwright,
    ):
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            viewport={"width": 1366, "height": 900},
        )
        context.set_default_timeout(10_000)
        try:
            yield context
        finally:
            context.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser_context):
    """A fresh tab with no cookies: each test starts logged out, in the default language."""
    browser_context.clear_cookies()
    tab = browser_context.new_page()
    failed = []
    # A request the page cancels itself is not a failure: htmx aborts a search that a
    # newer keystroke supersedes, and leaving the page aborts what is still loading.
    tab.on("requestfailed", lambda r: None if r.failure == ABORTED else failed.append(r.url))
    tab.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    tab.failed_requests = failed
    yield tab
    tab.close()


@pytest.fixture
def screenshot():
    """screenshot(page, "name") saves test-artifacts/screenshots/name.png (whole page)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def _take(tab, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        tab.screenshot(path=str(path), full_page=True)
        return path

    return _take

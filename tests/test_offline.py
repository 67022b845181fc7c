"""Nothing is loaded from outside the server (issue #2).

The users' intranets have no internet: a stylesheet, script, font or image fetched from a
CDN would leave the page broken (and tell a third party who is working). So every
template, every static file we serve and every setting is scanned for URLs, and the
rendered login page, home page and API docs page must reference only local files.
"""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.urls import reverse
from django.utils.functional import Promise

PACKAGE_DIR = Path(settings.BASE_DIR)
VENDOR_DIR = PACKAGE_DIR / "static" / "vendor"
BINARY_SUFFIXES = {".png", ".ico", ".gif", ".jpg", ".jpeg", ".webp", ".woff", ".woff2", ".ttf"}

URL = re.compile(r"""https?://[^\s"'`()<>\\,;{}|\[\]]+""", re.IGNORECASE)
# XML namespace names are identifiers, never fetched.
NAMESPACES = {
    "http://www.w3.org/2000/svg",
    "http://www.w3.org/1999/xlink",
    "http://www.w3.org/1999/xhtml",
    "http://www.w3.org/2000/xmlns/",
    "http://www.w3.org/XML/1998/namespace",
    "http://www.w3.org/1998/Math/MathML",
}
# URLs in the front-end files `make assets` copies from npm (package-lock.json pins them),
# each reviewed: licence banners and error messages, never fetched. A new URL fails the
# test until someone has looked at it and added it here with the reason.
REFERENCE_URLS = {
    "https://tabler.io": "Tabler's licence banner",
    "https://github.com/tabler/tabler/blob/master/LICENSE": "Tabler's licence banner",
    "https://popper.js.org/docs/v2/": "text of Bootstrap's 'dropdowns require Popper' error",
    "http://www.apache.org/licenses/LICENSE-2.0": "ECharts' licence banner",
    "https://github.com/ecomfe/zrender/blob/master/LICENSE": "ZRender's licence banner",
}

_ABSOLUTE = r"""(?:https?:)?//[^\s"'`()<>\\]+"""
# Places where a browser fetches what follows, whatever the file type: an element that
# loads (not <a>), CSS url() and @import, and the script APIs that fetch or import.
LOAD = re.compile(
    r"""(?ix)
    (?: <(?:link|script|img|iframe|frame|source|track|video|audio|embed|object|image|use|input)
          \b[^>]*?\b(?:src|href|srcset|data|poster|xlink:href)\s*=\s*\\?["']?
      | (?<![\w$.])url\(\s*\\?["']?
      | @import\s+(?:url\()?\s*\\?["']?
      | (?<![\w$.])(?:fetch|importScripts|import|EventSource|Worker|SharedWorker|sendBeacon)
          \s*\(\s*\\?["'`]
      | \bimport\b[^;"'`]{0,200}?\bfrom\s*["']
      | sourceMappingURL=
    )\s*"""
    + f"({_ABSOLUTE})"
)


def urls_in(text: str) -> set[str]:
    """Every http(s) URL in the text, with URL-encoded quotes (data: URIs) cut off."""
    found = set()
    for match in URL.findall(text):
        url = re.split(r"%2[27]|%3[ce]", match, flags=re.IGNORECASE)[0].rstrip(".:")
        found.add(url)
    return found


def foreign(urls: set[str], allowed: set[str] = frozenset()) -> set[str]:
    return {u for u in urls if u.rstrip("/") not in {a.rstrip("/") for a in NAMESPACES | allowed}}


def read_text(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace")


def served_static_files() -> list[tuple[str, Path]]:
    """Every file the static finders serve: ours, the vendor copies and the apps' own."""
    files = []
    for finder in finders.get_finders():
        for name, storage in finder.list(["CVS", ".*", "*~"]):
            path = Path(storage.path(name))
            if path.suffix.lower() not in BINARY_SUFFIXES:
                files.append((name, path))
    return sorted(files)


def our_templates() -> list[Path]:
    return sorted(p for p in PACKAGE_DIR.glob("**/templates/**/*") if p.is_file())


def test_the_scan_sees_every_kind_of_file_it_should():
    names = {name for name, _ in served_static_files()}
    assert {"vendor/tabler/tabler.min.css", "vendor/echarts/echarts.min.js"} <= names
    assert "ninja/swagger-ui-bundle.js" in names
    assert PACKAGE_DIR / "templates" / "base.html" in our_templates()


@pytest.mark.parametrize(
    "snippet",
    [
        # Spelt in two pieces so the repository's own CDN scan does not flag this fixture.
        '<script src="https://' + 'cdn.example.com/htmx.js"></script>',
        "<link rel=stylesheet href='//fonts.example.com/css'>",
        "body { background: url( 'https://img.example.com/a.png') }",
        '@import "https://fonts.example.com/inter.css";',
        'fetch("https://api.example.com/x")',
        'import x from "https://esm.example.com/x.js"',
        "//# sourceMappingURL=https://maps.example.com/a.js.map",
    ],
)
def test_the_load_pattern_catches_each_way_a_browser_fetches(snippet):
    assert LOAD.search(snippet)


@pytest.mark.parametrize(
    "snippet",
    [
        '<a href="https://tabler.io">Tabler</a>',
        "<svg xmlns='http://www.w3.org/2000/svg'></svg>",
        "resolveUrl('http://test.com:{port}', 'path')",
        '<img src="/static/a.png">',
    ],
)
def test_the_load_pattern_leaves_links_namespaces_and_local_files_alone(snippet):
    assert not LOAD.search(snippet)


def test_our_templates_hold_no_url_to_another_server():
    offenders = {
        str(path.relative_to(PACKAGE_DIR)): sorted(found)
        for path in our_templates()
        if (found := foreign(urls_in(read_text(path))) | set(LOAD.findall(read_text(path))))
    }
    assert offenders == {}


def test_our_own_static_files_hold_no_url_to_another_server():
    offenders = {
        name: sorted(found)
        for name, path in served_static_files()
        if path.is_relative_to(PACKAGE_DIR / "static")
        and not path.is_relative_to(VENDOR_DIR)
        and (found := foreign(urls_in(read_text(path))))
    }
    assert offenders == {}


def test_the_vendor_files_hold_only_reviewed_licence_and_message_urls():
    offenders = {
        name: sorted(found)
        for name, path in served_static_files()
        if path.is_relative_to(VENDOR_DIR)
        and path.suffix != ".map"  # source maps: original sources with comments, see below
        and (found := foreign(urls_in(read_text(path)), set(REFERENCE_URLS)))
    }
    assert offenders == {}


def test_no_served_static_file_fetches_from_another_server():
    offenders = {
        name: sorted(set(found))
        for name, path in served_static_files()
        if (found := LOAD.findall(read_text(path)))
    }
    assert offenders == {}


def setting_strings(value) -> list[str]:
    if isinstance(value, str | Promise):
        return [str(value)]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in setting_strings(k) + setting_strings(v)]
    if isinstance(value, list | tuple | set | frozenset):
        return [s for item in value for s in setting_strings(item)]
    return []


def test_no_setting_points_at_another_server():
    # The site's own origins (for CSRF) and host names come from the environment.
    own = {"CSRF_TRUSTED_ORIGINS", "ALLOWED_HOSTS"}
    offenders = {}
    for name in filter(str.isupper, dir(settings)):
        found = foreign(urls_in(" ".join(setting_strings(getattr(settings, name)))))
        if found and name not in own:
            offenders[name] = sorted(found)
    assert offenders == {}


ATTRIBUTE = re.compile(r"""\b(?:src|href|action|srcset|poster|data)\s*=\s*["']([^"']*)["']""")
CSS_URL = re.compile(r"""(?<![\w$.])url\(\s*["']?([^"')]+)""")


def assert_only_local_references(html: str) -> list[str]:
    """Every src/href/url() in the page is local; the static ones exist. Returns them."""
    references = ATTRIBUTE.findall(html) + CSS_URL.findall(html)
    external = [r for r in references if re.match(r"^\s*(?:[a-z][a-z0-9+.-]*:)?//", r, re.I)]
    assert external == []
    assert foreign(urls_in(html)) == set()
    static = [r for r in references if r.startswith(settings.STATIC_URL)]
    missing = [r for r in static if not staticfiles_storage.exists(r[len(settings.STATIC_URL) :])]
    assert missing == []
    return static


@pytest.mark.django_db
def test_the_login_page_loads_only_files_from_this_server(client):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    static = assert_only_local_references(response.content.decode())
    assert any("tabler" in s and s.endswith(".css") for s in static)
    assert any("tabler" in s and s.endswith(".js") for s in static)


def test_a_home_page_loads_only_files_from_this_server(as_persona):
    response = as_persona("county_admin").get(reverse("dashboard:home"))
    assert response.status_code == 200
    assert_only_local_references(response.content.decode())


def test_the_api_docs_page_uses_the_swagger_files_served_here(as_persona):
    response = as_persona("county_staff").get(reverse("api:openapi-view"))
    assert response.status_code == 200
    html = response.content.decode()
    static = assert_only_local_references(html)
    assert any(s.startswith(f"{settings.STATIC_URL}ninja/swagger-ui-bundle") for s in static)
    assert any(
        s.startswith(f"{settings.STATIC_URL}ninja/swagger-ui") and s.endswith(".css")
        for s in static
    )
    swagger = json.loads(re.search(r'id="swagger-settings">(.*?)</script>', html, re.S)[1])
    # Swagger UI's standalone layout shows a badge image from validator.swagger.io
    # unless the validator is switched off.
    validator_off = "validatorUrl" in swagger and swagger["validatorUrl"] in (None, "none")
    assert swagger.get("layout") == "BaseLayout" or validator_off
    assert not re.match(r"^(?:https?:)?//", swagger["url"])

"""Authorization matrix rows for the region pages and the regions API.

The pages are the 系统管理员's job (MANAGE_REGIONS): everyone else gets 404. Regions
are public reference data, so the API answers every signed-in persona alike; there
is no in/out-of-scope split for them.
"""

from django.urls import reverse

from tongzhan.testing import COUNTY, VILLAGE_B1, Case

ADMIN_ONLY = {"county_admin": 200, "anonymous": 302}
EVERY_PERSONA = {"anonymous": 401}


def _page(name, **query):
    def url(w):
        path = reverse(name)
        return path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")

    return url


CASES = [
    Case("core:region_list", "GET", _page("core:region_list"), expect=ADMIN_ONLY, others=404),
    Case(
        "core:region_list",
        "GET",
        _page("core:region_list", code=VILLAGE_B1),
        expect=ADMIN_ONLY,
        others=404,
    ),
    Case(
        "core:region_list",
        "GET",
        _page("core:region_list", q="白石"),
        expect=ADMIN_ONLY,
        others=404,
    ),
    Case("core:region_import", "GET", _page("core:region_import"), expect=ADMIN_ONLY, others=404),
    # An upload without a file: the form comes back with a field error; nothing is written.
    Case(
        "core:region_import",
        "POST",
        _page("core:region_import"),
        data=lambda w: {"step": "upload", "year": "2026"},
        expect=ADMIN_ONLY,
        others=404,
    ),
    # A confirmation without a preview in the session goes back to the upload page.
    Case(
        "core:region_import",
        "POST",
        _page("core:region_import"),
        data=lambda w: {"step": "confirm", "token": "x"},
        expect={"county_admin": 302, "anonymous": 302},
        others=404,
    ),
    Case(
        "GET /api/v1/regions/",
        "GET",
        lambda w: f"/api/v1/regions/?parent={COUNTY}",
        expect=EVERY_PERSONA,
        others=200,
    ),
    Case(
        "GET /api/v1/regions/{code}",
        "GET",
        lambda w: f"/api/v1/regions/{VILLAGE_B1}",
        expect=EVERY_PERSONA,
        others=200,
    ),
    Case(
        "GET /api/v1/regions/{code}",
        "GET",
        lambda w: "/api/v1/regions/330599999999",
        expect=EVERY_PERSONA,
        others=404,
    ),
]

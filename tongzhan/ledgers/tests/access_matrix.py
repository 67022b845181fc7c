"""Authorization matrix rows for the ledgers pages and API (see
tests/test_authorization_matrix.py). Each part appends its rows under its own header.

World: person_a1 in village A1 (非公经济), person_a2 in community A2 (宗教界),
person_b1 in village B1 (非公经济).
"""

from django.urls import reverse

from tongzhan.testing import Case

CASES: list[Case] = []


# --- exports: 名册 (xlsx) and 登记表 (PDF) ----------------------------------------------------
# Only roles with the EXPORT permission (统战部干部, 乡镇统战委员) export; everyone else
# gets 404 on every export URL, and a person outside the exporter's area is 404 too.
EXPORTERS = ("county_staff", "township_a", "township_b")
EXPORT_PAGE = lambda w: reverse("ledgers:export_people")  # noqa: E731


def _exporters(status: int, anonymous: int, who=EXPORTERS) -> dict[str, int]:
    return {**{p: status for p in who}, "anonymous": anonymous}


CASES += [
    Case("ledgers:export_people", "GET", EXPORT_PAGE, expect=_exporters(200, 302), others=404),
    *[
        Case(
            "ledgers:export_people",
            "POST",
            EXPORT_PAGE,
            data=lambda w, d=data: d,
            scope=label,
            expect=_exporters(200, 302),
            others=404,
        )
        for label, data in (
            ("roster", {"kind": "roster"}),
            ("representatives", {"kind": "representatives"}),
            ("roster unmasked", {"kind": "roster", "unmasked": "on"}),
            ("registration batch", {"kind": "registration"}),
        )
    ],
]
_EXPORT_API = "/api/v1/ledgers/exports/"
CASES += [
    Case(
        f"GET {_EXPORT_API}{name}",
        "GET",
        lambda w, n=name, q=query: f"{_EXPORT_API}{n}{q}",
        scope=query,
        expect=_exporters(200, 401),
        others=404,
    )
    for name, query in (
        ("people.xlsx", ""),
        ("people.xlsx", "?unmasked=true"),
        ("representatives.xlsx", ""),
        ("registration.pdf", ""),
    )
]
for _getter, _seers, _scope in (
    (lambda w: w.person_a1.pk, ("county_staff", "township_a"), "A1"),
    (lambda w: w.person_a2.pk, ("county_staff", "township_a"), "A2"),
    (lambda w: w.person_b1.pk, ("county_staff", "township_b"), "B1"),
):
    CASES += [
        Case(
            "ledgers:registration_pdf",
            "GET",
            lambda w, g=_getter: reverse("ledgers:registration_pdf", args=[g(w)]),
            scope=_scope,
            expect=_exporters(200, 302, _seers),
            others=404,
        ),
        Case(
            "GET /api/v1/ledgers/registration/{person_id}.pdf",
            "GET",
            lambda w, g=_getter: f"/api/v1/ledgers/registration/{g(w)}.pdf",
            scope=_scope,
            expect=_exporters(200, 401, _seers),
            others=404,
        ),
    ]


# --- imports: 花名册 upload, preview, confirm, report ------------------------------------------
# Whoever may create persons imports (统战部干部, 成员单位联络人, 乡镇统战委员); everyone else
# gets 404. A job is its uploader's alone: every other persona gets 404 on it.
IMPORTERS = ("county_staff", "unit_contact", "township_a", "township_b")
IMPORT_CSV = "姓名,性别,出生年月,村（社区）,类别\n矩阵甲,男,1970.01,青山村,非公有制经济人士\n"


class _Rewinding:
    """An upload the matrix can post once per persona (the test client reads it each time)."""

    name = "矩阵.csv"

    def read(self, *args) -> bytes:
        return IMPORT_CSV.encode()


def _import_job(w):
    """A checked job of township_a (made once per case, before the personas run)."""
    import tempfile
    from pathlib import Path

    from tongzhan.ledgers.services import run_import

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "矩阵.csv"
        path.write_text(IMPORT_CSV, encoding="utf-8")
        return run_import(path, w.user("township_a"), dry_run=True).job.pk


def _job_page(name):
    return lambda w: reverse(name, args=[_import_job(w)])


def _importers(status: int, anonymous: int) -> dict[str, int]:
    return {**{p: status for p in IMPORTERS}, "anonymous": anonymous}


def _owner(status: int, anonymous: int) -> dict[str, int]:
    return {"township_a": status, "anonymous": anonymous}


CASES += [
    Case(
        "ledgers:import_list",
        "GET",
        lambda w: reverse("ledgers:import_list"),
        expect=_importers(200, 302),
        others=404,
    ),
    Case(
        "ledgers:import_new",
        "GET",
        lambda w: reverse("ledgers:import_new"),
        expect=_importers(200, 302),
        others=404,
    ),
    Case(
        "ledgers:import_new",
        "POST",
        lambda w: reverse("ledgers:import_new"),
        data=lambda w: {"file": _Rewinding()},
        expect=_importers(302, 302),
        others=404,
    ),
    Case(
        "ledgers:import_detail",
        "GET",
        _job_page("ledgers:import_detail"),
        scope="own job",
        expect=_owner(200, 302),
        others=404,
    ),
    # A finished check answers 204 with HX-Refresh (the page reloads itself).
    Case(
        "ledgers:import_progress",
        "GET",
        _job_page("ledgers:import_progress"),
        scope="own job",
        expect=_owner(204, 302),
        others=404,
    ),
    Case(
        "ledgers:import_confirm",
        "POST",
        _job_page("ledgers:import_confirm"),
        scope="own job",
        expect=_owner(302, 302),
        others=404,
    ),
    Case(
        "ledgers:import_discard",
        "POST",
        _job_page("ledgers:import_discard"),
        scope="own job",
        expect=_owner(302, 302),
        others=404,
    ),
    Case(
        "ledgers:import_report",
        "GET",
        _job_page("ledgers:import_report"),
        scope="own job",
        expect=_owner(200, 302),
        others=404,
    ),
]
_IMPORT_API = "/api/v1/ledgers/imports"
CASES += [
    Case(
        f"GET {_IMPORT_API}", "GET", lambda w: _IMPORT_API, expect=_importers(200, 401), others=404
    ),
    Case(
        f"POST {_IMPORT_API}",
        "POST",
        lambda w: _IMPORT_API,
        data=lambda w: {"file": _Rewinding()},
        expect=_importers(201, 401),
        others=404,
    ),
    Case(
        f"GET {_IMPORT_API}/{{job_id}}",
        "GET",
        lambda w: f"{_IMPORT_API}/{_import_job(w)}",
        scope="own job",
        expect=_owner(200, 401),
        others=404,
    ),
    Case(
        f"POST {_IMPORT_API}/{{job_id}}/confirm",
        "POST",
        lambda w: f"{_IMPORT_API}/{_import_job(w)}/confirm",
        scope="own job",
        expect=_owner(202, 401),
        others=404,
    ),
    Case(
        f"POST {_IMPORT_API}/{{job_id}}/discard",
        "POST",
        lambda w: f"{_IMPORT_API}/{_import_job(w)}/discard",
        scope="own job",
        expect=_owner(200, 401),
        others=404,
    ),
    Case(
        f"GET {_IMPORT_API}/{{job_id}}/report",
        "GET",
        lambda w: f"{_IMPORT_API}/{_import_job(w)}/report",
        scope="own job",
        expect=_owner(200, 401),
        others=404,
    ),
]

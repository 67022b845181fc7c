"""Authorization matrix rows for the people pages and API (see tests/test_authorization_matrix.py).

World: person_a1 in village A1 (非公经济), person_a2 in community A2 (宗教界),
person_b1 in village B1 (非公经济). The 工商联 contact's lines are 非公经济 + 新阶层.
"""

from django.urls import reverse

from tongzhan.testing import VILLAGE_A1, Case, change_expect, view_expect
from tongzhan.testing import page_url as _page

ADMINS_404 = {"county_admin": 404, "auditor": 404, "security_admin": 404}


A1 = lambda w: w.person_a1.pk  # noqa: E731
A2 = lambda w: w.person_a2.pk  # noqa: E731
B1 = lambda w: w.person_b1.pk  # noqa: E731

# Who can see each person (200), who can only read it (403 on writes), everyone else 404.
SEES_A1 = {"county_staff", "unit_contact", "township_a", "village_a", "leader"}
SEES_A2 = {"county_staff", "township_a", "leader"}
SEES_B1 = {"county_staff", "unit_contact", "township_b", "leader"}


def person_data(w):
    return {
        "name": "王新",
        "gender": "1",
        "region": VILLAGE_A1,
        "categories": ["06"],
        "status": "active",
        "phone": "13900001111",
        "version": 1,
    }


CASES = [
    Case(
        "people:list",
        "GET",
        _page("people:list"),
        expect={**view_expect(SEES_A1 | SEES_B1)},
        others=404,
    ),
    Case(
        "people:stats",
        "GET",
        _page("people:stats"),
        expect={
            p: 200 for p in ("county_staff", "unit_contact", "township_a", "township_b", "leader")
        }
        | {"anonymous": 302},
        others=404,
    ),
    Case(
        "people:create",
        "GET",
        _page("people:create"),
        expect={p: 200 for p in ("county_staff", "unit_contact", "township_a", "township_b")}
        | {"anonymous": 302},
        others=404,
    ),
    Case(
        "people:create",
        "POST",
        _page("people:create"),
        data=person_data,
        scope="in A1",
        expect={
            "county_staff": 302,
            "unit_contact": 302,
            "township_a": 302,
            "township_b": 200,
            "anonymous": 302,
        },
        others=404,
    ),
]
for name, getter, seers, scope in (
    ("A1", A1, SEES_A1, "in A1"),
    ("A2", A2, SEES_A2, "A2"),
    ("B1", B1, SEES_B1, "B1"),
):
    CASES += [
        Case(
            "people:detail",
            "GET",
            _page("people:detail", getter),
            expect=view_expect(seers),
            others=404,
            scope=scope,
        ),
        Case(
            "people:edit",
            "GET",
            _page("people:edit", getter),
            expect=change_expect(seers),
            others=404,
            scope=scope,
        ),
        Case(
            "people:edit",
            "POST",
            _page("people:edit", getter),
            scope=scope,
            data=lambda w, g=getter: {**person_data(w), "region": _region_of(w, g)},
            expect=change_expect(seers, ok=302),
            others=404,
        ),
        Case(
            "people:delete",
            "GET",
            _page("people:delete", getter),
            expect=change_expect(seers),
            others=404,
            scope=scope,
        ),
        Case(
            "people:delete",
            "POST",
            _page("people:delete", getter),
            expect=change_expect(seers, ok=302),
            others=404,
            scope=scope,
        ),
        Case(
            "people:reveal_phone",
            "POST",
            _page("people:reveal_phone", getter),
            scope=scope,
            expect={
                p: (200 if p in {"county_staff", "township_a", "township_b"} else 403)
                for p in seers
            }
            | {"anonymous": 302},
            others=404,
        ),
    ]


def _region_of(w, getter):
    from tongzhan.people.models import Person

    return Person.objects.get(pk=getter(w)).region_id


# --- API: anonymous gets 401; out of scope 404; read-only 403 ------------------------------
API = "/api/v1/people/"


def api_view(seers):
    return {**{p: 200 for p in seers}, "anonymous": 401}


CASES += [
    Case(
        "GET /api/v1/people/", "GET", lambda w: API, expect=api_view(SEES_A1 | SEES_B1), others=404
    ),
    Case(
        "GET /api/v1/people/stats",
        "GET",
        lambda w: API + "stats",
        expect=api_view({"county_staff", "unit_contact", "township_a", "township_b", "leader"}),
        others=404,
    ),
    Case(
        "POST /api/v1/people/",
        "POST",
        lambda w: API,
        json=True,
        scope="in A1",
        data=lambda w: {k: v for k, v in person_data(w).items() if k != "version"},
        expect={
            "county_staff": 201,
            "unit_contact": 201,
            "township_a": 201,
            "township_b": 422,
            "anonymous": 401,
        },
        others=404,
    ),
]
for getter, seers, scope in ((A1, SEES_A1, "in A1"), (A2, SEES_A2, "A2"), (B1, SEES_B1, "B1")):
    url = lambda w, g=getter, suffix="": f"{API}{g(w)}{suffix}"  # noqa: E731
    CASES += [
        Case(
            "GET /api/v1/people/{person_id}",
            "GET",
            url,
            expect=api_view(seers),
            others=404,
            scope=scope,
        ),
        Case(
            "PATCH /api/v1/people/{person_id}",
            "PATCH",
            url,
            json=True,
            scope=scope,
            data=lambda w: {"version": 1, "name": "改名"},
            expect=change_expect(seers, anonymous=401),
            others=404,
        ),
        Case(
            "DELETE /api/v1/people/{person_id}",
            "DELETE",
            url,
            scope=scope,
            expect=change_expect(seers, ok=204, anonymous=401),
            others=404,
        ),
        Case(
            "POST /api/v1/people/{person_id}/reveal-phone",
            "POST",
            lambda w, g=getter: f"{API}{g(w)}/reveal-phone",
            scope=scope,
            expect={
                p: (200 if p in {"county_staff", "township_a", "township_b"} else 403)
                for p in seers
            }
            | {"anonymous": 401},
            others=404,
        ),
    ]


# --- Find anyone: saved filters (a user's own; another's is 404 like a missing one) -------------
SEES_ANY = SEES_A1 | SEES_B1 | SEES_A2


def _saved_filter_of_township_a(w):
    from tongzhan.people.models import SavedFilter

    saved, _created = SavedFilter.objects.get_or_create(
        user=w.user("township_a"), name="非公人士", defaults={"query": "category=06"}
    )
    return saved.pk


CASES += [
    Case(
        "people:saved_filter_create",
        "POST",
        _page("people:saved_filter_create"),
        data=lambda w: {"name": "白石乡非公", "query": "category=06&region=330599201000"},
        expect={p: 302 for p in SEES_ANY} | {"anonymous": 302},
        others=404,
    ),
    Case(
        "people:saved_filter_delete",
        "POST",
        _page("people:saved_filter_delete", _saved_filter_of_township_a),
        scope="township_a's own",
        expect={"township_a": 302, "anonymous": 302},
        others=404,
    ),
]
CASES += [
    # Filtering on 政治面貌 reveals it: refused (422) to roles without the field permission.
    Case(
        "GET /api/v1/people/",
        "GET",
        lambda w: API + "?political_status=04",
        scope="sensitive filter",
        expect=api_view(SEES_ANY - {"village_a"}) | {"village_a": 422},
        others=404,
    ),
]


# --- dedupe and merge ----------------------------------------------------------------------------
# Merging needs change rights on both records: A1 + A2 (township A) is for the county and
# township A; A1 + B1 (both 非公经济) for the county and the 工商联 contact. Whoever cannot see
# one of the two gets 404; whoever sees both but may only read them, 403.
DEDUPE_VIEWERS = {"county_staff", "unit_contact", "township_a", "township_b", "village_a", "leader"}
MERGE_PAIRS = (
    (A1, A2, "A1+A2", {"county_staff", "township_a"}),
    (A1, B1, "A1+B1", {"county_staff", "unit_contact"}),
)
CASES += [
    Case(
        "people:duplicates",
        "GET",
        _page("people:duplicates"),
        expect=view_expect(DEDUPE_VIEWERS),
        others=404,
    ),
    Case(
        "GET /api/v1/people/duplicates",
        "GET",
        lambda w: API + "duplicates",
        expect=api_view(DEDUPE_VIEWERS),
        others=404,
    ),
]
for keep, remove, scope, mergers in MERGE_PAIRS:
    merge_url = lambda w, k=keep, r=remove: reverse("people:merge", args=[k(w), r(w)])  # noqa: E731
    CASES += [
        Case(
            "people:merge",
            "GET",
            merge_url,
            scope=scope,
            expect={p: 200 for p in mergers} | {"leader": 403, "anonymous": 302},
            others=404,
        ),
        Case(
            "people:merge",
            "POST",
            merge_url,
            scope=scope,
            data=lambda w: {"keep_version": 1, "remove_version": 1},
            expect={p: 302 for p in mergers} | {"leader": 403, "anonymous": 302},
            others=404,
        ),
        Case(
            "POST /api/v1/people/merge",
            "POST",
            lambda w: API + "merge",
            json=True,
            scope=scope,
            data=lambda w, k=keep, r=remove: {
                "keep_id": k(w),
                "remove_id": r(w),
                "keep_version": 1,
                "remove_version": 1,
            },
            expect={p: 200 for p in mergers} | {"leader": 403, "anonymous": 401},
            others=404,
        ),
    ]


# --- full record: status action, photo, ID-number reveal ------------------------------------
UNMASKERS = {"county_staff", "township_a", "township_b"}


def reveal_expect(seers, anonymous):
    return {p: (200 if p in UNMASKERS else 403) for p in seers} | {"anonymous": anonymous}


def status_data(w):
    from datetime import date

    return {"status": "transferred", "date": date.today().isoformat(), "reason": "调往外县"}


def _photo_url(w, getter):
    """The person gets a stored photo first, so that 200 and 404 mean scope, not absence."""
    from tongzhan.people import photos
    from tongzhan.people.models import Person

    name = photos.save(photos.Photo(b"\x89PNG\r\n\x1a\n", "png"))
    Person.objects.filter(pk=getter(w)).update(photo=name)
    return reverse("people:photo_file", args=[getter(w)])


for getter, seers, scope in ((A1, SEES_A1, "in A1"), (A2, SEES_A2, "A2"), (B1, SEES_B1, "B1")):
    CASES += [
        Case(
            "people:status",
            "GET",
            _page("people:status", getter),
            expect=change_expect(seers),
            others=404,
            scope=scope,
        ),
        Case(
            "people:status",
            "POST",
            _page("people:status", getter),
            data=status_data,
            expect=change_expect(seers, ok=302),
            others=404,
            scope=scope,
        ),
        Case(
            "people:reveal_id_number",
            "POST",
            _page("people:reveal_id_number", getter),
            expect=reveal_expect(seers, 302),
            others=404,
            scope=scope,
        ),
        Case(
            "people:photo",
            "GET",
            _page("people:photo", getter),
            expect=change_expect(seers),
            others=404,
            scope=scope,
        ),
        # Without a file: the form answers with its field error (200); no file is written.
        Case(
            "people:photo",
            "POST",
            _page("people:photo", getter),
            data=lambda w: {},
            expect=change_expect(seers),
            others=404,
            scope=scope,
        ),
        Case(
            "people:photo_file",
            "GET",
            lambda w, g=getter: _photo_url(w, g),
            expect=view_expect(seers),
            others=404,
            scope=scope,
        ),
        Case(
            "POST /api/v1/people/{person_id}/status",
            "POST",
            lambda w, g=getter: f"{API}{g(w)}/status",
            json=True,
            data=status_data,
            expect=change_expect(seers, anonymous=401),
            others=404,
            scope=scope,
        ),
        Case(
            "POST /api/v1/people/{person_id}/reveal-id-number",
            "POST",
            lambda w, g=getter: f"{API}{g(w)}/reveal-id-number",
            expect=reveal_expect(seers, 401),
            others=404,
            scope=scope,
        ),
    ]

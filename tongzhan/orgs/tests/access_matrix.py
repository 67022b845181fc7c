"""Authorization matrix rows for the organisation pages and API (tests/test_authorization_matrix.py).

World (created lazily, once per test world): ORG_A1 a 非公企业 in village A1, ORG_A2 a
宗教活动场所 in community A2, ORG_B1 a 商会 in village B1; MEMBER_A1 person_a1 in ORG_A1.
The 工商联 contact (lines 06/07) works on 企业 and 商会, not on venues.
"""

from datetime import date

from django.urls import reverse

from tongzhan.testing import (
    COMMUNITY_A2,
    VILLAGE_A1,
    VILLAGE_B1,
    Case,
    change_expect,
    view_expect,
)
from tongzhan.testing import page_url as _page

ORGS = {
    "A1": ("青山竹木制品有限公司", "enterprise", VILLAGE_A1, {}),
    "A2": ("溪口禅寺", "religious_venue", COMMUNITY_A2, {"religion": "F"}),
    "B1": ("白石乡茶叶商会", "chamber", VILLAGE_B1, {"chamber_kind": "trade"}),
}
SEES = {
    "A1": {"county_staff", "unit_contact", "township_a", "village_a", "leader"},
    "A2": {"county_staff", "township_a", "leader"},
    "B1": {"county_staff", "unit_contact", "township_b", "leader"},
}
VIEWERS = {"county_staff", "unit_contact", "township_a", "township_b", "village_a", "leader"}
CREATORS = {"county_staff", "unit_contact", "township_a", "township_b"}
EXPORTERS = {"county_staff", "township_a", "township_b"}
API = "/api/v1/orgs/"


def org(key):
    """A getter of the organisation's pk; it is created the first time a case asks."""

    def get(w):
        from tongzhan.orgs.models import Organisation

        made = w.__dict__.setdefault("_orgs", {})
        if key not in made:
            name, kind, region, extra = ORGS[key]
            made[key] = Organisation.objects.create(
                name=name, org_type=kind, region_id=region, **extra
            ).pk
        return made[key]

    return get


def member_a1(w):
    from tongzhan.orgs.models import Membership

    made = w.__dict__.setdefault("_orgs", {})
    if "member" not in made:
        made["member"] = Membership.objects.create(
            organisation_id=org("A1")(w), person=w.person_a1, role="会员"
        ).pk
    return made["member"]


def org_data(key, w):
    name, kind, region, extra = ORGS[key]
    return {
        "name": name + "（改）",
        "org_type": kind,
        "region": region,
        "active": "on",
        "version": 1,
        **extra,
    }


def api_org_data(key):
    name, kind, region, extra = ORGS[key]
    return {"name": name, "org_type": kind, "region": region, **extra}


TODAY = date.today().isoformat()

CASES = [
    Case("orgs:list", "GET", _page("orgs:list"), expect=view_expect(VIEWERS), others=404),
    Case("orgs:create", "GET", _page("orgs:create"), expect=view_expect(CREATORS), others=404),
    Case(
        "orgs:create",
        "POST",
        _page("orgs:create"),
        data=lambda w: {**org_data("A1", w), "version": ""},
        scope="in A1",
        # township B's form refuses a region outside its township: the page again (200).
        expect={
            "county_staff": 302,
            "unit_contact": 302,
            "township_a": 302,
            "township_b": 200,
            "anonymous": 302,
        },
        others=404,
    ),
    Case("orgs:import", "GET", _page("orgs:import"), expect=view_expect(CREATORS), others=404),
    # Without a file: the form's field error (200); nothing stored.
    Case(
        "orgs:import",
        "POST",
        _page("orgs:import"),
        data=lambda w: {},
        expect=view_expect(CREATORS),
        others=404,
    ),
    # Nothing uploaded in this session: nothing to confirm (404), for everyone.
    Case(
        "orgs:import_confirm",
        "POST",
        _page("orgs:import_confirm"),
        data=lambda w: {},
        expect={"anonymous": 302},
        others=404,
    ),
    Case(
        "orgs:person_options",
        "GET",
        lambda w: reverse("orgs:person_options") + "?q=zhang",
        expect=view_expect(VIEWERS),
        others=404,
    ),
    Case("orgs:export", "GET", _page("orgs:export"), expect=view_expect(EXPORTERS), others=404),
    Case("GET /api/v1/orgs/", "GET", lambda w: API, expect=view_expect(VIEWERS, 401), others=404),
    Case(
        "GET /api/v1/orgs/export.xlsx",
        "GET",
        lambda w: API + "export.xlsx",
        expect=view_expect(EXPORTERS, 401),
        others=404,
    ),
    Case(
        "POST /api/v1/orgs/",
        "POST",
        lambda w: API,
        json=True,
        data=lambda w: api_org_data("A1"),
        scope="in A1",
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

for key in ("A1", "A2", "B1"):
    getter, seers, scope = org(key), SEES[key], key
    CASES += [
        Case(
            "orgs:detail",
            "GET",
            _page("orgs:detail", getter),
            expect=view_expect(seers),
            others=404,
            scope=scope,
        ),
        Case(
            "orgs:edit",
            "GET",
            _page("orgs:edit", getter),
            expect=change_expect(seers),
            others=404,
            scope=scope,
        ),
        Case(
            "orgs:edit",
            "POST",
            _page("orgs:edit", getter),
            data=lambda w, k=key: org_data(k, w),
            expect=change_expect(seers, ok=302),
            others=404,
            scope=scope,
        ),
        Case(
            "orgs:delete",
            "GET",
            _page("orgs:delete", getter),
            expect=change_expect(seers),
            others=404,
            scope=scope,
        ),
        Case(
            "orgs:delete",
            "POST",
            _page("orgs:delete", getter),
            expect=change_expect(seers, ok=302),
            others=404,
            scope=scope,
        ),
        Case(
            "orgs:membership_add",
            "GET",
            _page("orgs:membership_add", getter),
            expect=change_expect(seers),
            others=404,
            scope=scope,
        ),
        Case(
            "GET /api/v1/orgs/{org_id}",
            "GET",
            lambda w, g=getter: f"{API}{g(w)}",
            expect=view_expect(seers, 401),
            others=404,
            scope=scope,
        ),
        Case(
            "PATCH /api/v1/orgs/{org_id}",
            "PATCH",
            lambda w, g=getter: f"{API}{g(w)}",
            json=True,
            data=lambda w: {"version": 1, "name": "改名"},
            expect=change_expect(seers, anonymous=401),
            others=404,
            scope=scope,
        ),
        Case(
            "DELETE /api/v1/orgs/{org_id}",
            "DELETE",
            lambda w, g=getter: f"{API}{g(w)}",
            expect=change_expect(seers, ok=204, anonymous=401),
            others=404,
            scope=scope,
        ),
        Case(
            "GET /api/v1/orgs/{org_id}/memberships",
            "GET",
            lambda w, g=getter: f"{API}{g(w)}/memberships",
            expect=view_expect(seers, 401),
            others=404,
            scope=scope,
        ),
    ]

# --- memberships: the organisation in change scope AND the person in view scope -----------------
# person_a1 (非公经济, village A1) is seen by the 工商联 contact; person_a2 (宗教界) is not;
# person_b1 is not seen by township A. Read-only users get 403 on the organisation first.
A1 = org("A1")
CASES += [
    Case(
        "orgs:membership_add",
        "POST",
        _page("orgs:membership_add", A1),
        data=lambda w: {
            "person": w.person_a1.pk,
            "role": "理事",
            "start_date": "2020-01-01",
            "end_date": "2021-01-01",
        },
        scope="person in",
        expect=change_expect(SEES["A1"], ok=302),
        others=404,
    ),
    Case(
        "orgs:membership_add",
        "POST",
        _page("orgs:membership_add", A1),
        data=lambda w: {"person": w.person_a2.pk, "role": "顾问"},
        scope="person A2",
        expect={
            "county_staff": 302,
            "township_a": 302,
            "village_a": 403,
            "leader": 403,
            "anonymous": 302,
        },
        others=404,
    ),
    Case(
        "orgs:membership_add",
        "POST",
        _page("orgs:membership_add", A1),
        data=lambda w: {"person": w.person_b1.pk, "role": "会员"},
        scope="person B1",
        expect={
            "county_staff": 302,
            "unit_contact": 302,
            "village_a": 403,
            "leader": 403,
            "anonymous": 302,
        },
        others=404,
    ),
    Case(
        "POST /api/v1/orgs/{org_id}/memberships",
        "POST",
        lambda w: f"{API}{A1(w)}/memberships",
        json=True,
        data=lambda w: {
            "person": w.person_a1.pk,
            "role": "理事",
            "start_date": "2020-01-01",
            "end_date": "2021-01-01",
        },
        scope="person in",
        expect=change_expect(SEES["A1"], ok=201, anonymous=401),
        others=404,
    ),
    Case(
        "POST /api/v1/orgs/{org_id}/memberships",
        "POST",
        lambda w: f"{API}{A1(w)}/memberships",
        json=True,
        data=lambda w: {"person": w.person_a2.pk},
        scope="person A2",
        expect={
            "county_staff": 201,
            "township_a": 201,
            "village_a": 403,
            "leader": 403,
            "anonymous": 401,
        },
        others=404,
    ),
]
for method, name, ok, data in (
    ("GET", "orgs:membership_end", 200, None),
    ("POST", "orgs:membership_end", 302, lambda w: {"end_date": TODAY}),
    ("GET", "orgs:membership_remove", 200, None),
    ("POST", "orgs:membership_remove", 302, None),
):
    CASES.append(
        Case(
            name,
            method,
            _page(name, A1, member_a1),
            data=data,
            scope="A1",
            expect=change_expect(SEES["A1"], ok=ok),
            others=404,
        )
    )
CASES += [
    Case(
        "POST /api/v1/orgs/{org_id}/memberships/{membership_id}/end",
        "POST",
        lambda w: f"{API}{A1(w)}/memberships/{member_a1(w)}/end",
        json=True,
        data=lambda w: {"end_date": TODAY},
        scope="A1",
        expect=change_expect(SEES["A1"], anonymous=401),
        others=404,
    ),
    Case(
        "DELETE /api/v1/orgs/{org_id}/memberships/{membership_id}",
        "DELETE",
        lambda w: f"{API}{A1(w)}/memberships/{member_a1(w)}",
        scope="A1",
        expect=change_expect(SEES["A1"], ok=204, anonymous=401),
        others=404,
    ),
]

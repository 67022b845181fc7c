"""The organisation API: the page's rules over JSON, versions, memberships, export, OpenAPI."""

import json

from tongzhan.api.urls import api
from tongzhan.orgs.models import Membership, Organisation
from tongzhan.testing import COMMUNITY_A2, VILLAGE_A1

from .helpers import make_org, valid_uscc

API = "/api/v1/orgs/"


def send(client, method, url, body=None):
    return getattr(client, method)(
        url, data=json.dumps(body or {}), content_type="application/json"
    )


def test_creating_over_the_api_checks_the_uscc_like_the_page(as_persona):
    client = as_persona("township_a")
    body = {"name": "青山竹木制品有限公司", "org_type": "enterprise", "region": VILLAGE_A1}
    bad = send(client, "post", API, {**body, "uscc": "91330599MA2B3C4D5X"})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["body", "uscc"]
    good = send(client, "post", API, {**body, "uscc": valid_uscc()})
    assert good.status_code == 201 and good.json()["uscc"] == valid_uscc()


def test_a_venue_certificate_that_does_not_match_the_religion_is_a_422(as_persona):
    body = {
        "name": "溪口禅寺",
        "org_type": "religious_venue",
        "region": COMMUNITY_A2,
        "religion": "D",
        "venue_certificate": "宗场证字(浙)F330990001",
    }
    response = send(as_persona("township_a"), "post", API, body)
    assert response.status_code == 422
    assert "不符" in response.json()["detail"][0]["msg"]


def test_a_patch_with_an_old_version_is_a_409(as_persona):
    org = make_org()
    client = as_persona("township_a")
    first = send(client, "patch", f"{API}{org.pk}", {"version": 1, "address": "青山村1号"})
    assert first.status_code == 200 and first.json()["version"] == 2
    second = send(client, "patch", f"{API}{org.pk}", {"version": 1, "address": "青山村2号"})
    assert second.status_code == 409
    org.refresh_from_db()
    assert org.address == "青山村1号"


def test_a_patch_keeps_the_fields_it_does_not_name(world, as_persona):
    org = make_org(uscc=valid_uscc(), leader=world.person_a1)
    response = send(
        as_persona("township_a"), "patch", f"{API}{org.pk}", {"version": 1, "name": "新名"}
    )
    assert response.status_code == 200
    org.refresh_from_db()
    assert (org.name, org.uscc, org.leader_id) == ("新名", valid_uscc(), world.person_a1.pk)


def test_the_list_searches_and_counts_types(as_persona, world):
    make_org()
    make_org("溪口禅寺", "religious_venue", COMMUNITY_A2, religion="F")
    response = as_persona("township_a").get(API, {"q": "禅寺"})
    body = response.json()
    assert [o["name"] for o in body["items"]] == ["溪口禅寺"]
    assert body["type_counts"]["religious_venue"] == 1 and body["count"] == 1
    assert as_persona("township_a").get(API, {"region": "x"}).status_code == 422


def test_a_leader_out_of_the_viewers_scope_is_named_but_not_linked(world, as_persona):
    org = make_org(
        "县新材料商会", "chamber", "330599000000", chamber_kind="trade", leader=world.person_b1
    )
    body = as_persona("county_staff").get(f"{API}{org.pk}").json()
    assert body["leader"] == world.person_b1.pk
    Organisation.objects.filter(pk=org.pk).update(region_id=VILLAGE_A1)
    body = as_persona("township_a").get(f"{API}{org.pk}").json()
    assert body["leader"] is None and body["leader_name"] == "李白石"


def test_memberships_are_added_listed_ended_and_hidden_outside_the_view_scope(world, as_persona):
    org = make_org("县新材料商会", "chamber", "330599000000", chamber_kind="trade")
    staff = as_persona("county_staff")
    added = send(
        staff,
        "post",
        f"{API}{org.pk}/memberships",
        {"person": world.person_a1.pk, "role": "会长", "start_date": "2021-01-01"},
    )
    assert added.status_code == 201
    send(staff, "post", f"{API}{org.pk}/memberships", {"person": world.person_a2.pk})
    listing = as_persona("unit_contact").get(f"{API}{org.pk}/memberships").json()
    assert [m["person_name"] for m in listing["items"]] == ["张青山"] and listing["hidden"] == 1
    mid = added.json()["id"]
    early = send(staff, "post", f"{API}{org.pk}/memberships/{mid}/end", {"end_date": "2020-01-01"})
    assert early.status_code == 422
    ended = send(staff, "post", f"{API}{org.pk}/memberships/{mid}/end", {"end_date": "2024-01-01"})
    assert ended.status_code == 200 and ended.json()["end_date"] == "2024-01-01"
    assert Membership.objects.get(pk=mid).end_date.isoformat() == "2024-01-01"


def test_the_export_downloads_an_xlsx_for_roles_that_export(as_persona, world):
    make_org()
    response = as_persona("township_a").get(API + "export.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert as_persona("unit_contact").get(API + "export.xlsx").status_code == 404


def test_every_operation_is_in_the_openapi_document():
    paths = api.get_openapi_schema()["paths"]
    ops = {f"{m.upper()} {p}" for p, o in paths.items() if p.startswith(API) for m in o}
    assert {
        "GET /api/v1/orgs/",
        "POST /api/v1/orgs/",
        "GET /api/v1/orgs/export.xlsx",
        "GET /api/v1/orgs/{org_id}",
        "PATCH /api/v1/orgs/{org_id}",
        "DELETE /api/v1/orgs/{org_id}",
        "GET /api/v1/orgs/{org_id}/memberships",
        "POST /api/v1/orgs/{org_id}/memberships",
        "POST /api/v1/orgs/{org_id}/memberships/{membership_id}/end",
        "DELETE /api/v1/orgs/{org_id}/memberships/{membership_id}",
    } == ops

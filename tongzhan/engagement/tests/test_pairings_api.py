"""The 联谊交友 API: scope (404 out, 403 read-only), filters, field errors in Chinese,
versions, ending and deleting, the settings, and the OpenAPI document."""

import json
from datetime import date, timedelta

from django.utils import timezone

from tongzhan.api.urls import api
from tongzhan.engagement.models import EngagementSettings, Pairing

from .pairing_factory import contact, pair, represent

API = "/api/v1/engagement/pairings/"


def send(client, url, data, method="post"):
    return getattr(client, method)(url, data=json.dumps(data), content_type="application/json")


def test_the_list_is_the_personas_slice_with_counts(world, as_persona):
    a1 = pair(world, start=timezone.localdate() - timedelta(days=200))
    pair(world, cadre="township_b", person=world.person_b1)
    body = as_persona("township_a").get(API).json()
    assert [p["id"] for p in body["items"]] == [a1.pk]
    assert body["items"][0]["state"] == "overdue" and body["items"][0]["categories"] == ["06"]
    assert body["counts"] == {"total": 1, "overdue": 1, "never": 1}


def test_mine_and_overdue_narrow_the_list(world, as_persona):
    mine = pair(world, cadre="county_staff", start=timezone.localdate() - timedelta(days=200))
    pair(world, start=timezone.localdate())
    client = as_persona("county_staff")
    assert [p["id"] for p in client.get(API, {"mine": "true"}).json()["items"]] == [mine.pk]
    assert [p["id"] for p in client.get(API, {"overdue": "true"}).json()["items"]] == [mine.pk]
    assert client.get(API, {"region": "bad"}).status_code == 422


def test_creating_returns_the_pairing_with_its_due_date(world, as_persona):
    person = represent(world.person_a1)
    data = {"cadre": world.user("village_a").pk, "person": person.pk, "start_date": "2025-11-30"}
    response = send(as_persona("township_a"), API, data)
    assert response.status_code == 201
    body = response.json()
    assert body["next_due_on"] == "2026-02-28" and body["effective_interval_months"] == 3
    assert body["interval_months"] is None and body["last_contact_on"] is None


def test_a_township_member_cannot_pair_another_townships_person(world, as_persona):
    person = represent(world.person_b1)
    data = {"cadre": world.user("county_staff").pk, "person": person.pk, "start_date": "2026-01-01"}
    assert send(as_persona("township_a"), API, data).status_code == 404
    assert not Pairing.objects.exists()


def test_field_errors_name_the_field_in_chinese(world, as_persona):
    client = as_persona("county_staff")
    data = {
        "cadre": world.user("township_a").pk,
        "person": world.person_a1.pk,
        "start_date": "2026-01-01",
    }
    body = send(client, API, data).json()  # not a representative
    assert body["detail"] == [{"loc": ["body", "person"], "msg": "只能与党外代表人士结对。"}]
    represent(world.person_a1)
    body = send(client, API, {**data, "cadre": world.user("township_b").pk}).json()
    assert body["detail"][0]["loc"] == ["body", "cadre"]
    body = send(client, API, {**data, "cadre": world.user("auditor").pk}).json()
    assert body["detail"][0]["loc"] == ["body", "cadre"]  # not a business role
    response = send(client, API, {**data, "start_date": "2026-02-30"})
    assert response.status_code == 422 and "日期" in response.json()["detail"][0]["msg"]
    assert not Pairing.objects.exists()


def test_another_townships_pairing_is_404_and_read_only_roles_get_403(world, as_persona):
    pairing = pair(world)
    assert as_persona("township_b").get(f"{API}{pairing.pk}").status_code == 404
    assert as_persona("village_a").get(f"{API}{pairing.pk}").status_code == 200
    response = send(as_persona("village_a"), f"{API}{pairing.pk}", {"version": 1}, "patch")
    assert response.status_code == 403


def test_an_update_carries_the_version(world, as_persona):
    pairing = pair(world, start=date(2026, 1, 31))
    client, url = as_persona("township_a"), f"{API}{pairing.pk}"
    body = send(client, url, {"version": 1, "interval_months": 1}, "patch").json()
    assert body["next_due_on"] == "2026-02-28" and body["version"] == 2
    assert send(client, url, {"version": 1, "notes": "x"}, "patch").status_code == 409
    response = send(client, url, {"version": 2, "interval_months": 0}, "patch")
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == [
        "body",
        "interval_months",
    ]
    body = send(client, url, {"version": 2, "interval_months": None}, "patch").json()
    assert body["interval_months"] is None and body["next_due_on"] == "2026-04-30"


def test_ending_then_ending_again(world, as_persona):
    pairing = pair(world, start=date(2026, 1, 1))
    client, url = as_persona("county_staff"), f"{API}{pairing.pk}/end"
    body = send(client, url, {"end_date": "2026-03-01", "reason": "干部调离"}).json()
    assert body["state"] == "ended" and body["end_date"] == "2026-03-01"
    response = send(client, url, {"end_date": "2026-03-02", "reason": "再次"})
    assert response.status_code == 422 and "已经结束" in response.json()["detail"][0]["msg"]


def test_delete_is_for_mistakes_only(world, as_persona):
    client = as_persona("county_staff")
    mistaken = pair(world)
    assert client.delete(f"{API}{mistaken.pk}").status_code == 204
    kept = pair(world, start=date(2026, 1, 1))
    contact(kept.person, [kept.cadre], date(2026, 1, 2))
    response = client.delete(f"{API}{kept.pk}")
    assert response.status_code == 409 and "结束结对" in response.json()["detail"]


def test_settings_change_over_the_api_and_report_the_recomputed_pairings(world, as_persona):
    pair(world, start=date(2026, 1, 31))
    client = as_persona("county_staff")
    assert client.get(API + "settings").json()["default_interval_months"] == 3
    body = send(
        client, API + "settings", {"version": 1, "default_interval_months": 1}, "patch"
    ).json()
    assert body["pairings_recomputed"] == 1 and body["version"] == 2
    assert Pairing.objects.get().next_due_on == date(2026, 2, 28)
    response = send(client, API + "settings", {"version": 1, "late_entry_days": 3}, "patch")
    assert response.status_code == 409
    response = send(
        client, API + "settings", {"version": 2, "category_interval_months": {"06": 99}}, "patch"
    )
    assert response.status_code == 422
    assert EngagementSettings.current().category_interval_months == {}


def test_settings_are_404_for_everyone_but_county_staff(as_persona):
    for persona in ("township_a", "unit_contact", "leader", "village_a"):
        assert as_persona(persona).get(API + "settings").status_code == 404


def test_the_operations_are_in_the_openapi_document():
    paths = api.get_openapi_schema()["paths"]
    assert {"get", "post"} <= set(paths[API])
    assert {"get", "patch", "delete"} <= set(paths[API + "{pairing_id}"])
    assert "post" in paths[API + "{pairing_id}/end"]
    assert {"get", "patch"} <= set(paths[API + "settings"])


def test_the_cadre_choices_are_business_users_of_the_area_and_above(world, as_persona):
    names = {c["name"] for c in as_persona("township_a").get(API + "cadres").json()}
    assert {"township_a", "village_a", "county_staff", "leader"} <= names
    assert not names & {"township_b", "auditor", "county_admin", "security_admin"}


def test_the_list_runs_a_bounded_number_of_queries(
    world, as_persona, django_assert_max_num_queries
):
    from tongzhan.core.choices import Category
    from tongzhan.testing import VILLAGE_A1, make_person

    for i in range(30):
        person = make_person(f"代表{i}", VILLAGE_A1, [Category.NON_PUBLIC_ECONOMY])
        pair(world, person=person, start=date(2026, 1, 1))
    client = as_persona("county_staff")
    with django_assert_max_num_queries(12):
        body = client.get(API).json()
    assert body["count"] == 30 and len(body["items"]) == 30

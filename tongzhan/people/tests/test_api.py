"""The people API: scope, validation in Chinese, versions, tokens."""

import json

from tongzhan.accounts.models import ApiToken, token_digest
from tongzhan.testing import VILLAGE_A1, VILLAGE_B1

API = "/api/v1/people/"


def post_json(client, url, data, method="post"):
    return getattr(client, method)(url, data=json.dumps(data), content_type="application/json")


def test_the_list_returns_only_the_personas_slice(as_persona):
    body = as_persona("township_b").get(API).json()
    assert body["count"] == 1 and [p["name"] for p in body["items"]] == ["李白石"]


def test_sensitive_fields_are_null_for_roles_without_the_permission(world, as_persona):
    body = as_persona("village_a").get(f"{API}{world.person_a1.pk}").json()
    assert body["phone_masked"] == "138****5678"
    assert body["ethnicity"] is None and body["political_status"] is None


def test_out_of_scope_is_404_like_missing(world, as_persona):
    client = as_persona("township_a")
    assert client.get(f"{API}{world.person_b1.pk}").status_code == 404
    assert client.get(f"{API}999999").status_code == 404


def test_read_only_roles_get_403_on_writes(world, as_persona):
    response = post_json(
        as_persona("leader"), f"{API}{world.person_a1.pk}", {"version": 1, "name": "x"}, "patch"
    )
    assert response.status_code == 403


def test_invalid_input_gets_chinese_field_errors_and_writes_nothing(world, as_persona):
    response = post_json(
        as_persona("township_a"),
        API,
        {"name": "王", "gender": "7", "region": VILLAGE_A1, "categories": []},
    )
    assert response.status_code == 422
    fields = {e["loc"][-1]: e["msg"] for e in response.json()["detail"]}
    assert "gender" in fields and "categories" in fields
    missing = post_json(as_persona("township_a"), API, {"name": "王"})
    assert missing.status_code == 422
    assert {e["msg"] for e in missing.json()["detail"]} == {"此字段为必填项。"}


def test_create_then_patch_with_version(world, as_persona):
    client = as_persona("township_a")
    created = post_json(
        client,
        API,
        {
            "name": "王新",
            "gender": "2",
            "region": VILLAGE_A1,
            "categories": ["06"],
            "phone": "13900001111",
        },
    )
    assert created.status_code == 201, created.content
    pid = created.json()["id"]
    ok = post_json(client, f"{API}{pid}", {"version": 1, "name": "王新二"}, "patch")
    assert ok.status_code == 200 and ok.json()["version"] == 2
    stale = post_json(client, f"{API}{pid}", {"version": 1, "name": "王新三"}, "patch")
    assert stale.status_code == 409


def test_patch_cannot_move_a_person_out_of_scope(world, as_persona):
    response = post_json(
        as_persona("township_a"),
        f"{API}{world.person_a1.pk}",
        {"version": 1, "region": VILLAGE_B1},
        "patch",
    )
    assert response.status_code == 422


def test_a_bearer_token_authenticates_and_a_revoked_one_does_not(world, client):
    from datetime import timedelta

    from django.utils import timezone

    raw = ApiToken.new_secret()
    token = ApiToken.objects.create(
        user=world.user("township_b"),
        name="对接",
        prefix=raw[:8],
        digest=token_digest(raw),
        expires_at=timezone.now() + timedelta(days=1),
    )
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert client.get(API, **headers).json()["count"] == 1
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    assert client.get(API, **headers).status_code == 401


def test_stats_give_totals_without_names(as_persona):
    body = as_persona("leader").get(f"{API}stats").json()
    rows = {r["region_name"]: r["total"] for r in body[0]["rows"]}
    assert rows == {"清溪镇": 2, "白石乡": 1}
    assert "张青山" not in json.dumps(body, ensure_ascii=False)

"""Bad input to the API gets a clear 4xx, never a 500: every write operation of the
OpenAPI document, with its path filled with real objects, is sent malformed bodies built
from its own schema (wrong types, out-of-range numbers, impossible dates, huge and
control-character strings, nulls, non-objects, broken JSON)."""

import json

import pytest
from django.db import transaction
from django.test import Client

from tongzhan.api.urls import api
from tongzhan.engagement.tests.contact_factory import log_for
from tongzhan.engagement.tests.pairing_factory import pair
from tongzhan.engagement.tests.request_factory import make_request
from tongzhan.orgs.models import Membership
from tongzhan.orgs.tests.helpers import make_org
from tongzhan.testing import login_as

SCHEMA = api.get_openapi_schema()
WRITES = [
    (method.upper(), path, operation)
    for path, operations in SCHEMA["paths"].items()
    for method, operation in operations.items()
    if method in ("post", "put", "patch")
    and "application/json" in operation.get("requestBody", {}).get("content", {})
]


def resolve(schema: dict) -> dict:
    while "$ref" in schema:
        schema = SCHEMA["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    if "anyOf" in schema:  # Optional[X]: the non-null branch
        branches = [s for s in schema["anyOf"] if s.get("type") != "null"]
        return resolve(branches[0]) if branches else schema
    return schema


def wrong_values(prop: dict) -> list:
    kind, fmt = prop.get("type"), prop.get("format")
    if fmt == "date":
        return ["2026-02-30", "yesterday", 20260101]
    if kind == "integer":
        return ["abc", -1, 2**63, 1.5]
    if kind == "number":
        return ["abc", "NaN"]
    if kind == "boolean":
        return ["maybe", 2]
    if kind == "array":
        return ["not a list", [None], [{"x": 1}], list(range(500))]
    if kind == "object":
        return ["not an object", [1]]
    return [12345, "x" * 5000, "\x00\x01", ["list"]]


def bad_bodies(operation: dict) -> list:
    body = resolve(operation["requestBody"]["content"]["application/json"]["schema"])
    props = {name: resolve(p) for name, p in body.get("properties", {}).items()}
    bodies = [{}, [], "text", None, {name: None for name in props}]
    for name, prop in props.items():
        bodies += [{name: value} for value in wrong_values(prop)]
    return bodies


@pytest.fixture
def objects(world):
    staff = world.user("county_staff")
    org = make_org(region="330599101201")
    membership = Membership.objects.create(organisation=org, person=world.person_a1, role="会员")
    return {
        "person_id": world.person_a1.pk,
        "org_id": org.pk,
        "membership_id": membership.pk,
        "pairing_id": pair(world).pk,
        "log_id": log_for(staff, [world.person_a1]).pk,
        "request_id": make_request(staff, world.person_a1).pk,
    }


def fill(path: str, objects: dict) -> str:
    for name, value in objects.items():
        path = path.replace("{" + name + "}", str(value))
    assert "{" not in path, f"no test object for a parameter of {path}"
    return path


@pytest.mark.parametrize(
    ("method", "path", "operation"), WRITES, ids=[f"{m} {p}" for m, p, _ in WRITES]
)
def test_malformed_bodies_get_a_client_error_not_a_server_error(
    world, objects, method, path, operation
):
    client = login_as(Client(raise_request_exception=False), world.user("county_staff"))
    url = fill(path, objects)
    send = getattr(client, method.lower())
    wrong, statuses = [], set()
    for body in [*bad_bodies(operation), "{not json"]:
        data = body if isinstance(body, str) and body == "{not json" else json.dumps(body)
        with transaction.atomic():
            response = send(url, data=data, content_type="application/json")
            transaction.set_rollback(True)
        statuses.add(response.status_code)
        if response.status_code >= 500:
            wrong.append(f"{str(body)[:80]!r}: {response.status_code}")
    assert not wrong, f"{method} {url}: " + "; ".join(wrong)
    # The bodies reached the operation: validation answered (not a login page or a 404).
    assert statuses & {400, 409, 422}, statuses

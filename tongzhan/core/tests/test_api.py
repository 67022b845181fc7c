"""The regions API: public reference data for any signed-in user or token."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tongzhan.accounts.models import ApiToken, token_digest
from tongzhan.core.models import Region
from tongzhan.testing import COUNTY, TOWNSHIP_A, TOWNSHIP_B, VILLAGE_A1

API = "/api/v1/regions/"


@pytest.fixture
def liaison(as_persona):
    # The narrowest persona still reads the whole tree: regions are not scoped data.
    return as_persona("village_a")


def codes(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["code"] for item in response.json()["items"]]


def test_without_a_parent_the_roots_are_listed(liaison):
    assert codes(liaison.get(API)) == ["330000000000"]


def test_with_a_parent_its_children_are_listed(liaison):
    assert codes(liaison.get(API, {"parent": COUNTY})) == [TOWNSHIP_A, TOWNSHIP_B]


def test_a_level_with_a_parent_lists_that_level_anywhere_below_it(liaison):
    assert codes(liaison.get(API, {"parent": COUNTY, "level": 5})) == [
        "330599101001",
        VILLAGE_A1,
        "330599201201",
    ]
    assert codes(liaison.get(API, {"parent": COUNTY, "level": 3})) == []


def test_a_level_alone_lists_that_level_across_the_tree(liaison):
    assert codes(liaison.get(API, {"level": 4})) == [TOWNSHIP_A, TOWNSHIP_B]


def test_retired_regions_are_left_out_unless_asked_for(liaison):
    Region.objects.filter(code=TOWNSHIP_B).update(retired=True, retired_year=2026)
    assert codes(liaison.get(API, {"parent": COUNTY})) == [TOWNSHIP_A]
    assert codes(liaison.get(API, {"parent": COUNTY, "include_retired": "true"})) == [
        TOWNSHIP_A,
        TOWNSHIP_B,
    ]


def test_one_region_carries_its_level_kind_parent_and_classification(liaison):
    Region.objects.filter(code=VILLAGE_A1).update(urban_rural="122")
    response = liaison.get(f"{API}{VILLAGE_A1}")
    assert response.status_code == 200
    assert response.json() == {
        "code": VILLAGE_A1,
        "name": "青山村",
        "level": 5,
        "level_label": "村级",
        "kind": "村",
        "parent": TOWNSHIP_A,
        "urban_rural": "122",
        "urban_rural_label": "镇乡结合区",
        "valid_year": 2026,
        "retired": False,
        "retired_year": None,
    }


@pytest.mark.parametrize("code", ["330599999999", "nonsense", "330599301000"])
def test_an_unknown_or_malformed_code_is_not_found(liaison, code):
    assert liaison.get(f"{API}{code}").status_code == 404


def test_an_unknown_parent_is_not_found(liaison):
    assert liaison.get(API, {"parent": "330599301000"}).status_code == 404


def test_a_malformed_parent_gets_a_field_error_in_chinese(liaison):
    response = liaison.get(API, {"parent": "3305"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "parent"]
    assert "12 位" in response.json()["detail"][0]["msg"]


def test_a_level_outside_one_to_five_is_refused(liaison):
    assert liaison.get(API, {"level": 6}).status_code == 422


def test_a_long_list_is_paged(liaison, world):
    for n in range(1, 251):
        Region(code=f"330599101{n + 201:03d}", name=f"测试村{n}", valid_year=2026).save()
    first = liaison.get(API, {"parent": TOWNSHIP_A}).json()
    assert (first["count"], first["pages"], len(first["items"])) == (252, 2, 200)
    second = liaison.get(API, {"parent": TOWNSHIP_A, "page": 2}).json()
    assert len(second["items"]) == 52


def test_anonymous_callers_get_401(world):
    assert Client().get(API).status_code == 401
    assert Client().get(f"{API}{COUNTY}").status_code == 401


def test_a_bearer_token_reads_regions(world):
    secret = ApiToken.new_secret()
    ApiToken.objects.create(
        user=world.user("county_staff"),
        name="对接系统",
        prefix=secret[:8],
        digest=token_digest(secret),
        expires_at=timezone.now() + timedelta(days=1),
    )
    response = Client().get(f"{API}{COUNTY}", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200 and response.json()["name"] == "清溪县"

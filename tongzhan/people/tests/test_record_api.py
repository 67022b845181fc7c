"""The full record over the API: masking per role, the same rules as the form, status
changes, the ID-number reveal."""

import json
from datetime import date

import pytest

from tongzhan.audit.models import AuditAction, AuditEntry
from tongzhan.core.choices import Category, Religion
from tongzhan.people.models import PoliticalArrangement, ReligiousProfile
from tongzhan.testing import VILLAGE_A1, make_person

API = "/api/v1/people/"
ID_NUMBER = "330599197503011236"


def send(client, url, data, method="post"):
    return getattr(client, method)(url, data=json.dumps(data), content_type="application/json")


def error_places(response) -> dict:
    assert response.status_code == 422, response.content
    return {tuple(e["loc"][1:]): e["msg"] for e in response.json()["detail"]}


def new_person(**extra) -> dict:
    return {"name": "王竹青", "region": VILLAGE_A1, "categories": ["06"], **extra}


@pytest.fixture
def monk(world):
    """A 宗教界人士 in village A1 with an ID number, a profile, a 政治安排."""
    person = make_person(
        "释空明", VILLAGE_A1, [Category.RELIGIOUS], religion=Religion.BUDDHISM, phone="13812340000"
    )
    person.id_number = ID_NUMBER
    person.ethnicity = "01"
    person.save()
    ReligiousProfile.objects.create(person=person, religion=Religion.BUDDHISM, venue="青山寺")
    PoliticalArrangement.objects.create(person=person, kind="cppcc", level="county", term="十届")
    return person


# --- reading ------------------------------------------------------------------------------------


def test_the_full_record_comes_with_profiles_rows_and_history_but_masked(monk, as_persona):
    body = as_persona("township_a").get(f"{API}{monk.pk}").json()
    assert body["id_number_masked"] == "330599********1236"
    assert body["phone_masked"] == "138****0000"
    assert ID_NUMBER not in json.dumps(body) and "13812340000" not in json.dumps(body)
    assert body["religious"] == {"religion": "F", "clerical_post": "", "venue": "青山寺"}
    assert body["arrangements"][0]["term"] == "十届"
    assert body["non_public"] is None and body["status_history"] == []
    assert body["religion"] == "F" and body["ethnicity"] == "01"


@pytest.mark.parametrize(
    "persona, sensitive", [("township_a", True), ("leader", True), ("village_a", False)]
)
def test_sensitive_fields_are_null_for_roles_without_the_permission(
    monk, as_persona, persona, sensitive
):
    body = as_persona(persona).get(f"{API}{monk.pk}").json()
    values = (body["religion"], body["ethnicity"], body["religious"]["religion"])
    assert values == (("F", "01", "F") if sensitive else (None, None, None))
    assert body["religious"]["venue"] == "青山寺"


@pytest.mark.parametrize(
    "persona, status",
    [
        ("county_staff", 200),
        ("township_a", 200),
        ("leader", 403),
        ("village_a", 403),
        ("township_b", 404),
        ("unit_contact", 404),  # 宗教界 is not one of the 工商联 lines
    ],
)
def test_only_unmask_roles_in_scope_can_reveal_the_id_number(monk, as_persona, persona, status):
    response = as_persona(persona).post(f"{API}{monk.pk}/reveal-id-number")
    assert response.status_code == status
    if status == 200:
        assert response.json() == {"id_number": ID_NUMBER}
    unmasked = AuditEntry.objects.filter(action=AuditAction.UNMASK, object_id=str(monk.pk))
    assert unmasked.count() == (1 if status == 200 else 0)


# --- writing: the form's rules ------------------------------------------------------------------


def test_create_derives_birth_date_and_gender_from_the_id_number(world, as_persona):
    response = send(as_persona("township_a"), API, new_person(id_number=ID_NUMBER))
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["birth_date"], body["gender"]) == ("1975-03-01", "1")
    assert body["id_number_masked"] == "330599********1236"


def test_create_reports_each_rule_at_its_place_in_the_body(world, as_persona):
    response = send(
        as_persona("township_a"),
        API,
        new_person(
            id_number=ID_NUMBER,
            gender="2",
            phone="12345",
            non_public={"uscc": "91330599MA2B3C4D50"},
            arrangements=[
                {"kind": "npc", "level": "county", "start": "2020-01-01", "end": "2019-01-01"}
            ],
        ),
    )
    places = error_places(response)
    assert "不一致" in places[("gender",)]
    assert "联系电话格式不正确" in places[("phone",)]
    assert "校验码错误" in places[("non_public", "uscc")]
    assert "结束日期不能早于开始日期" in places[("arrangements", 0, "end")]


def test_an_excel_mangled_id_number_gets_its_own_message_over_the_api(world, as_persona):
    response = send(as_persona("township_a"), API, new_person(id_number="3.30599197503011E+17"))
    assert "电子表格当成数字保存" in error_places(response)[("id_number",)]


def test_create_refuses_any_status_but_active(world, as_persona):
    response = send(as_persona("township_a"), API, new_person(gender="1", status="deceased"))
    assert "状态变更" in error_places(response)[("status",)]


def test_patch_replaces_child_lists_and_keeps_the_id_number_it_was_not_given(monk, as_persona):
    client = as_persona("township_a")
    rows = [{"kind": "npc", "level": "township", "term": "第八届"}, {}]
    response = send(
        client, f"{API}{monk.pk}", {"version": 1, "arrangements": rows, "notes": "ｏｋ　"}, "patch"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert [a["term"] for a in body["arrangements"]] == ["第八届"]
    assert body["notes"] == "ok" and body["version"] == 2
    assert body["id_number_masked"] == "330599********1236"
    monk.refresh_from_db()
    assert monk.id_number == ID_NUMBER and monk.phone == "13812340000"
    assert monk.religious.venue == "青山寺"  # a part not given is left as it was


def test_patch_cannot_change_the_status(world, as_persona):
    response = send(
        as_persona("township_a"),
        f"{API}{world.person_a1.pk}",
        {"version": 1, "status": "deceased"},
        "patch",
    )
    assert "状态变更" in error_places(response)[("status",)]


# --- the status action ----------------------------------------------------------------------------


def test_the_status_action_changes_status_and_appears_in_the_history(world, as_persona):
    today = date.today().isoformat()
    response = send(
        as_persona("township_a"),
        f"{API}{world.person_a1.pk}/status",
        {"status": "deceased", "date": today, "reason": "病故"},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["status_date"]) == ("deceased", today)
    history = body["status_history"]
    assert [(h["old_status"], h["new_status"], h["reason"]) for h in history] == [
        ("active", "deceased", "病故")
    ]
    assert history[0]["changed_by"] == "township_a"


def test_the_status_action_answers_field_errors(world, as_persona):
    response = send(
        as_persona("township_a"),
        f"{API}{world.person_a1.pk}/status",
        {"status": "active", "date": "2999-01-01", "reason": ""},
    )
    places = error_places(response)
    assert ("status",) in places and ("date",) in places and ("reason",) in places


def test_read_only_and_out_of_scope_roles_cannot_change_the_status(world, as_persona):
    data = {"status": "deceased", "date": date.today().isoformat(), "reason": "病故"}
    url = f"{API}{world.person_a1.pk}/status"
    assert send(as_persona("leader"), url, data).status_code == 403
    assert send(as_persona("township_b"), url, data).status_code == 404


def test_the_new_operations_are_in_the_openapi_document(as_persona):
    paths = as_persona("county_staff").get("/api/v1/openapi.json").json()["paths"]
    assert "post" in paths["/api/v1/people/{person_id}/status"]
    assert "post" in paths["/api/v1/people/{person_id}/reveal-id-number"]

"""Likely duplicates: each match rule, no leak beyond the user's scope, the warning before a
create (page and API), and the find-duplicates groups."""

import json
from datetime import date

import pytest
from django.urls import reverse

from tongzhan.core.choices import Category
from tongzhan.lib.idcard import check_char
from tongzhan.people import duplicates, search
from tongzhan.people.duplicates import ID_NUMBER, NAME_BIRTH, PINYIN_BIRTH
from tongzhan.people.models import Person
from tongzhan.testing import COMMUNITY_A2, VILLAGE_A1, VILLAGE_B1, make_person

BORN = date(1975, 3, 1)


def id_number(serial="123"):
    body = f"33059919750301{serial}"
    return body + check_char(body)


def registered(name, region=VILLAGE_A1, birth_date=BORN, id_no="", **extra):
    """A person as the services leave it: name key, search keys, ID blind index."""
    person = make_person(name, region, [Category.NON_PUBLIC_ECONOMY], birth_date=birth_date)
    person.name_key = search.name_key(name)
    if id_no:
        person.id_number = id_no
    for key, value in extra.items():
        setattr(person, key, value)
    person.save()
    search.index_person(person)
    return person


def matches(world, persona, **data):
    return duplicates.find_duplicates_for(data, world.user(persona))


# --- the match rules ----------------------------------------------------------------------------


def test_the_same_id_number_matches_however_it_is_typed(world):
    person = registered("王五", id_no=id_number())
    typed = " ".join(id_number()).replace("3", "３")  # spaces and full-width digits
    [match] = matches(world, "township_a", name="另一个名字", id_number=typed)
    assert match.person == person and match.reasons == (ID_NUMBER,)


def test_an_old_15_digit_number_matches_its_18_digit_form(world):
    person = registered("王五", id_no=id_number())
    old = id_number()[:6] + id_number()[8:17]
    [match] = matches(world, "township_a", name="王五", id_number=old)
    assert match.person == person and ID_NUMBER in match.reasons


def test_the_same_name_and_birth_date_match_also_written_in_traditional(world):
    person = registered("张国荣")
    [match] = matches(world, "township_a", name="張國榮", birth_date=BORN)
    assert match.person == person
    assert match.reasons == (NAME_BIRTH, PINYIN_BIRTH)


def test_the_same_pinyin_and_birth_date_match_a_name_written_differently(world):
    person = registered("张三")
    [match] = matches(world, "township_a", name="章三", birth_date=BORN)
    assert match.person == person and match.reasons == (PINYIN_BIRTH,)


def test_the_same_name_with_another_birth_date_or_none_is_not_a_match(world):
    registered("张三")
    assert matches(world, "township_a", name="张三", birth_date=date(1975, 3, 2)) == []
    assert matches(world, "township_a", name="张三", birth_date=None) == []
    registered("张三", birth_date=None)
    assert matches(world, "township_a", name="张三") == []


def test_the_record_being_edited_is_not_its_own_duplicate(world):
    person = registered("张三")
    data = {"name": "张三", "birth_date": BORN}
    user = world.user("township_a")
    assert duplicates.find_duplicates_for(data, user, exclude_pk=person.pk) == []


def test_a_match_with_several_reasons_comes_first(world):
    by_name = registered("张三")
    by_both = registered("张三", region=COMMUNITY_A2, id_no=id_number())
    found = matches(world, "township_a", name="张三", birth_date=BORN, id_number=id_number())
    assert [m.person for m in found] == [by_both, by_name]


# --- what each user may see ---------------------------------------------------------------------


def test_a_match_outside_the_users_scope_names_only_the_township(world):
    registered("王五", region=VILLAGE_B1, id_no=id_number())
    [match] = matches(world, "township_a", name="王五", id_number=id_number())
    assert not match.visible and match.person is None
    assert match.message == "该人员已在其他区域登记（白石乡），请与县委统战部联系"
    assert "王五" not in match.message and "白石村" not in match.message


def test_the_whole_registry_is_searched_and_the_county_sees_the_match(world):
    person = registered("王五", region=VILLAGE_B1, id_no=id_number())
    [match] = matches(world, "county_staff", name="王五", id_number=id_number())
    assert match.visible and match.person == person


def test_a_line_contact_does_not_see_a_match_outside_its_lines(world):
    person = registered("释一", id_no=id_number())
    person.set_categories([Category.RELIGIOUS])
    [match] = matches(world, "unit_contact", name="释一", id_number=id_number())
    assert not match.visible and match.region_name == "清溪镇"


# --- the bulk check for imports -------------------------------------------------------------------


def test_the_bulk_check_reports_matches_by_row_index(world):
    a = registered("张三")
    b = registered("王五", region=VILLAGE_B1, id_no=id_number())
    rows = [
        {"name": "李四", "birth_date": BORN},
        {"name": "章三", "birth_date": BORN},
        {"name": "王五", "id_number": id_number()},
    ]
    found = duplicates.find_duplicates_bulk(rows, world.user("township_a"))
    assert set(found) == {1, 2}
    assert found[1][0].person == a and found[1][0].reasons == (PINYIN_BIRTH,)
    assert found[2][0].person is None and b.name not in found[2][0].message


def test_the_bulk_check_runs_a_few_queries_per_chunk(world, django_assert_max_num_queries):
    registered("张三")
    rows = [{"name": f"人员{i}", "birth_date": BORN, "id_number": id_number()} for i in range(1200)]
    rows[1100] = {"name": "張三", "birth_date": BORN}
    user = world.user("township_a")
    Person.objects.restrict(user, "view")  # loads the user's role assignments once
    with django_assert_max_num_queries(3 * 4):
        found = duplicates.find_duplicates_bulk(rows, user, chunk_size=500)
    assert list(found) == [1100]


# --- the warning before a create -------------------------------------------------------------------


def create_form(**extra):
    return {
        "name": "张三",
        "gender": "1",
        "birth_date": "1975-03-01",
        "region": VILLAGE_A1,
        "categories": ["06"],
        "status": "active",
        **extra,
    }


def test_the_create_page_warns_of_a_duplicate_before_saving(world, as_persona):
    registered("章三")
    response = as_persona("township_a").post(reverse("people:create"), create_form())
    page = response.content.decode()
    assert response.status_code == 200 and 'data-testid="duplicate-warning"' in page
    assert "章三" in page and 'name="confirm_duplicate"' in page
    assert not Person.objects.filter(name="张三").exists()


def test_the_create_page_saves_once_the_user_confirms(world, as_persona):
    registered("章三")
    response = as_persona("township_a").post(
        reverse("people:create"), create_form(confirm_duplicate="1")
    )
    assert response.status_code == 302
    assert Person.objects.filter(name="张三").exists()


def test_the_create_page_does_not_show_who_another_township_registered(world, as_persona):
    other = registered("张三", region=VILLAGE_B1)
    page = as_persona("township_a").post(reverse("people:create"), create_form()).content
    page = page.decode()
    assert "该人员已在其他区域登记（白石乡），请与县委统战部联系" in page
    assert reverse("people:detail", args=[other.pk]) not in page and "白石村" not in page


def test_the_api_answers_409_with_the_matches_until_confirmed(world, as_persona):
    registered("章三")
    registered("张三", region=VILLAGE_B1)
    client = as_persona("township_a")
    body = {k: v for k, v in create_form().items()}
    response = client.post("/api/v1/people/", body, content_type="application/json")
    assert response.status_code == 409
    found = response.json()["duplicates"]
    visible = [m for m in found if m["visible"]]
    hidden = [m for m in found if not m["visible"]]
    assert [m["person"]["name"] for m in visible] == ["章三"]
    assert hidden[0]["person"] is None and hidden[0]["region_name"] == "白石乡"
    assert "白石村" not in response.content.decode()
    body["confirm_duplicate"] = True
    response = client.post("/api/v1/people/", body, content_type="application/json")
    assert response.status_code == 201


# --- the find-duplicates page -------------------------------------------------------------------


def groups_on(client, kind=ID_NUMBER) -> str:
    response = client.get(reverse("people:duplicates"), {"kind": kind})
    assert response.status_code == 200
    return response.content.decode()


def test_groups_are_found_within_the_users_scope_only(world, as_persona):
    registered("王五", id_no=id_number())
    registered("王伍", region=VILLAGE_B1, id_no=id_number())
    registered("赵六", id_no=id_number("456"))
    registered("赵陆", region=COMMUNITY_A2, id_no=id_number("456"))
    county = groups_on(as_persona("county_staff"))
    assert county.count('data-testid="duplicate-group"') == 2 and "王伍" in county
    township = groups_on(as_persona("township_a"))
    assert township.count('data-testid="duplicate-group"') == 1
    assert "赵陆" in township and "王五" not in township and "王伍" not in township
    assert 'data-testid="duplicate-group"' not in groups_on(as_persona("township_b"))


def test_name_and_pinyin_groups_are_separate_tabs(world, as_persona):
    registered("张三")
    registered("张三", region=COMMUNITY_A2)
    registered("章三")
    client = as_persona("township_a")
    by_name = groups_on(client, NAME_BIRTH)
    assert by_name.count('data-testid="duplicate-group"') == 1 and "章三" not in by_name
    by_pinyin = groups_on(client, PINYIN_BIRTH)
    assert by_pinyin.count('data-testid="duplicate-group"') == 1 and "章三" in by_pinyin


@pytest.mark.parametrize("persona, can_merge", [("township_a", True), ("leader", False)])
def test_only_roles_that_may_change_both_records_get_a_merge_button(
    world, as_persona, persona, can_merge
):
    first = registered("张三")
    second = registered("张三", region=COMMUNITY_A2)
    page = groups_on(as_persona(persona), NAME_BIRTH)
    link = reverse("people:merge", args=[first.pk, second.pk])
    assert (link in page) is can_merge
    assert "张三" in page


def test_the_groups_page_runs_a_bounded_number_of_queries(
    world, as_persona, django_assert_max_num_queries
):
    for i in range(30):
        registered(f"张{i}", id_no=id_number(f"{i:03d}"))
        registered(f"章{i}", region=COMMUNITY_A2, id_no=id_number(f"{i:03d}"))
    client = as_persona("county_staff")
    with django_assert_max_num_queries(12):
        page = groups_on(client)
    assert page.count('data-testid="duplicate-group"') == 20 and "共 30 组" in page


def test_the_api_lists_groups_in_scope(world, as_persona):
    registered("王五", id_no=id_number())
    registered("王伍", region=VILLAGE_B1, id_no=id_number())
    response = as_persona("county_staff").get("/api/v1/people/duplicates")
    body = response.json()
    assert body["count"] == 1
    assert {m["name"] for m in body["groups"][0]["members"]} == {"王伍", "王五"}
    response = as_persona("township_a").get("/api/v1/people/duplicates")
    assert response.json()["count"] == 0
    bad = as_persona("township_a").get("/api/v1/people/duplicates", {"kind": "nonsense"})
    assert bad.status_code == 422
    assert id_number() not in json.dumps(body)


def test_the_person_list_links_to_the_duplicates_page(as_persona):
    page = as_persona("village_a").get(reverse("people:list")).content.decode()
    assert f'href="{reverse("people:duplicates")}"' in page

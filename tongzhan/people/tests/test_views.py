"""Person pages: each persona sees its own slice; bad input gets field errors."""

import pytest
from django.urls import reverse

from tongzhan.audit.models import AuditAction, AuditEntry
from tongzhan.core.choices import Category
from tongzhan.testing import VILLAGE_A1, VILLAGE_B1, make_person


def names_on(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    "persona, visible, hidden",
    [
        ("county_staff", ["张青山", "释明心", "李白石"], []),
        ("unit_contact", ["张青山", "李白石"], ["释明心"]),
        ("township_a", ["张青山", "释明心"], ["李白石"]),
        ("township_b", ["李白石"], ["张青山", "释明心"]),
        ("village_a", ["张青山"], ["释明心", "李白石"]),
    ],
)
def test_the_list_shows_exactly_the_personas_slice(as_persona, persona, visible, hidden):
    page = names_on(as_persona(persona).get(reverse("people:list")))
    for name in visible:
        assert name in page
    for name in hidden:
        assert name not in page


def test_the_list_runs_a_bounded_number_of_queries(
    world, as_persona, django_assert_max_num_queries
):
    for i in range(60):
        make_person(f"测试{i}", VILLAGE_A1, [Category.NON_PUBLIC_ECONOMY], phone="13700000000")
    client = as_persona("county_staff")
    with django_assert_max_num_queries(14):
        response = client.get(reverse("people:list"))
    assert response.status_code == 200 and "共 63 人" in response.content.decode()


def test_list_filters_by_name_category_and_region(as_persona):
    client = as_persona("county_staff")
    assert "李白石" not in names_on(client.get(reverse("people:list"), {"q": "张"}))
    page = names_on(client.get(reverse("people:list"), {"category": Category.RELIGIOUS}))
    assert "释明心" in page and "张青山" not in page
    page = names_on(client.get(reverse("people:list"), {"region": VILLAGE_B1}))
    assert "李白石" in page and "张青山" not in page


def test_a_malformed_region_filter_is_reported_not_a_500(as_persona):
    page = names_on(as_persona("county_staff").get(reverse("people:list"), {"region": "12ab"}))
    assert "区域代码应为 12 位统计用区划代码" in page


def test_the_detail_page_masks_the_phone(world, as_persona):
    page = names_on(
        as_persona("township_a").get(reverse("people:detail", args=[world.person_a1.pk]))
    )
    assert "138****5678" in page and "13812345678" not in page


def test_sensitive_fields_are_hidden_from_roles_without_the_permission(world, as_persona):
    url = reverse("people:detail", args=[world.person_a1.pk])
    assert "政治面貌" in names_on(as_persona("township_a").get(url))
    assert "政治面貌" not in names_on(as_persona("village_a").get(url))


def test_revealing_the_phone_shows_it_and_writes_an_audit_row(world, as_persona):
    response = as_persona("county_staff").post(
        reverse("people:reveal_phone", args=[world.person_a1.pk])
    )
    assert "13812345678" in response.content.decode()
    assert AuditEntry.objects.filter(
        action=AuditAction.UNMASK, object_id=str(world.person_a1.pk)
    ).exists()


def test_creating_with_bad_input_shows_field_errors_and_saves_nothing(world, as_persona):
    from tongzhan.people.models import Person

    before = Person.objects.count()
    response = as_persona("township_a").post(
        reverse("people:create"),
        {
            "name": "",
            "gender": "1",
            "region": VILLAGE_A1,
            "status": "active",
            "phone": "12345",
            "birth_date": "1800-01-01",
        },
    )
    page = names_on(response)
    assert "联系电话格式不正确" in page and "出生日期应在" in page and "这个字段是必填项" in page
    assert Person.objects.count() == before


def test_a_township_cannot_pick_a_region_of_another_township(world, as_persona):
    response = as_persona("township_a").post(
        reverse("people:create"),
        {
            "name": "越界",
            "gender": "1",
            "region": VILLAGE_B1,
            "categories": ["06"],
            "status": "active",
        },
    )
    assert "选择一个有效的选项" in names_on(response)


def test_a_line_contact_gets_a_clear_error_for_a_category_outside_its_lines(world, as_persona):
    response = as_persona("unit_contact").post(
        reverse("people:create"),
        {
            "name": "越线",
            "gender": "1",
            "region": VILLAGE_A1,
            "categories": ["05"],
            "status": "active",
        },
    )
    assert "至少应包含您所负责条线的一个类别" in names_on(response)


def test_editing_with_a_stale_version_shows_a_conflict(world, as_persona):
    client = as_persona("county_staff")
    url = reverse("people:edit", args=[world.person_a1.pk])
    data = {
        "name": "甲",
        "gender": "1",
        "region": VILLAGE_A1,
        "categories": ["06"],
        "status": "active",
        "version": 1,
    }
    assert client.post(url, data).status_code == 302
    page = names_on(client.post(url, {**data, "name": "乙"}))
    assert "此记录已被他人修改" in page


def test_stats_show_totals_by_township_and_no_names(world, as_persona):
    page = names_on(as_persona("leader").get(reverse("people:stats")))
    assert "清溪镇" in page and "白石乡" in page
    assert "张青山" not in page and "李白石" not in page


def test_an_observer_sees_totals_but_no_person(world, client):
    from tongzhan.accounts.models import RoleAssignment, User
    from tongzhan.testing import login_as

    observer = User.objects.create_user("city", password="Huzhou-City-2026!")
    RoleAssignment.objects.create(user=observer, role="observer", region_id="330500000000")
    login_as(client, observer)
    page = names_on(client.get(reverse("people:stats")))
    assert "清溪县" in page
    assert client.get(reverse("people:list")).status_code == 404
    assert client.get(reverse("people:detail", args=[world.person_a1.pk])).status_code == 404


def test_the_next_page_link_keeps_the_filters(world, as_persona):
    for i in range(55):
        make_person(f"张测{i}", VILLAGE_A1, [Category.NON_PUBLIC_ECONOMY])
    page = names_on(as_persona("county_staff").get(reverse("people:list"), {"q": "张测"}))
    assert "?q=%E5%BC%A0%E6%B5%8B&amp;page=2" in page

"""The person list page and GET /api/v1/people/: filters, sort, pages, counts per
category, bad input, sensitive filters, saved filters; the page and the API agree."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse

from tongzhan.audit.models import AuditAction, AuditEntry
from tongzhan.core.choices import Category, PersonStatus
from tongzhan.people.api.records import to_summary
from tongzhan.people.filters import _years_before, count_by_category, find_people, scoped_search
from tongzhan.people.models import (
    Person,
    PoliticalArrangement,
    ReligiousProfile,
    SavedFilter,
)
from tongzhan.people.services import MAX_SAVED_FILTERS
from tongzhan.testing import (
    COMMUNITY_A2,
    TOWNSHIP_A,
    VILLAGE_A1,
    VILLAGE_B1,
    make_person,
)

API = "/api/v1/people/"
LIST = reverse("people:list")
ID_NUMBER = "11010519491231002X"


def _aged(age: int) -> date:
    """A birth date that makes the person `age` today: the birthday was half a year ago."""
    return _years_before(date.today(), age) - timedelta(days=180)


def listed(response) -> list[str]:
    """The names in the page's table, in order."""
    assert response.status_code == 200
    table = response.content.decode().split('data-testid="person-table"')[1]
    return re.findall(r'<a href="/people/\d+/">([^<]+)</a>', table)


def api_names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [p["name"] for p in response.json()["items"]]


@pytest.fixture
def registry(world):
    """Four more persons with parties, religion, posts and ages, across both townships.

    With the world's 张青山 (A1, 非公), 释明心 (A2, 宗教) and 李白石 (B1, 非公).
    """
    ou = make_person(
        "区家麟",
        VILLAGE_A1,
        [Category.DEMOCRATIC_PARTY],
        political_status="05",
        birth_date=_aged(66),
        is_representative=True,
        representative_level="county",
    )
    PoliticalArrangement.objects.create(
        person=ou, kind="cppcc", level="county", start=date(2022, 1, 1)
    )
    shan = make_person(
        "单田芳", COMMUNITY_A2, [Category.INTELLECTUAL], political_status="13", birth_date=_aged(36)
    )
    PoliticalArrangement.objects.create(
        person=shan, kind="npc", level="county", start=date(2016, 1, 1), end=date(2021, 1, 1)
    )
    zha = make_person("查良镛", VILLAGE_A1, [Category.RELIGIOUS], birth_date=_aged(86))
    ReligiousProfile.objects.create(person=zha, religion="F")
    make_person(
        "朴树",
        VILLAGE_B1,
        [Category.NON_PUBLIC_ECONOMY, Category.DEMOCRATIC_PARTY],
        political_status="01",
        second_party="09",
        birth_date=_aged(51),
        id_number=ID_NUMBER,
        status=PersonStatus.TRANSFERRED,
    )
    return world


def page(client, **params):
    return listed(client.get(LIST, params))


# --- filters ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"category": Category.RELIGIOUS}, {"查良镛", "释明心"}),
        ({"region": TOWNSHIP_A}, {"区家麟", "单田芳", "查良镛", "张青山", "释明心"}),
        ({"region": VILLAGE_B1}, {"朴树", "李白石"}),
        ({"political_status": "05"}, {"区家麟"}),
        ({"political_status": "09"}, {"朴树"}),  # 致公党 as the second party
        ({"political_status": "parties"}, {"区家麟", "朴树"}),
        ({"political_status": "13"}, {"单田芳"}),
        ({"religion": "F"}, {"查良镛"}),
        ({"representative": "any"}, {"区家麟"}),
        ({"representative": "county"}, {"区家麟"}),
        ({"representative": "city"}, set()),
        ({"arrangement": "cppcc"}, {"区家麟"}),
        ({"arrangement": "npc"}, {"单田芳"}),
        ({"arrangement": "npc", "arrangement_current": "on"}, set()),
        ({"arrangement_level": "county", "arrangement_current": "on"}, {"区家麟"}),
        ({"status": PersonStatus.TRANSFERRED}, {"朴树"}),
        ({"age_min": "50"}, {"区家麟", "查良镛", "朴树"}),
        ({"age_max": "50"}, {"单田芳"}),
        ({"age_min": "40", "age_max": "70"}, {"区家麟", "朴树"}),
        ({"age_min": "51", "age_max": "51"}, {"朴树"}),
        ({"q": "zs", "region": VILLAGE_B1}, set()),
        ({"q": "ps", "political_status": "parties"}, {"朴树"}),
    ],
)
def test_each_filter_narrows_the_page_and_the_api_alike(registry, as_persona, params, expected):
    client = as_persona("county_staff")
    assert set(page(client, **params)) == expected
    body = client.get(API, params).json()
    assert {p["name"] for p in body["items"]} == expected and body["count"] == len(expected)


def test_sort_by_name_follows_the_pinyin_of_the_surname_reading(registry, as_persona):
    client = as_persona("county_staff")
    expected = ["李白石", "区家麟", "朴树", "单田芳", "释明心", "查良镛", "张青山"]
    assert page(client, sort="name") == expected
    assert api_names(client.get(API, {"sort": "name"})) == expected


def test_the_default_order_is_by_region_then_pinyin(registry, as_persona):
    names = page(as_persona("county_staff"))
    # 溪口社区 (…101001) before 青山村 (…101201) before 白石村 (…201201).
    assert names == ["单田芳", "释明心", "区家麟", "查良镛", "张青山", "李白石", "朴树"]


def test_sort_by_birth_date_puts_the_oldest_first(registry, as_persona):
    dated = [
        n for n in page(as_persona("county_staff"), sort="birth") if n in "查良镛区家麟朴树单田芳"
    ]
    assert dated == ["查良镛", "区家麟", "朴树", "单田芳"]


def test_sort_by_update_puts_the_last_changed_first(registry, as_persona):
    person = Person.objects.get(name="单田芳")
    person.notes = "刚修改"
    person.save(update_fields=["notes", "updated_at"])
    assert page(as_persona("county_staff"), sort="updated")[0] == "单田芳"


def test_pages_hold_fifty_and_the_api_reports_the_pages(world, as_persona):
    for i in range(52):
        make_person(f"测试{i:02d}", VILLAGE_A1, [Category.INTELLECTUAL])
    client = as_persona("township_a")  # 52 + 张青山 + 释明心 = 54
    assert len(page(client)) == 50 and len(page(client, page="2")) == 4
    body = client.get(API, {"page": 2}).json()
    assert (body["count"], body["page"], body["pages"], len(body["items"])) == (54, 2, 2, 4)
    first, second = page(client, sort="name"), page(client, sort="name", page="2")
    assert not set(first) & set(second)


# --- counts per category ------------------------------------------------------------------


def test_counts_per_category_cover_the_scope_and_ignore_the_category_filter(registry, as_persona):
    client = as_persona("township_a")
    expected = {"01": 1, "03": 1, "05": 2, "06": 1}
    counts = client.get(API).json()["category_counts"]
    assert {k: v for k, v in counts.items() if v} == expected and len(counts) == 12
    filtered = client.get(API, {"category": "05"}).json()
    assert filtered["count"] == 2 and filtered["category_counts"] == counts
    html = client.get(LIST, {"category": "05"}).content.decode()
    bar = html.split('data-testid="category-counts"')[1].split("</div>")[0]
    found = dict(re.findall(r'data-category="(\d\d)">[^<]*<span[^>]*>(\d+)</span>', bar))
    assert found == {k: str(v) for k, v in expected.items()}


def test_counts_follow_the_other_filters(registry, as_persona):
    body = as_persona("county_staff").get(API, {"q": "ps"}).json()
    assert body["count"] == 1 and {k: v for k, v in body["category_counts"].items() if v} == {
        "01": 1,
        "06": 1,
    }


def test_a_line_contact_counts_only_persons_of_its_lines(registry, as_persona):
    body = as_persona("unit_contact").get(API).json()
    # 张青山, 李白石 (非公) and 朴树 (非公 + 民主党派): 释明心 and the others are not in its lines.
    assert body["count"] == 3
    assert {k: v for k, v in body["category_counts"].items() if v} == {"06": 3, "01": 1}


def test_the_page_tells_a_line_contact_that_it_sees_its_lines_only(registry, as_persona):
    """Its list and counts per category hold its lines' persons only: said on the page, so
    that they are not read as the county's totals."""
    page = as_persona("unit_contact").get(LIST).content.decode()
    note = re.search(r'data-testid="only-lines">([^<]+)<', page).group(1)
    assert "非公有制经济人士" in note and "宗教界人士" not in note
    for persona in ("county_staff", "township_a", "village_a"):
        assert 'data-testid="only-lines"' not in as_persona(persona).get(LIST).content.decode()


@pytest.mark.parametrize("extra", [0, 44, 45, 46])  # 5 persons + extra: 49, 50, 51 at the edge
@pytest.mark.parametrize("params", [{}, {"q": "ps"}, {"status": "active"}, {"category": "06"}])
def test_a_first_page_that_holds_the_whole_result_counts_as_the_counting_pass(
    registry, params, extra
):
    for i in range(extra):
        make_person(
            f"测试{i:02d}", VILLAGE_A1, [Category.NON_PUBLIC_ECONOMY, Category.INTELLECTUAL]
        )
    user = registry.user("township_a")
    results = find_people(user, params, 1)
    total, per_category = count_by_category(scoped_search(user, results.form.cleaned_data))
    if params.get("category"):
        total = per_category.get(params["category"], 0)
    assert results.total == total == results.page.paginator.count
    assert {c.code: c.count for c in results.counts if c.count} == per_category
    assert len(results.page) == min(total, 50)


def test_a_listed_person_shows_what_the_person_record_shows(registry):
    user = registry.user("county_staff")
    for person in find_people(user, {}, 1).page:
        record = Person.objects.get(pk=person.pk)
        assert to_summary(person, user) == to_summary(record, user)
        shown = [person.get_gender_display(), person.get_status_display(), person.region.name]
        assert shown == [
            record.get_gender_display(),
            record.get_status_display(),
            record.region.name,
        ]
        assert person.category_labels() == record.category_labels()


def test_the_list_costs_a_bounded_number_of_queries(
    registry, as_persona, django_assert_max_num_queries
):
    for i in range(60):
        make_person(f"测试{i}", VILLAGE_A1, [Category.NON_PUBLIC_ECONOMY], phone="13700000000")
    client = as_persona("county_staff")
    for params in ({}, {"q": "cs"}, {"q": "测试", "category": "06", "sort": "name"}):
        # Session (and its save on the first request: 3), user, roles, the counts, the page's
        # rows, the region drop-down's regions, the saved filters.
        with django_assert_max_num_queries(10):
            assert len(page(client, **params)) == 50
        with django_assert_max_num_queries(5):  # session, user, roles, counts, rows
            assert len(api_names(client.get(API, params))) == 50


# --- bad input ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params, field, message",
    [
        ({"region": "12ab"}, "region", "区域代码应为 12 位统计用区划代码"),
        ({"region": "330599000001"}, "region", "区域代码应为 12 位统计用区划代码"),
        ({"category": "99"}, "category", "选择一个有效的选项"),
        ({"status": "gone"}, "status", "选择一个有效的选项"),
        ({"sort": "salary"}, "sort", "选择一个有效的选项"),
        ({"age_min": "abc"}, "age_min", "整数"),
        ({"age_min": "-1"}, "age_min", "大于或等于0"),
        ({"age_min": "60", "age_max": "40"}, "age_max", "最大年龄不能小于最小年龄"),
        ({"q": "张" * 101}, "q", "100"),
        ({"arrangement": "king"}, "arrangement", "选择一个有效的选项"),
    ],
)
def test_a_bad_filter_value_is_a_field_error_never_a_500(
    registry, as_persona, params, field, message
):
    client = as_persona("county_staff")
    response = client.get(LIST, params)
    assert response.status_code == 200 and message in response.content.decode()
    assert listed(response) == []
    body = client.get(API, params).json()
    assert body["detail"][0]["loc"] == ["query", field] and message in body["detail"][0]["msg"]


def test_bad_api_types_are_422_in_chinese(world, as_persona):
    client = as_persona("county_staff")
    assert client.get(API, {"age_min": "abc"}).json()["detail"][0]["msg"] == "应为整数。"
    assert client.get(API, {"page": "0"}).status_code == 422


def test_a_page_number_past_the_end_shows_the_last_page(registry, as_persona):
    client = as_persona("county_staff")
    assert len(page(client, page="99")) == 7 and len(page(client, page="x")) == 7
    assert client.get(API, {"page": 99}).json()["page"] == 1


# --- sensitive filters --------------------------------------------------------------------


def test_roles_without_the_field_permission_get_no_sensitive_filters(world, as_persona):
    html = as_persona("village_a").get(LIST).content.decode()
    assert 'name="political_status"' not in html and 'name="religion"' not in html
    html = as_persona("township_a").get(LIST).content.decode()
    assert 'name="political_status"' in html and 'name="religion"' in html


@pytest.mark.parametrize("field, value", [("political_status", "04"), ("religion", "F")])
def test_a_sensitive_filter_passed_anyway_is_refused(registry, as_persona, field, value):
    client = as_persona("village_a")
    response = client.get(LIST, {field: value})
    assert "您没有按此项筛选的权限" in response.content.decode() and listed(response) == []
    response = client.get(API, {field: value})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", field]
    assert as_persona("leader").get(API, {field: value}).status_code == 200


# --- scope --------------------------------------------------------------------------------


def test_an_id_number_of_another_townships_person_finds_nothing(registry, as_persona):
    assert page(as_persona("township_b"), q=ID_NUMBER) == ["朴树"]
    assert page(as_persona("township_a"), q=ID_NUMBER) == []
    assert as_persona("township_a").get(API, {"q": ID_NUMBER}).json()["count"] == 0


def test_a_region_filter_outside_the_scope_shows_nothing(registry, as_persona):
    client = as_persona("township_a")
    assert page(client, region=VILLAGE_B1) == []
    body = client.get(API, {"region": VILLAGE_B1}).json()
    assert body["count"] == 0 and not any(body["category_counts"].values())


def test_the_page_says_how_the_search_text_was_read(world, as_persona):
    client = as_persona("township_a")
    assert "按姓名全拼或首字母查找" in client.get(LIST, {"q": "zqs"}).content.decode()
    assert "按身份证号精确查找" in client.get(LIST, {"q": ID_NUMBER}).content.decode()


# --- the list as the user types -------------------------------------------------------------


def test_typing_in_the_search_box_gets_the_results_alone(registry, as_persona):
    """htmx asks as the user types: the answer is the results part (not the page with its
    filters, so the box keeps its focus), its hint, its counts, and the export button
    out of band with the new parameters, so that it exports what the list shows."""
    client = as_persona("county_staff")
    response = client.get(LIST, {"q": "zqs"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body and 'data-testid="person-filters"' not in body
    assert body.lstrip().startswith('<div id="person-results"')
    assert listed(response) == ["张青山"]
    assert "按姓名全拼或首字母查找" in body and 'data-testid="category-counts"' in body
    export = re.search(r'<a id="export-people"[^>]*>', body).group(0)
    assert 'hx-swap-oob="true"' in export and "q=zqs" in export
    assert "HX-Request" in response["Vary"]


def test_a_bad_value_typed_shows_its_error_in_the_results(registry, as_persona):
    client = as_persona("county_staff")
    response = client.get(LIST, {"q": "张" * 101}, HTTP_HX_REQUEST="true")
    assert 'data-testid="filter-error"' in response.content.decode()
    assert listed(response) == []


def test_going_back_past_htmx_history_gets_the_whole_page(registry, as_persona):
    client = as_persona("county_staff")
    headers = {"HTTP_HX_REQUEST": "true", "HTTP_HX_HISTORY_RESTORE_REQUEST": "true"}
    body = client.get(LIST, {"q": "zqs"}, **headers).content.decode()
    assert "<html" in body and 'data-testid="person-filters"' in body
    # One export button, in the page's actions: not a second one meant for out-of-band.
    assert body.count('<a id="export-people"') == 1 and "hx-swap-oob" not in body


def test_a_role_without_the_export_right_gets_no_export_button_as_it_types(world, as_persona):
    body = as_persona("village_a").get(LIST, {"q": "z"}, HTTP_HX_REQUEST="true").content
    assert b"export-people" not in body


# --- saved filters ------------------------------------------------------------------------

SAVE = reverse("people:saved_filter_create")


def test_a_saved_filter_is_a_quick_link_for_its_owner_only(registry, as_persona):
    owner = as_persona("township_a")
    response = owner.post(SAVE, {"name": "青山非公", "query": "category=06&region=330599101201"})
    assert response.status_code == 302
    assert response["Location"] == f"{LIST}?region=330599101201&category=06"
    saved = SavedFilter.objects.get(user=registry.user("township_a"))
    assert (saved.name, saved.query) == ("青山非公", "region=330599101201&category=06")
    assert (
        f'href="?{saved.query.replace("&", "&amp;")}">青山非公<' in owner.get(LIST).content.decode()
    )
    assert "青山非公" not in as_persona("township_b").get(LIST).content.decode()
    entry = AuditEntry.objects.get(object_type="people.savedfilter", object_id=str(saved.pk))
    assert entry.action == AuditAction.CREATE


def test_saving_keeps_only_known_filters_and_a_name_is_replaced_not_doubled(world, as_persona):
    client = as_persona("township_a")
    client.post(SAVE, {"name": "常用", "query": "q=zqs&page=3&csrfmiddlewaretoken=x&foo=1"})
    client.post(SAVE, {"name": "常用", "query": "status=active"})
    saved = SavedFilter.objects.get(user=world.user("township_a"))
    assert saved.query == "status=active"


@pytest.mark.parametrize(
    "data, message",
    [
        ({"name": "身份证", "query": f"q={ID_NUMBER}"}, "不能保存为常用筛选"),
        ({"name": "电话", "query": "q=13812345678"}, "不能保存为常用筛选"),
        ({"name": "", "query": "category=06"}, "名称应为 1–50 个字"),
        ({"name": "长" * 51, "query": "category=06"}, "名称应为 1–50 个字"),
        ({"name": "坏的", "query": "region=12ab"}, "没有可保存的筛选条件"),
        ({"name": "空的", "query": ""}, "没有可保存的筛选条件"),
    ],
)
def test_a_filter_that_cannot_be_saved_says_why_and_saves_nothing(world, as_persona, data, message):
    response = as_persona("township_a").post(SAVE, data, follow=True)
    assert message in response.content.decode()
    assert not SavedFilter.objects.exists()


def test_a_sensitive_filter_cannot_be_saved_by_a_role_without_the_permission(world, as_persona):
    as_persona("village_a").post(SAVE, {"name": "党派", "query": "political_status=04"})
    assert not SavedFilter.objects.exists()


def test_a_user_keeps_at_most_the_limit_of_saved_filters(world, as_persona):
    client = as_persona("township_a")
    for i in range(MAX_SAVED_FILTERS):
        client.post(SAVE, {"name": f"筛选{i}", "query": f"age_min={i}"})
    response = client.post(SAVE, {"name": "再一个", "query": "age_min=99"}, follow=True)
    assert "最多保存" in response.content.decode()
    assert SavedFilter.objects.count() == MAX_SAVED_FILTERS


def test_only_the_owner_deletes_a_saved_filter(world, as_persona):
    saved = SavedFilter.objects.create(user=world.user("township_a"), name="mine", query="q=z")
    url = reverse("people:saved_filter_delete", args=[saved.pk])
    assert as_persona("township_b").post(url).status_code == 404
    assert as_persona("county_staff").post(url).status_code == 404
    assert as_persona("township_a").get(url).status_code == 405
    assert SavedFilter.objects.filter(pk=saved.pk).exists()
    assert as_persona("township_a").post(url).status_code == 302
    assert not SavedFilter.objects.filter(pk=saved.pk).exists()
    assert AuditEntry.objects.filter(action=AuditAction.DELETE, object_id=str(saved.pk)).exists()


# --- the page and the API agree -----------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": "z"},
        {"q": "张"},
        {"category": "06"},
        {"sort": "name"},
        {"region": COMMUNITY_A2},
        {"representative": "any", "status": "active"},
    ],
)
@pytest.mark.parametrize("persona", ["county_staff", "township_a", "unit_contact", "village_a"])
def test_the_api_returns_what_the_page_shows(registry, as_persona, persona, params):
    client = as_persona(persona)
    response = client.get(LIST, params)
    body = client.get(API, params).json()
    assert api_names_of(body) == listed(response)
    assert f"共 {body['count']} 人" in response.content.decode()


def api_names_of(body) -> list[str]:
    return [p["name"] for p in body["items"]]

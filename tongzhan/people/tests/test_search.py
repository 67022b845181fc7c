"""The one search box: every kind of key finds the person, and only inside the scope."""

import pytest

from tongzhan.core.choices import Category
from tongzhan.core.models import Region
from tongzhan.lib import idcard, uscc
from tongzhan.people import search, services
from tongzhan.people.filters import find_people
from tongzhan.people.models import NonPublicProfile, Person, PersonSearchKey
from tongzhan.testing import COMMUNITY_A2, TOWNSHIP_A, VILLAGE_A1, VILLAGE_B1, make_person

ID_ZHANG = "33059919800101" + "001"
ID_ZHANG += idcard.check_char(ID_ZHANG)
USCC_QINGXI = "91330599MA2B00000"
USCC_QINGXI += uscc.check_char(USCC_QINGXI)


def found(world, persona: str, text: str) -> list[str]:
    """Names the persona's search box finds for `text` (first page)."""
    results = find_people(world.user(persona), {"q": text})
    assert results.page is not None, results.form.errors
    return [p.name for p in results.page]


@pytest.fixture
def zhang(world):
    """张三 in village A1: a known ID number, phone, work unit and enterprise."""
    person = make_person(
        "张三",
        VILLAGE_A1,
        [Category.NON_PUBLIC_ECONOMY],
        phone="139 0571 2468",
        id_number=ID_ZHANG,
        work_unit="湖州市清溪化工有限公司",
    )
    NonPublicProfile.objects.create(person=person, enterprise="青山竹木制品厂", uscc=USCC_QINGXI)
    return person


@pytest.mark.parametrize("text", ["zs", "zhangsan", "zhang san", "ZhangSan", "zhangs", "z"])
def test_full_pinyin_initials_and_their_prefixes_find_the_name(world, zhang, text):
    assert "张三" in found(world, "township_a", text)


def test_a_pinyin_prefix_that_is_not_the_names_finds_nothing(world, zhang):
    assert found(world, "township_a", "zhangsi") == []
    assert found(world, "township_a", "zx") == []


@pytest.mark.parametrize(
    "name, full, initials, misread",
    [
        ("单田芳", "shantianfang", "stf", "dantianfang"),
        ("曾国藩", "zengguofan", "zgf", "cengguofan"),
        ("解缙", "xiejin", "xj", "jiejin"),
        ("仇英", "qiuying", "qy", "chouying"),
        ("区家麟", "oujialin", "ojl", "qujialin"),
        ("查良镛", "zhaliangyong", "zly", "chaliangyong"),
        ("朴树", "piaoshu", "ps", "pushu"),
    ],
)
def test_surnames_are_found_by_their_surname_reading_only(world, name, full, initials, misread):
    make_person(name, VILLAGE_A1, [Category.INTELLECTUAL])
    assert name in found(world, "township_a", full)
    assert name in found(world, "township_a", initials)
    assert name not in found(world, "township_a", misread)


def test_a_heteronym_in_the_given_name_is_found_by_each_reading(world):
    make_person("曾乐", VILLAGE_A1, [Category.INTELLECTUAL])
    assert "曾乐" in found(world, "township_a", "zengle")
    assert "曾乐" in found(world, "township_a", "zengyue")


def test_traditional_input_finds_the_simplified_name_and_the_other_way_round(world, zhang):
    make_person("陳國華", VILLAGE_A1, [Category.INTELLECTUAL])
    assert found(world, "township_a", "張三") == ["张三"]
    assert found(world, "township_a", "陈国华") == ["陳國華"]
    assert "陳國華" in found(world, "township_a", "cgh")


def test_chinese_text_finds_part_of_a_name_the_work_unit_and_the_enterprise(world, zhang):
    assert "张三" in found(world, "township_a", "三")
    assert found(world, "township_a", "清溪化工") == ["张三"]
    assert found(world, "township_a", "竹木制品") == ["张三"]
    assert found(world, "township_a", "钢铁") == []


@pytest.mark.parametrize(
    "text", [ID_ZHANG, f"{ID_ZHANG[:6]} {ID_ZHANG[6:14]} {ID_ZHANG[14:]}", ID_ZHANG.lower()]
)
def test_an_id_number_finds_exactly_its_person(world, zhang, text):
    make_person("张四", VILLAGE_A1, [Category.INTELLECTUAL])
    assert found(world, "township_a", text) == ["张三"]


def test_a_15_digit_id_number_finds_the_18_digit_one(world):
    old = "330599800101001"
    make_person("王旧证", VILLAGE_A1, [Category.INTELLECTUAL], id_number=old)
    assert found(world, "township_a", idcard.convert_15_to_18(old)) == ["王旧证"]
    assert found(world, "township_a", old) == ["王旧证"]


def test_part_of_an_id_number_finds_nothing(world, zhang):
    assert found(world, "township_a", ID_ZHANG[:10]) == []
    assert found(world, "township_a", ID_ZHANG[-6:]) == []


@pytest.mark.parametrize("text", ["13905712468", "139-0571-2468", "+86 139 0571 2468"])
def test_a_phone_number_however_typed_finds_the_number_however_stored(world, zhang, text):
    assert found(world, "township_a", text) == ["张三"]


def test_a_landline_is_found_with_or_without_its_dash(world):
    make_person("李座机", VILLAGE_A1, [Category.INTELLECTUAL], phone="0572-8881234")
    assert found(world, "township_a", "05728881234") == ["李座机"]
    assert found(world, "township_a", "0572-8881234") == ["李座机"]


def test_a_uscc_finds_the_person_behind_the_enterprise(world, zhang):
    assert found(world, "township_a", USCC_QINGXI) == ["张三"]
    assert found(world, "township_a", USCC_QINGXI.lower()) == ["张三"]


@pytest.mark.parametrize(
    "text",
    [
        ID_ZHANG,
        "13905712468",
        "zhangsan",
        "zs",
        "z",
        "张三",
        "張三",
        "清溪化工",
        "竹木制品",
        USCC_QINGXI,
    ],
)
def test_another_township_never_finds_the_person_by_any_key(world, zhang, text):
    assert "张三" in found(world, "township_a", text)
    assert found(world, "township_b", text) == []
    assert found(world, "county_admin", text) == []  # admins hold no data scope


def test_a_line_contact_never_finds_a_person_outside_its_lines(world):
    # 释明心 (宗教界) is in the county, but not in the 工商联 contact's lines.
    for text in ("smx", "shimingxin", "释明心"):
        assert found(world, "county_staff", text) == ["释明心"]
        assert found(world, "unit_contact", text) == []


def test_the_village_liaison_finds_only_its_village(world):
    make_person("张溪口", COMMUNITY_A2, [Category.INTELLECTUAL])
    names = found(world, "village_a", "z")
    assert "张青山" in names and "张溪口" not in names
    assert "张溪口" in found(world, "township_a", "z")


def test_search_keys_carry_the_region_and_follow_a_move(world, zhang):
    assert set(zhang.search_keys.values_list("region_code", flat=True)) == {VILLAGE_A1}
    staff = world.user("county_staff")
    person = Person.objects.get(pk=zhang.pk)
    services.do_update_person(
        staff, person, {"region": Region.objects.get(pk=VILLAGE_B1)}, person.version
    )
    assert set(zhang.search_keys.values_list("region_code", flat=True)) == {VILLAGE_B1}
    assert found(world, "township_b", "zhangsan") == ["张三"]
    assert found(world, "township_a", "zhangsan") == []


def test_keys_written_without_a_region_are_still_found_in_scope_only(world, zhang):
    PersonSearchKey.objects.filter(person=zhang).update(region_code="")
    assert found(world, "township_a", "zs") == ["张三"]
    assert found(world, "township_b", "zs") == []


def test_a_search_with_a_region_filter_narrows_within_the_scope(world, zhang):
    results = find_people(world.user("county_staff"), {"q": "zs", "region": TOWNSHIP_A})
    assert [p.name for p in results.page] == ["张三"]
    results = find_people(world.user("township_b"), {"q": "zs", "region": TOWNSHIP_A})
    assert list(results.page) == []


@pytest.mark.parametrize(
    "name, key",
    [
        ("区家麟", "oujialin"),
        ("单田芳", "shantianfang"),
        ("尉迟恭", "yuchigong"),
        ("張三", "zhangsan"),
        ("欧阳修", "ouyangxiu"),
        ("John Smith", "johnsmith"),
        ("", ""),
    ],
)
def test_the_pinyin_sort_key_is_the_main_reading(name, key):
    assert search.pinyin_sort_key(name) == key


def test_numbers_are_indexed_as_the_search_box_reads_them():
    assert search.phone_key("+86 138-1234-5678") == "13812345678"
    assert search.phone_key("0572-8881234") == "05728881234"
    assert search.id_number_key(ID_ZHANG.lower()) == ID_ZHANG
    assert search.id_number_key("330599800101001") == idcard.convert_15_to_18("330599800101001")


def test_index_person_writes_keys_and_the_sort_key(world):
    person = Person.objects.create(name="曾国藩", gender="1", region_id=VILLAGE_A1)
    search.index_person(person)
    keys = set(person.search_keys.values_list("kind", "key", "region_code"))
    assert keys == {("p", "zengguofan", VILLAGE_A1), ("i", "zgf", VILLAGE_A1)}
    assert Person.objects.get(pk=person.pk).name_pinyin == "zengguofan"

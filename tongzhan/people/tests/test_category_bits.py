"""Person.category_bits, the copy of a person's categories the list's covering index holds:
its encoding, every writer keeping it equal to the PersonCategory rows, the queries that
read it (line scope, category filter, counts), and the migration that filled it."""

from collections import Counter

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from hypothesis import given
from hypothesis import strategies as st

from tongzhan.core.choices import Category
from tongzhan.people import services
from tongzhan.people.filters import count_by_category, find_people
from tongzhan.people.models import Person, PersonCategory, category_bits, codes_of
from tongzhan.people.tests.test_services import new_person_data
from tongzhan.testing import VILLAGE_A1, category_bits_drift, make_person

ALL_CODES = list(Category.values)


@given(st.sets(st.sampled_from(ALL_CODES)))
def test_codes_survive_the_bit_set(codes):
    assert codes_of(category_bits(codes)) == sorted(codes)


def test_code_nn_is_bit_nn_minus_one():
    # The migration's SQL backfill computes the same bits: 1 << (code - 1).
    assert category_bits(["01"]) == 1 and category_bits(["12"]) == 1 << 11
    assert category_bits(["06", "01", "06"]) == 0b100001
    assert codes_of(0) == []


def test_creating_and_editing_a_person_keeps_the_bits_with_the_rows(world):
    user = world.user("township_a")
    person = services.do_create_person(user, new_person_data(categories=["06", "03"]))
    assert Person.objects.get(pk=person.pk).category_bits == category_bits(["03", "06"])
    person = services.do_update_person(user, person, {"categories": ["05"]}, person.version)
    assert Person.objects.get(pk=person.pk).category_bits == category_bits(["05"])
    # An edit that does not touch the categories leaves them as they are.
    person = services.do_update_person(user, person, {"notes": "改了备注"}, person.version)
    assert Person.objects.get(pk=person.pk).category_bits == category_bits(["05"])
    assert category_bits_drift() == {}


def test_a_line_sees_a_person_only_while_one_of_its_categories_is_the_persons(world):
    line, township = world.user("unit_contact"), world.user("township_a")
    person = world.person_a1  # 非公有制经济人士: in the line
    assert Person.objects.restrict(line, "view").filter(pk=person.pk).exists()
    person = services.do_update_person(township, person, {"categories": ["05"]}, person.version)
    assert not Person.objects.restrict(line, "view").filter(pk=person.pk).exists()
    person = services.do_update_person(
        township, person, {"categories": ["05", "07"]}, person.version
    )
    assert Person.objects.restrict(line, "view").filter(pk=person.pk).exists()


def test_counts_and_the_category_filter_agree_with_the_category_rows(world):
    make_person("赵两类", VILLAGE_A1, ["06", "07"])
    make_person("钱无类", VILLAGE_A1, [])
    user = world.user("county_staff")
    total, per_category = count_by_category(Person.objects.restrict(user, "view"))
    assert total == Person.objects.count()
    rows = Counter(PersonCategory.objects.values_list("category", flat=True))
    assert per_category == dict(rows)
    results = find_people(user, {"category": "07"})
    assert [p.name for p in results.page] == ["赵两类"]
    assert results.page[0].category_codes() == ["06", "07"]


@pytest.mark.django_db(transaction=True)
def test_the_migration_fills_the_bits_from_the_category_rows(world):
    make_person("赵两类", VILLAGE_A1, ["06", "07"])
    executor = MigrationExecutor(connection)
    executor.migrate([("people", "0005_person_fewer_indexes")])
    executor.loader.build_graph()
    executor.migrate([("people", "0006_person_category_bits")])
    assert category_bits_drift() == {}
    assert Person.objects.get(name="赵两类").category_bits == category_bits(["06", "07"])
    assert Person.objects.filter(category_bits=0).count() == 0


def test_totals_by_child_region_count_each_category_of_active_persons(world):
    from tongzhan.core.choices import PersonStatus
    from tongzhan.core.models import Region
    from tongzhan.people.stats import totals_by_child
    from tongzhan.testing import COUNTY, VILLAGE_B1

    make_person("赵两类", VILLAGE_A1, ["06", "07"])
    make_person("孙调出", VILLAGE_B1, ["06"], status=PersonStatus.TRANSFERRED)
    rows = totals_by_child(world.user("leader"), Region.objects.get(code=COUNTY))
    by_name = {row["region"].name: row for row in rows}
    index = {code: i for i, code in enumerate(Category.values)}
    a, b = by_name["清溪镇"], by_name["白石乡"]
    # 清溪镇: 张青山 (06), 释明心 (05), 赵两类 (06, 07); 白石乡: 李白石 (06), not 孙调出.
    assert a["total"] == 3 and b["total"] == 1
    assert [a["categories"][index[c]] for c in ("05", "06", "07")] == [1, 2, 1]
    assert b["categories"][index["06"]] == 1 and sum(b["categories"]) == 1

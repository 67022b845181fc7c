"""The indexes people_person has after the migrations: the ones the list and the import
rely on, and none of those 0005 removed. An AlterField on SQLite copies the table and
would silently drop the indexes created with SQL (0003, 0004); this catches that."""

from django.db import connection

from tongzhan.people.models import Person


def person_indexes() -> dict[str, list[str]]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Person._meta.db_table)
    return {
        name: info["columns"]
        for name, info in constraints.items()
        if info["index"] and not (info["primary_key"] or info["unique"])
    }


def test_the_covering_and_partial_indexes_survive_the_migrations(db):
    indexes = person_indexes()
    assert indexes["people_person_scope_cover"][:3] == ["region_id", "name_pinyin", "id"]
    assert "category_bits" in indexes["people_person_scope_cover"]  # 0006: counts, lines
    assert "people_person_no_id" in indexes
    for name in ("person_id_number_index", "person_phone_index", "person_name_key"):
        assert name in indexes


def test_no_index_repeats_another_or_serves_only_like(db):
    indexes = person_indexes()
    assert "person_region_pinyin" not in indexes
    assert not [name for name in indexes if name.endswith("_like")]
    assert [columns for columns in indexes.values() if columns == ["region_id"]] == []

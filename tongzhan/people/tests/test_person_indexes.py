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


# The tables a ledger import writes, 100,000 rows at a time: every index there is paid for
# by each row. (Smaller tables elsewhere keep Django's foreign-key indexes beside composite
# ones that begin with the same column; there the cost does not show.)
IMPORT_TABLES = (
    "people_person",
    "people_personcategory",
    "people_personsearchkey",
    "people_nonpublicprofile",
    "people_religiousprofile",
    "ledgers_importrow",
)
# Partial indexes (created with SQL) cover only some rows: they make no other index spare.
PARTIAL = {"people_person_no_id"}


def spare_indexes(table: str) -> list[tuple[str, str]]:
    """(index, the index that makes it spare): a plain index whose columns begin another
    index's columns, or are a unique index's, serves no lookup that the other does not."""
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    indexes = {
        name: info
        for name, info in constraints.items()
        if (info["index"] or info["unique"] or info["primary_key"]) and name not in PARTIAL
    }
    spare = []
    for name, info in indexes.items():
        if info["unique"] or info["primary_key"]:
            continue
        columns = info["columns"]
        for other, other_info in indexes.items():
            longer = other_info["columns"]
            begins = other != name and longer[: len(columns)] == columns
            if begins and (len(longer) > len(columns) or other_info["unique"]):
                spare.append((name, other))
                break
    return spare


def test_no_table_an_import_writes_keeps_an_index_another_one_makes_spare(db):
    assert {table: spare_indexes(table) for table in IMPORT_TABLES} == dict.fromkeys(
        IMPORT_TABLES, []
    )

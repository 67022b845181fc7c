"""Import rows meet the registry under the duplicate rules: a row with an ID number is a
duplicate of a registered person with the same ID, or — when that person has no ID on
record — of one with the same name or pinyin and birth date."""

from datetime import date

from tongzhan.ledgers.importer.dedupe import check_registry
from tongzhan.ledgers.importer.rows import RowResult
from tongzhan.lib import chinese, crypto

from . import ledger_files as lf


def result(line, name, birth, id_index=""):
    keys = chinese.name_keys(name)
    return RowResult(
        line=line,
        data={"name": name},
        id_index=id_index,
        name_key=keys.simplified,
        pinyin=frozenset(keys.pinyin_full),
        birth=birth,
    )


def test_rows_with_and_without_an_id_number_meet_the_registry_as_before(registry):
    rows = [
        result(1, "赵德明", date(1968, 8, 8), id_index="f" * 64),
        result(2, "许登记", date(1971, 1, 1), id_index="e" * 64),
        result(3, "许登记", date(1971, 1, 1)),
        result(4, "刘阳", date(1990, 1, 1), id_index="d" * 64),
        result(5, "赵德明", date(1968, 9, 8), id_index="c" * 64),
    ]
    check_registry(rows, registry.user("county_admin"))
    assert [r.duplicate for r in rows] == [True, False, True, True, False]
    assert [m["rule"] for m in rows[3].matches] == ["pinyin"]


def test_a_registry_match_names_the_person_and_region_only_within_the_users_scope(registry):
    # Village A1's liaison sees 许登记 (青山村, village A1), not 刘洋 (溪口社区, community A2).
    rows = [
        result(1, "许登记", date(1971, 1, 1), id_index=crypto.blind_index(lf.ID_REGISTERED)),
        result(2, "刘洋", date(1990, 1, 1), id_index="d" * 64),
    ]
    check_registry(rows, registry.user("village_a"))
    same_id, near = rows
    assert same_id.state == "error" and "许登记（青山村）" in same_id.issues[0][2]
    assert [(m["name"], m["region"], m["rule"]) for m in same_id.matches] == [
        ("许登记", "青山村", "id")
    ]
    assert near.duplicate and near.matches == [
        {"id": None, "name": "", "region": "", "rule": "name"}
    ]
    assert "您管辖范围外另有 1 条" in near.issues[0][2]

    rows = [result(2, "刘洋", date(1990, 1, 1), id_index="d" * 64)]
    check_registry(rows, registry.user("township_a"))
    assert [(m["name"], m["region"]) for m in rows[0].matches] == [("刘洋", "溪口社区")]

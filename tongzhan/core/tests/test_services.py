"""The region import: an upsert with history, all-or-nothing, every bad line reported."""

import codecs
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command

from tongzhan.audit.models import AuditAction, AuditEntry
from tongzhan.core.models import Region
from tongzhan.core.regioncsv import RegionFileError, read_region_csv
from tongzhan.core.services import RegionImportError, do_import_regions, plan_region_import
from tongzhan.testing import COUNTY, TOWNSHIP_A, TOWNSHIP_B, VILLAGE_A1, VILLAGE_B1

# The test world's tree (tongzhan.testing), as a statistics bureau would publish it.
WORLD_LINES = [
    "330000000000,浙江省,",
    "330500000000,湖州市,",
    "330599000000,清溪县,",
    "330599101000,清溪镇,",
    "330599101001,溪口社区,121",
    "330599101201,青山村,122",
    "330599201000,白石乡,",
    "330599201201,白石村,210",
]


def csv_bytes(lines, encoding="utf-8", header=None) -> bytes:
    text = "\n".join(([header] if header else []) + list(lines)) + "\n"
    return text.encode(encoding)


def import_lines(lines, year=2026, **kwargs):
    parsed = read_region_csv(csv_bytes(lines))
    assert not parsed.errors, parsed.errors
    return do_import_regions(None, parsed.rows, year, **kwargs)


def without(lines, *codes):
    return [line for line in lines if line.split(",")[0] not in codes]


def import_audits():
    return AuditEntry.objects.filter(action=AuditAction.IMPORT)


@pytest.mark.django_db
def test_an_import_into_an_empty_tree_creates_every_level_with_parents_and_an_audit_row():
    plan = import_lines(WORLD_LINES)
    assert plan.counts() == {"create": 8, "update": 0, "retire": 0, "restore": 0, "unchanged": 0}
    village = Region.objects.get(code=VILLAGE_A1)
    assert (village.level, village.parent_id, village.urban_rural) == (5, TOWNSHIP_A, "122")
    assert village.kind == "村" and village.valid_year == 2026
    assert [r.name for r in village.ancestors()] == ["浙江省", "湖州市", "清溪县", "清溪镇"]
    entry = import_audits().get()
    detail = json.loads(entry.detail)
    assert (detail["create"], detail["rows"], detail["year"]) == (8, 8, 2026)
    assert entry.object_id == "330000000000"


@pytest.mark.django_db
def test_a_second_import_of_the_same_list_changes_nothing():
    import_lines(WORLD_LINES)
    plan = import_lines(WORLD_LINES)
    assert plan.summary() == "新增 0，更新 0，撤销 0，恢复 0，未变 8"


def test_every_malformed_line_is_reported_with_its_number_and_nothing_is_written(world):
    before = Region.objects.count()
    lines = [
        "330599101202,石桥村,220",  # fine
        "33059910120,短代码村,220",  # 11 digits
        "330599101203,,220",  # no name
        "330599101204,竹林村,999",  # unknown 城乡分类
        "330599101202,石桥村,220",  # duplicate of line 1
        "330599301201,无主村,220",  # township 301 exists nowhere
        "330599101205,桃源村,220,20x6",  # bad year
    ]
    parsed = read_region_csv(csv_bytes(lines))
    plan = plan_region_import(parsed, 2026)
    assert plan.errors == [
        "第 2 行：区划代码必须是 12 位数字：'33059910120'",
        "第 3 行：名称为空",
        "第 4 行：城乡分类代码 999 无效（应为 111、112、121、122、123、210、220 之一）",
        "第 5 行：区划代码 330599101202 与第 1 行重复",
        "第 6 行：上级区划 330599301000 既不在文件中，也不在系统中",
        "第 7 行：年度 20x6 无效（应为四位年份）",
    ]
    # The writer itself refuses too: the good line 1 is not written beside the orphan.
    with pytest.raises(RegionImportError) as raised:
        do_import_regions(None, parsed.rows, 2026)
    assert raised.value.plan.errors == [plan.errors[4]]
    assert Region.objects.count() == before
    assert not import_audits().exists()


def test_the_command_lists_all_errors_and_exits_non_zero(world, tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes(["330599101202,石桥村,220", "abc,坏行,", "330599101203,,"]))
    with pytest.raises(CommandError, match="共 2 处错误，未写入任何数据"):
        call_command("import_regions", str(path), "--year", "2026")
    err = capsys.readouterr().err
    assert "第 2 行：区划代码必须是 12 位数字：'abc'" in err
    assert "第 3 行：名称为空" in err
    assert not Region.objects.filter(code="330599101202").exists()


def test_a_child_of_a_malformed_line_is_not_also_blamed_for_a_missing_parent(db):
    parsed = read_region_csv(
        csv_bytes(["330000000000,浙江省", "330500000000,", "330599000000,清溪县"])
    )
    plan = plan_region_import(parsed, 2026)
    assert plan.errors == ["第 2 行：名称为空"]


def test_a_region_missing_from_a_full_list_is_retired_and_kept(world):
    import_lines(WORLD_LINES)
    plan = import_lines(without(WORLD_LINES, VILLAGE_A1), year=2027)
    assert [(c.kind, c.code) for c in plan.changes] == [("retire", VILLAGE_A1)]
    village = Region.objects.get(code=VILLAGE_A1)
    assert village.retired and village.retired_year == 2027
    # The person filed there still points at it: retired, never deleted.
    world.person_a1.refresh_from_db()
    assert world.person_a1.region_id == VILLAGE_A1
    assert json.loads(import_audits().first().detail)["retire_codes"] == {VILLAGE_A1: "青山村"}


def test_a_retired_township_takes_its_villages_with_it(world):
    import_lines(WORLD_LINES)
    plan = import_lines(without(WORLD_LINES, TOWNSHIP_B, VILLAGE_B1), year=2027)
    assert sorted(c.code for c in plan.changes if c.kind == "retire") == [TOWNSHIP_B, VILLAGE_B1]


def test_a_region_that_reappears_is_restored(world):
    import_lines(WORLD_LINES)
    import_lines(without(WORLD_LINES, VILLAGE_A1), year=2027)
    plan = import_lines(WORLD_LINES, year=2028)
    assert plan.counts()["restore"] == 1
    village = Region.objects.get(code=VILLAGE_A1)
    assert (village.retired, village.retired_year, village.valid_year) == (False, None, 2028)


def test_a_child_of_a_retired_region_must_bring_its_parent_back(world):
    import_lines(WORLD_LINES)
    import_lines(without(WORLD_LINES, TOWNSHIP_B, VILLAGE_B1), year=2027)
    parsed = read_region_csv(csv_bytes(["330599201202,高坪村,220"]))
    plan = plan_region_import(parsed, 2027)
    assert plan.errors == ["第 1 行：上级区划 330599201000（白石乡）已撤销，请在文件中一并列出"]


def test_a_renamed_region_is_an_update_that_keeps_the_old_name_in_the_audit(world):
    import_lines(WORLD_LINES)
    renamed = [line.replace("青山村", "青山新村") for line in WORLD_LINES]
    plan = import_lines(renamed, year=2027)
    assert [(c.kind, c.code, c.before) for c in plan.changes] == [
        ("update", VILLAGE_A1, {"name": "青山村"})
    ]
    assert Region.objects.get(code=VILLAGE_A1).name == "青山新村"
    detail = json.loads(import_audits().first().detail)
    assert detail["update_codes"][VILLAGE_A1] == {"before": {"name": "青山村"}, "name": "青山新村"}
    # Every other region moved on to the new year without counting as a change.
    assert plan.unchanged == 7
    assert Region.objects.get(code=COUNTY).valid_year == 2027


def test_a_list_without_the_urban_rural_column_keeps_the_stored_classification(world):
    import_lines(WORLD_LINES)
    plan = import_lines([",".join(line.split(",")[:2]) for line in WORLD_LINES])
    assert plan.counts()["update"] == 0
    assert Region.objects.get(code=VILLAGE_A1).urban_rural == "122"


def test_a_list_of_one_township_leaves_the_other_townships_alone(world):
    import_lines(WORLD_LINES)
    plan = import_lines(["330599101000,清溪镇,", "330599101201,青山村,122"], year=2027)
    assert [(c.kind, c.code) for c in plan.changes] == [("retire", "330599101001")]
    assert not Region.objects.get(code=TOWNSHIP_B).retired


def test_a_partial_import_retires_nothing(world):
    import_lines(WORLD_LINES)
    plan = import_lines(["330599101000,清溪镇,", "330599101202,石桥村,220"], partial=True)
    assert plan.counts()["retire"] == 0 and plan.counts()["create"] == 1
    assert not Region.objects.filter(retired=True).exists()


def test_an_older_list_cannot_overwrite_a_newer_one(world):
    import_lines(WORLD_LINES, year=2026)
    parsed = read_region_csv(csv_bytes(WORLD_LINES))
    plan = plan_region_import(parsed, 2024)
    assert len(plan.errors) == 1 and "晚于导入年度 2024" in plan.errors[0]


def test_the_year_comes_from_the_year_column_when_not_given(db):
    plan = plan_region_import(read_region_csv(csv_bytes(["330000000000,浙江省,,2023"])))
    assert plan.year == 2023


def test_a_row_year_later_than_the_import_year_is_an_error(db):
    parsed = read_region_csv(csv_bytes(["330000000000,浙江省,,2027"]))
    assert plan_region_import(parsed, 2026).errors == ["第 1 行：年度 2027 晚于导入年度 2026"]


@pytest.mark.django_db
@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig", "utf-8", "utf-16"])
def test_government_exports_in_gbk_or_with_a_bom_are_read(encoding):
    data = csv_bytes(WORLD_LINES, encoding=encoding, header="区划代码,名称,城乡分类代码")
    if encoding == "utf-16":  # Excel's "Unicode text": UTF-16 with a BOM, tab-separated
        data = data.decode("utf-16").replace(",", "\t").encode("utf-16")
    else:
        assert not data.startswith(codecs.BOM_UTF16_LE)
    parsed = read_region_csv(data)
    assert not parsed.errors
    assert [r.name for r in parsed.rows][:3] == ["浙江省", "湖州市", "清溪县"]
    assert parsed.rows[4].urban_rural == "121"


def test_a_header_with_columns_in_another_order_is_followed():
    parsed = read_region_csv(csv_bytes(["青山村,2025,330599101201"], header="名称,年度,区划代码"))
    assert [(r.code, r.name, r.year) for r in parsed.rows] == [(VILLAGE_A1, "青山村", 2025)]


def test_a_header_without_a_code_column_is_refused():
    parsed = read_region_csv(csv_bytes(["青山村"], header="名称"))
    assert parsed.errors == [(1, "表头须包含“区划代码”和“名称”两列")]


def test_a_code_excel_turned_into_scientific_notation_gets_a_hint():
    parsed = read_region_csv(csv_bytes(["3.30599E+11,青山村"]))
    assert "科学计数法" in parsed.errors[0][1]


def test_extra_columns_without_a_header_are_an_error():
    parsed = read_region_csv(csv_bytes(["330599101201,青山村,122,2026,多余"]))
    assert "列数过多" in parsed.errors[0][1]


@pytest.mark.parametrize("data", [b"", b"\n\n", "\ufeff".encode()])
def test_a_file_without_data_rows_is_refused(data):
    with pytest.raises(RegionFileError, match="没有数据行"):
        read_region_csv(data)


def test_bytes_that_are_neither_utf8_nor_gbk_are_refused():
    with pytest.raises(RegionFileError, match="无法识别文件编码"):
        read_region_csv(b"\x81\x30\xff\xff")


def test_a_dry_run_reports_the_changes_and_writes_nothing(world, tmp_path, capsys):
    path = tmp_path / "list.csv"
    path.write_bytes(csv_bytes([*WORLD_LINES, "330599101202,石桥村,220"], encoding="gbk"))
    call_command("import_regions", str(path), "--year", "2026", "--dry-run")
    out = capsys.readouterr().out
    assert "未写入" in out and "新增 1" in out
    assert not Region.objects.filter(code="330599101202").exists()
    assert not import_audits().exists()


def test_the_command_imports_and_prints_the_summary(world, tmp_path, capsys):
    path = tmp_path / "list.csv"
    path.write_bytes(
        csv_bytes([*WORLD_LINES, "330599101202,石桥村,220"], header="code,name,urban_rural")
    )
    call_command("import_regions", str(path), "--year", "2026")
    # The world's villages had no 城乡分类 yet: the three of them gain one.
    assert (
        "导入完成：2026 年度，9 行；新增 1，更新 3，撤销 0，恢复 0，未变 5"
        in capsys.readouterr().out
    )
    assert import_audits().get().username.startswith("cli")


def test_the_command_reports_a_missing_file_plainly(tmp_path):
    with pytest.raises(CommandError, match="无法读取文件"):
        call_command("import_regions", str(tmp_path / "nope.csv"))


def test_only_the_system_administrator_may_import(world):
    rows = read_region_csv(csv_bytes(WORLD_LINES)).rows
    with pytest.raises(PermissionDenied):
        do_import_regions(world.user("county_staff"), rows, 2026)
    plan = do_import_regions(world.user("county_admin"), rows, 2026)
    assert plan.ok
    assert import_audits().get().username == "county_admin"

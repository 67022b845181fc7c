"""A messy ledger, built here with every defect townships' files have, checked row by row:
each row's state, the column named and the reason given."""

import pytest

from tongzhan.ledgers import services
from tongzhan.ledgers.importer import values
from tongzhan.ledgers.importer.columns import find_layout, match_header
from tongzhan.ledgers.models import ImportJob, ImportRow
from tongzhan.ledgers.tests import ledger_files as lf
from tongzhan.people.models import Person


def check(path, user, **options) -> ImportJob:
    return services.run_import(path, user, dry_run=True, options=options).job


def rows_by_line(job) -> dict[int, ImportRow]:
    return {row.line: row for row in ImportRow.objects.filter(job=job)}


def squeeze(text: str) -> str:
    return "".join(text.split())


def assert_rows_as_expected(job, expected: dict[int, tuple]) -> None:
    rows = rows_by_line(job)
    assert sorted(rows) == sorted(expected), "data rows found differ from the ledger's"
    wrong = []
    for line, (state, column, words) in expected.items():
        row = rows[line]
        found = [(squeeze(c), m) for _level, c, m in row.issues]
        if row.state != state:
            wrong.append(f"line {line}: state {row.state}, want {state} ({row.issues})")
        elif words and not any(words in message and squeeze(column) == c for c, message in found):
            wrong.append(f"line {line}: no issue '{words}' in column {column}: {row.issues}")
        elif state == "ok" and row.issues:
            wrong.append(f"line {line}: an ok row has issues {row.issues}")
    assert not wrong, "\n".join(wrong)


def test_every_row_of_the_messy_xlsx_gets_its_state_column_and_reason(registry, tmp_path):
    path = lf.write_messy_xlsx(tmp_path / "清溪镇花名册.xlsx")
    job = check(path, registry.user("township_a"))
    assert job.status == ImportJob.Status.VALIDATED, job.message
    assert_rows_as_expected(job, lf.expected_by_line())


def test_rows_in_equal_rows_imported_plus_rows_reported(registry, tmp_path):
    path = lf.write_messy_xlsx(tmp_path / "messy.xlsx")
    expected = lf.expected_by_line()
    before = Person.objects.count()
    run = services.run_import(path, registry.user("township_a"))
    job = run.job
    assert job.status == ImportJob.Status.DONE, job.message
    assert job.rows_total == len(expected) == 33
    importable = sum(1 for state, *_ in expected.values() if state in ("ok", "warning"))
    assert job.imported_count == importable == Person.objects.count() - before
    reported = job.error_count + job.skipped_count
    assert (
        job.rows_total
        == job.imported_count + reported
        == job.imported_count + job.not_imported_count
    )
    # Two blank rows inside the data; the formatted empty rows after it are not rows.
    assert job.rows_blank == 2


def test_the_header_is_found_under_the_title_and_the_two_merged_header_rows(registry, tmp_path):
    job = check(lf.write_messy_xlsx(tmp_path / "messy.xlsx"), registry.user("township_a"))
    assert job.layout["header_line"] == 4
    columns = job.layout["columns"]
    assert (columns["work_unit"], columns["post"]) == (10, 11)  # 单位 | 职务 under the merge
    assert columns["id_number"] == 3 and columns["region"] == 13
    assert job.layout["ignored"] == []


def test_cells_are_read_as_typed_full_width_padded_serial_and_merged(registry, tmp_path):
    job = check(lf.write_messy_xlsx(tmp_path / "messy.xlsx"), registry.user("township_a"))
    rows = {row.summary["name"]: row for row in ImportRow.objects.filter(job=job)}
    li = rows["李秀英"]  # "李　秀英" with an ideographic space; full-width ID and phone
    assert li.summary["id"] == lf.ID_LI[:6] + "********" + lf.ID_LI[-4:]
    assert li.data["phone_masked"] == "139****5678"
    assert li.data["categories"] == ["03", "07"]
    assert rows["郑序列"].data["birth_date"] == "1975-03-01"  # Excel serial 27454
    assert rows["冯日期"].data["birth_date"] == "1966-06-06"  # a date cell
    assert rows["王建国"].data["birth_date"] == "1975-03-01"  # 1975.03 + the ID's day
    assert rows["王建国"].data["political_status"] == "06"  # 民建会员
    assert rows["杨全称"].data["political_status"] == "06"  # 中国民主建国会
    assert rows["杨全称"].data["ethnicity"] == "03"  # 回 for 回族
    assert (rows["王建国"].data["work_unit"], rows["王建国"].data["post"]) == (
        "清溪建材有限公司",
        "总经理",
    )
    assert (
        rows["孙推导"].data["gender"] == "1" and rows["孙推导"].data["birth_date"] == "1969-09-09"
    )
    assert rows["华合并"].summary["region"] == "青山村"  # merged down from the row above
    assert rows["施社区"].summary["region"] == "溪口社区"  # "清溪镇溪口社区"


def test_nothing_reaches_the_registry_or_the_audit_log_before_confirm(registry, tmp_path):
    from tongzhan.audit.models import AuditAction, AuditEntry

    before = Person.objects.count()
    job = check(lf.write_messy_xlsx(tmp_path / "messy.xlsx"), registry.user("township_a"))
    assert job.status == ImportJob.Status.VALIDATED
    assert Person.objects.count() == before
    assert not AuditEntry.objects.filter(
        action__in=[AuditAction.CREATE, AuditAction.IMPORT]
    ).exists()


def test_the_stored_rows_hold_no_raw_id_or_phone_number(registry, tmp_path):
    job = check(lf.write_messy_xlsx(tmp_path / "messy.xlsx"), registry.user("township_a"))
    stored = repr(list(ImportRow.objects.filter(job=job).values_list("data", "summary", "issues")))
    for raw in (lf.ID_WANG, lf.ID_LI, "13812345678", "13912345678"):
        assert raw not in stored


def test_the_uploaded_file_is_removed_once_its_rows_are_checked(registry, tmp_path, settings):
    job = check(lf.write_messy_xlsx(tmp_path / "messy.xlsx"), registry.user("township_a"))
    assert job.stored_file and not (settings.IMPORT_DIR / job.stored_file).exists()


def test_a_gbk_csv_is_read_with_its_header_synonyms(registry, tmp_path):
    path = lf.write_csv(tmp_path / "花名册.csv", "gbk")
    job = check(path, registry.user("township_a"))
    assert job.status == ImportJob.Status.VALIDATED, job.message
    assert_rows_as_expected(job, lf.csv_expected_by_line())
    rows = {row.summary["name"]: row for row in ImportRow.objects.filter(job=job)}
    assert (rows["欧阳明"].data["work_unit"], rows["欧阳明"].data["post"]) == (
        "清溪镇中心小学",
        "校长",
    )
    assert rows["欧阳明"].data["political_status"] == "09"  # 致公党
    assert (rows["曾红"].data["ethnicity"], rows["曾红"].data["political_status"]) == ("22", "08")
    assert rows["曾红"].data["phone_masked"] == "057*****1234"
    assert rows["曾红"].summary["region"] == "清溪镇"
    assert job.rows_blank == 1


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_a_csv_in_utf8_with_or_without_bom_or_gb18030_reads_the_same(registry, tmp_path, encoding):
    job = check(lf.write_csv(tmp_path / "a.csv", encoding), registry.user("township_a"))
    assert_rows_as_expected(job, lf.csv_expected_by_line())


def test_township_a_cannot_import_into_township_b_villages(registry, tmp_path):
    path = lf.write_csv(tmp_path / "b.csv", "utf-8")
    job = check(path, registry.user("township_b"))
    rows = rows_by_line(job)
    # 青山村 and 清溪镇 belong to township A: every person row is out of township B's scope.
    for line in (3, 6):
        assert rows[line].state == "error"
        assert any("不在您的管辖范围内" in message for _l, _c, message in rows[line].issues)


def test_a_line_contact_cannot_import_persons_outside_its_lines(registry, tmp_path):
    job = check(lf.write_csv(tmp_path / "c.csv", "utf-8"), registry.user("unit_contact"))
    row = rows_by_line(job)[3]  # 欧阳明, 党外知识分子: not the 工商联 lines
    assert row.state == "error"
    assert any("类别不在您负责的条线内" in message for _l, _c, message in row.issues)


def test_default_region_and_categories_fill_a_ledger_without_those_columns(world, tmp_path):
    import csv

    path = tmp_path / "min.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([["姓名", "性别", "出生年月"], ["顾无列", "女", "1980.02"]])
    job = check(
        path, world.user("township_a"), default_region="330599101201", default_categories=["06"]
    )
    row = ImportRow.objects.get(job=job)
    assert row.state == "ok", row.issues
    assert (row.data["region_id"], row.data["categories"]) == ("330599101201", ["06"])
    job = check(path, world.user("township_a"))
    messages = [m for _l, _c, m in ImportRow.objects.get(job=job).issues]
    assert any("所属区域为空" in m for m in messages) and any("类别为空" in m for m in messages)


def test_a_file_without_a_header_fails_with_the_reason_and_keeps_no_rows(world, tmp_path):
    path = tmp_path / "nohead.csv"
    path.write_text("甲,乙,丙\n1,2,3\n", encoding="utf-8")
    job = check(path, world.user("township_a"))
    assert job.status == ImportJob.Status.FAILED
    assert "没有找到表头" in job.message
    assert not ImportRow.objects.filter(job=job).exists()


def test_a_file_that_is_not_a_spreadsheet_fails_cleanly(world, tmp_path):
    path = tmp_path / "fake.xlsx"
    path.write_bytes(b"not a zip file at all")
    job = check(path, world.user("township_a"))
    assert job.status == ImportJob.Status.FAILED and "无法读取" in job.message


# --- the cell readers ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "cell, expected, month_only",
    [
        ("1975.03", "1975-03-01", True),
        ("1975.3", "1975-03-01", True),
        ("1975年3月", "1975-03-01", True),
        ("1975年3月8日", "1975-03-08", False),
        ("1975-03-01", "1975-03-01", False),
        ("1975/3/1", "1975-03-01", False),
        ("197503", "1975-03-01", True),
        ("19750308", "1975-03-08", False),
        ("1975-03-08 00:00:00", "1975-03-08", False),
        ("１９７５．０３", "1975-03-01", True),
        (27454.0, "1975-03-01", False),
        (1975.03, "1975-03-01", True),
        (1975.12, "1975-12-01", True),
        (19750308, "1975-03-08", False),
    ],
)
def test_dates_are_read_as_ledgers_write_them(cell, expected, month_only):
    from datetime import date

    parsed, only_month, _note = values.parse_date(cell, today=date(2026, 1, 1))
    assert (parsed.isoformat(), only_month) == (expected, month_only)


@pytest.mark.parametrize("cell", ["1975", "1975.13", "75.3", "三月", "1975-02-30", 1975.0])
def test_dates_that_cannot_be_read_say_so(cell):
    from datetime import date

    with pytest.raises(values.Problem):
        values.parse_date(cell, today=date(2026, 1, 1))


def test_a_number_cell_1975_point_1_may_be_october_and_says_so():
    from datetime import date

    parsed, _month_only, note = values.parse_date(1975.1, today=date(2026, 1, 1))
    assert parsed == date(1975, 1, 1) and "10 月" in note


@pytest.mark.parametrize(
    "table, text, code",
    [
        ("political_status", "民建会员", "06"),
        ("political_status", "中国民主建国会", "06"),
        ("political_status", "民建", "06"),
        ("political_status", "九三学社社员", "10"),
        ("political_status", "民革党员", "04"),
        ("political_status", "台盟盟员", "11"),
        ("political_status", "中共党员", "01"),
        ("political_status", "无党派人士", "12"),
        ("ethnicity", "汉", "01"),
        ("ethnicity", "汉族", "01"),
        ("ethnicity", "蒙古", "02"),
        ("education", "大专", "30"),
        ("religion", "基督教", "J"),
    ],
)
def test_code_tables_accept_the_names_ledgers_use(table, text, code):
    assert values.parse_choice(table, text) == code


def test_categories_split_on_every_separator_and_keep_labels_with_a_pause_mark():
    assert values.parse_categories("香港同胞、澳门同胞；华侨、归侨及侨眷") == ["09", "11"]
    assert values.parse_categories("非公 新阶层/06") == ["06", "07"]
    with pytest.raises(values.Problem):
        values.parse_categories("非公、外星人")


@pytest.mark.parametrize(
    "cell, phone",
    [
        ("13812345678", "13812345678"),
        (13812345678.0, "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("0572-5551234", "0572-5551234"),
        ("（0572）5551234", "0572-5551234"),
    ],
)
def test_phones_are_normalised(cell, phone):
    assert values.parse_phone(cell)[0] == phone


def test_header_synonyms_and_annotations_are_recognised():
    assert match_header("公民身份号码") == "id_number"
    assert match_header("身份证号码（18位）") == "id_number"
    assert match_header("出生年月（年.月）") == "birth_date"
    assert match_header("名字") == "name"
    assert match_header("*姓 名") == "name"
    assert match_header("村（社区）") == "region"
    assert match_header("工作单位及职务") == "work_unit_post"


def test_a_two_row_header_combines_the_merged_parent_with_its_children():
    rows = [
        ["清溪镇花名册", "", "", ""],
        ["姓名", "性别", "联系方式", ""],
        ["", "", "手机", "办公电话"],
        ["王一", "男", "13800000000", "0572-1234567"],
    ]
    layout = find_layout(rows)
    assert layout.header_rows == [1, 2]
    assert layout.columns == {"name": 0, "gender": 1, "phone": 2, "phone_alt": 3}


def test_duplicates_within_the_file_are_found_by_id_name_and_pinyin(world, tmp_path):
    import csv

    path = tmp_path / "dups.csv"
    rows = [
        ["姓名", "性别", "身份证号", "出生年月", "村（社区）", "类别"],
        ["马同名", "男", "", "1980.02", "青山村", "其他"],  # line 2
        ["马同名", "男", "", "1980-02-14", "青山村", "其他"],  # 3: same name, same month
        ["刘洋", "男", "", "1990.01", "青山村", "其他"],  # 4
        ["柳扬", "男", "", "1990.01", "青山村", "其他"],  # 5: same pinyin and month
        ["甲有证", "男", lf.id_number("19700101", "111"), "", "青山村", "其他"],  # 6
        ["甲有证", "男", lf.id_number("19700101", "131"), "", "青山村", "其他"],  # 7: two IDs
        ["乙重号", "男", lf.id_number("19700101", "111"), "", "青山村", "其他"],  # 8: ID of 6
        ["马同名", "男", "", "1981.02", "青山村", "其他"],  # 9: another year
    ]
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    job = check(path, world.user("township_a"))
    by_line = rows_by_line(job)
    assert by_line[3].duplicate and "与第 2 行姓名、出生日期相同" in by_line[3].issues[0][2]
    assert by_line[5].duplicate and "与第 4 行姓名拼音、出生日期相同" in by_line[5].issues[0][2]
    assert not by_line[7].duplicate and by_line[7].state == "ok"  # different ID numbers
    assert by_line[8].state == "error" and "与第 6 行的身份证号相同" in by_line[8].issues[0][2]
    assert not by_line[9].duplicate and by_line[2].state == "ok"
    assert job.duplicate_count == 2


def test_regions_by_township_and_village_columns_or_by_code_and_more_unknown_values(
    world, tmp_path
):
    import csv

    path = tmp_path / "towns.csv"
    rows = [
        ["姓名", "性别", "出生年月", "乡镇（街道）", "村（社区）", "区划代码", "党派", "类别"],
        ["一号", "男", "1980.01", "清溪镇", "青山村", "", "民建", "其他"],  # 2
        ["二号", "男", "1980.01", "", "", "330599101001", "群众", "其他"],  # 3: by code
        ["三号", "不详", "1980.01", "清溪镇", "青山村", "", "群众", "其他"],  # 4: gender
        ["四号", "女", "1980.01", "清溪镇", "青山村", "", "共产主义者", "其他"],  # 5: party
        ["五号", "女", "1980.01", "白石乡", "青山村", "", "群众", "其他"],  # 6: wrong town
        ["六号", "女", "1980.01", "", "", "330599999999", "群众", "其他"],  # 7: no such code
        ["总计", "", "", "", "", "", "", ""],  # 8
    ]
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    job = check(path, world.user("township_a"))
    by_line = rows_by_line(job)
    assert by_line[2].state == "ok" and by_line[2].data["region_id"] == "330599101201"
    assert by_line[2].data["political_status"] == "06"
    assert by_line[3].state == "ok" and by_line[3].data["region_id"] == "330599101001"
    assert by_line[4].state == "error" and "无法识别" in by_line[4].issues[0][2]
    assert by_line[5].state == "warning" and by_line[5].issues[0][1] == "党派"
    assert by_line[6].state == "error" and "未找到区域" in by_line[6].issues[0][2]
    assert by_line[7].state == "error" and "区划代码" in by_line[7].issues[0][1]
    assert by_line[8].state == "skipped"


def test_a_region_out_of_scope_is_refused_on_every_row_with_a_fresh_error(registry):
    from tongzhan.ledgers.importer.regions import RegionResolver
    from tongzhan.ledgers.importer.values import Problem
    from tongzhan.testing import VILLAGE_A1

    regions = RegionResolver(registry.user("township_b"))
    raised = []
    for _row in range(2):  # the answer is cached after the first row
        with pytest.raises(Problem, match="不在您的管辖范围内") as caught:
            regions.check_scope(VILLAGE_A1, ["06"])
        raised.append(caught.value)
    assert raised[0] is not raised[1]  # one instance raised twice would keep both tracebacks
    regions.check_scope("330599201201", ["06"])  # its own village passes, cached or not
    regions.check_scope("330599201201", ["06"])

"""Importing an organisation list: the preview names row, column and reason; confirm writes
the good rows in one transaction, and only with the user's consent when some rows are bad."""

import csv
import io

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tongzhan.audit.models import AuditAction, AuditEntry
from tongzhan.orgs.models import Organisation

from .helpers import make_org, valid_uscc

HEADER = [
    "序号",
    "组织名称",
    "类型",
    "乡镇",
    "村（社区）",
    "上级组织",
    "负责人",
    "统一社会信用代码",
    "登记证号",
    "宗教",
    "成立日期",
]
GOOD = [
    [1, "青山商会", "基层商会", "清溪镇", "青山村", "", "张青山", "", "", "", "2015.06"],
    [2, "青山商会竹木分会", "行业商会", "清溪镇", "青山村", "青山商会", "", "", "", "", ""],
    [
        3,
        "溪口禅寺",
        "宗教活动场所",
        "清溪镇",
        "溪口社区",
        "",
        "释明心",
        "",
        "宗场证字（浙）F330990001",
        "佛教",
        "",
    ],
    [
        4,
        "青山竹木制品有限公司",
        "非公企业",
        "",
        "330599101201",
        "",
        "王老板",
        valid_uscc(),
        "",
        "",
        "2010-03-01",
    ],
]
BAD = [
    [5, "坏代码公司", "企业", "清溪镇", "青山村", "", "", "91330599MA2B3C4D5X", "", "", ""],
    [6, "白石茶叶商会", "商会", "白石乡", "白石村", "", "", "", "", "", ""],
    [7, "某某会", "兴趣小组", "清溪镇", "青山村", "", "", "", "", "", ""],
    [
        8,
        "溪口道观",
        "宗教活动场所",
        "清溪镇",
        "溪口社区",
        "",
        "",
        "",
        "宗场证字(浙)F330990002",
        "道教",
        "",
    ],
]


def xlsx(rows, title="清溪镇组织名单") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    sheet.merge_range(0, 0, 0, len(HEADER) - 1, title)
    for r, row in enumerate([HEADER, *rows], start=1):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    book.close()
    return SimpleUploadedFile("组织名单.xlsx", buffer.getvalue())


def csv_file(rows, encoding="gb18030") -> SimpleUploadedFile:
    text = io.StringIO()
    csv.writer(text).writerows([HEADER, *rows])
    return SimpleUploadedFile("组织名单.csv", text.getvalue().encode(encoding))


def upload(client, file):
    return client.post(reverse("orgs:import"), {"file": file})


def confirm(client, **extra):
    return client.post(reverse("orgs:import_confirm"), extra)


@pytest.fixture
def client(as_persona):
    return as_persona("township_a")


def test_a_clean_file_is_previewed_then_written_with_links_and_one_import_row(world, client):
    response = upload(client, xlsx(GOOD))
    checked = response.context["checked"]
    assert [r.ok for r in checked.rows] == [True] * 4
    assert not Organisation.objects.exists()  # nothing before confirm
    assert confirm(client).status_code == 302
    chamber = Organisation.objects.get(name="青山商会")
    assert chamber.chamber_kind == "area" and chamber.leader == world.person_a1
    assert chamber.founded_on.isoformat() == "2015-06-01"
    assert Organisation.objects.get(name="青山商会竹木分会").parent == chamber
    venue = Organisation.objects.get(name="溪口禅寺")
    assert (venue.religion, venue.venue_certificate) == ("F", "宗场证字(浙)F330990001")
    assert venue.region_id == "330599101001" and venue.leader == world.person_a2
    firm = Organisation.objects.get(name="青山竹木制品有限公司")
    assert firm.leader is None and firm.leader_name == "王老板"
    assert AuditEntry.objects.filter(action=AuditAction.IMPORT).count() == 1


def test_each_bad_row_is_reported_with_its_line_column_and_reason(client, world):
    checked = upload(client, xlsx(GOOD + BAD)).context["checked"]
    problems = {r.line: r.issues for r in checked.bad}
    assert set(problems) == {7, 8, 9, 10}  # title row 1, header row 2, data from row 3
    assert problems[7][0][0] == "统一社会信用代码" and "校验码" in problems[7][0][1]
    assert "不在您的管辖范围内" in problems[8][0][1]
    assert problems[9][0] == ("类型", "无法识别的组织类型“兴趣小组”")
    assert "不符" in problems[10][0][1]


def test_with_bad_rows_nothing_is_written_unless_the_good_rows_are_confirmed(client, world):
    upload(client, xlsx(GOOD + BAD))
    refused = confirm(client)
    assert refused.status_code == 200 and "只导入无误的行" in refused.content.decode()
    assert not Organisation.objects.exists()
    assert confirm(client, skip_errors="1").status_code == 302
    assert Organisation.objects.count() == 4


def test_a_file_with_only_bad_rows_has_nothing_to_confirm(client, world):
    upload(client, xlsx(BAD))
    response = confirm(client, skip_errors="1")
    assert "没有可以导入的行" in response.content.decode()
    assert not Organisation.objects.exists()


def test_existing_names_and_repeated_rows_are_refused(client, world):
    make_org("青山商会", "chamber", chamber_kind="area")
    rows = [GOOD[3], GOOD[3]]
    checked = upload(client, xlsx([GOOD[0], *rows])).context["checked"]
    reasons = [issue[1] for r in checked.bad for issue in r.issues]
    # The repeated row repeats the 统一社会信用代码 too.
    assert reasons == [
        "该区域已有同名组织",
        "与文件中前面的行重复",
        "统一社会信用代码已被其他组织使用",
    ]


def test_a_gbk_csv_is_read_like_a_spreadsheet(client, world):
    checked = upload(client, csv_file(GOOD)).context["checked"]
    assert len(checked.good) == 4


def test_a_file_without_the_name_and_type_columns_is_refused_as_a_whole(client, world):
    response = client.post(
        reverse("orgs:import"), {"file": SimpleUploadedFile("x.csv", "甲,乙\n1,2\n".encode())}
    )
    assert "没有找到表头" in response.content.decode()
    assert confirm(client).status_code == 404  # nothing kept to confirm


def test_discarding_writes_nothing_and_forgets_the_file(client, world):
    upload(client, xlsx(GOOD))
    assert confirm(client, discard="1").status_code == 302
    assert not Organisation.objects.exists()
    assert confirm(client).status_code == 404


def test_a_line_contact_cannot_import_types_outside_its_lines(as_persona, world):
    client = as_persona("unit_contact")
    checked = upload(client, xlsx([GOOD[2], GOOD[3]])).context["checked"]
    assert [r.ok for r in checked.rows] == [False, True]
    assert "条线" in checked.rows[0].issues[0][1]


def test_a_file_over_the_row_limit_is_refused_before_anything_is_checked(
    client, world, monkeypatch
):
    from tongzhan.orgs import importer

    monkeypatch.setattr(importer, "MAX_ROWS", 3)
    response = upload(client, xlsx(GOOD))
    assert "一次最多导入 3 个组织" in response.content.decode()
    assert "checked" not in response.context

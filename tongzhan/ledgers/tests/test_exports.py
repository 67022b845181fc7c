"""The 名册 exports: the layout of a government form, masking by role, the audit row,
the list's own filter, bounded queries — checked in the file itself."""

import io
import json
import re
import tracemalloc
import zipfile
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from python_calamine import CalamineWorkbook

from tongzhan.accounts.models import User
from tongzhan.audit.models import AuditAction, AuditEntry
from tongzhan.core.choices import Category
from tongzhan.ledgers import exports
from tongzhan.ledgers.views.exports import ExportForm, file_response
from tongzhan.lib.xlsx import Column, LedgerWriter, SheetMeta
from tongzhan.people.models import Person
from tongzhan.testing import TOWNSHIP_A, VILLAGE_A1, make_person

EXPORT_URL = "ledgers:export_people"
ID_NUMBER = "330599198001011234"  # not checked here: only stored and masked


# --- reading a file back --------------------------------------------------------------------


class Book:
    """An exported .xlsx as values (calamine) and as its sheet XML (zipfile)."""

    def __init__(self, content: bytes):
        self.content = content
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            self.sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
            self.core_xml = archive.read("docProps/core.xml").decode()
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0)
        self.rows = [[_text(v) for v in row] for row in sheet.to_python(skip_empty_area=False)]

    @property
    def merges(self) -> set[str]:
        return set(re.findall(r'<mergeCell ref="([A-Z0-9:]+)"', self.sheet_xml))

    @property
    def header(self) -> list[str]:
        """Column names: the lower header row where there are two, else the upper one."""
        top, sub = self.rows[2], self.rows[3]
        return [s or t for t, s in zip(top, sub, strict=True)]

    def column(self, name: str) -> list[str]:
        index = self.header.index(name)
        return [row[index] for row in self.data]

    @property
    def data(self) -> list[list[str]]:
        rows = self.rows[4:]
        return [r for r in rows if r[0] and r[0].isdigit()]

    def text(self) -> str:
        return "\n".join("|".join(row) for row in self.rows)


def _text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def download(client, data=None, query=None) -> Book:
    url = reverse(EXPORT_URL) + (f"?{query}" if query else "")
    response = client.post(url, data or {"kind": "roster"})
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return Book(b"".join(response.streaming_content))


# --- the writer: a government form's layout -----------------------------------------------


def write_sample(tmp_path, rows=(("1", "张三"),), **meta) -> Book:
    columns = [
        Column("序号", 5),
        Column("姓名", 8),
        Column("全日制", 10, "学历"),
        Column("在职", 10, "学历"),
        Column("电话", 12),
    ]
    from django.utils import timezone

    info = SheetMeta(
        title=meta.get("title", "清溪县统战对象名册"),
        unit="清溪县委统战部",
        exported_by=meta.get("who", "李干部（county_staff）"),
        exported_at=timezone.now(),
    )
    path = tmp_path / "sample.xlsx"
    with LedgerWriter(path, columns, info, freeze_cols=2) as writer:
        writer.write_rows([[int(r[0]), r[1], "本科", "", "138****5678"] for r in rows])
    return Book(path.read_bytes())


def test_the_title_row_is_merged_across_every_column(tmp_path):
    book = write_sample(tmp_path)
    assert book.rows[0][0] == "清溪县统战对象名册"
    assert "A1:E1" in book.merges


def test_the_subtitle_names_the_unit_on_the_left_and_the_date_on_the_right(tmp_path):
    book = write_sample(tmp_path)
    assert book.rows[1][0] == "填报单位（盖章）：清溪县委统战部"
    assert re.fullmatch(r"填报时间：\d{4}年\d{1,2}月\d{1,2}日", book.rows[1][3])
    assert {"A2:C2", "D2:E2"} <= book.merges


def test_grouped_columns_get_a_two_level_merged_header(tmp_path):
    book = write_sample(tmp_path)
    assert book.rows[2][:5] == ["序号", "姓名", "学历", "", "电话"]
    assert book.rows[3][2:4] == ["全日制", "在职"]
    # The group spans its columns; every other header cell spans both header rows.
    assert {"C3:D3", "A3:A4", "B3:B4", "E3:E4"} <= book.merges


def test_panes_are_frozen_below_the_header_and_right_of_the_name(tmp_path):
    book = write_sample(tmp_path)
    pane = re.search(r"<pane [^>]*/>", book.sheet_xml).group(0)
    assert 'ySplit="4"' in pane and 'xSplit="2"' in pane and 'state="frozen"' in pane
    assert 'topLeftCell="C5"' in pane


def test_rows_follow_the_header_and_the_form_ends_with_sign_off_and_stamp(tmp_path):
    book = write_sample(tmp_path, rows=[("1", "张三"), ("2", "李四")])
    assert [r[1] for r in book.data] == ["张三", "李四"]
    sign_off, stamp = book.rows[-2], book.rows[-1]
    assert re.fullmatch(r"填表人：\s*审核人：\s*联系电话：", sign_off[0].replace("　", " "))
    assert stamp[0].startswith("导出人：李干部（county_staff）　导出时间：")
    assert "仅限工作使用" in stamp[0]


def test_the_watermark_is_in_every_printed_page_header_and_footer_and_the_properties(tmp_path):
    book = write_sample(tmp_path, who="A&B")
    header = re.search(r"<oddHeader>(.*?)</oddHeader>", book.sheet_xml).group(1)
    footer = re.search(r"<oddFooter>(.*?)</oddFooter>", book.sheet_xml).group(1)
    # & starts a header control code: a literal one is written doubled.
    assert "导出人：A&amp;&amp;B" in header and "导出人：A&amp;&amp;B" in footer
    assert "<dc:creator>A&amp;B</dc:creator>" in book.core_xml
    assert "仅限工作使用" in book.core_xml


def test_text_that_looks_like_a_formula_stays_text(tmp_path):
    book = write_sample(tmp_path, rows=[("1", '=HYPERLINK("http://x")')])
    assert "<f>" not in book.sheet_xml
    assert book.data[0][1] == '=HYPERLINK("http://x")'


# --- the books of the registry ----------------------------------------------------------------


@pytest.mark.parametrize("persona", ["county_staff", "township_a"])
def test_a_default_export_masks_id_and_phone_for_each_exporting_role(
    world, detailed, as_persona, persona
):
    book = download(as_persona(persona))
    row = book.data[book.column("姓名").index("张青山")]
    assert row[book.header.index("联系电话")] == "138****5678"
    assert row[book.header.index("身份证号")] == "330599********1234"
    assert "13812345678" not in book.text() and ID_NUMBER not in book.text()


def test_the_book_shows_the_roster_columns_of_the_reference_form(world, detailed, as_persona):
    book = download(as_persona("county_staff"))
    assert book.rows[0][0] == "清溪县统战对象名册"
    for name in [
        "序号",
        "姓名",
        "性别",
        "出生年月",
        "籍贯",
        "民族",
        "政治面貌",
        "全日制教育",
        "在职教育",
        "专业特长",
        "工作单位",
        "职务",
        "职称",
        "社会职务",
        "联系电话",
        "乡镇（街道）",
        "村/社区",
        "类别",
    ]:
        assert name in book.header, name
    row = dict(zip(book.header, book.data[book.column("姓名").index("张青山")], strict=True))
    assert row["出生年月"] == "1980.01" and row["民族"] == "汉族"
    assert row["政治面貌"] == "民建会员" and row["全日制教育"] == "大学本科毕业"
    assert row["乡镇（街道）"] == "清溪镇" and row["村/社区"] == "青山村"
    assert row["类别"] == "非公有制经济人士"
    assert book.column("序号") == [str(n) for n in range(1, len(book.data) + 1)]


def test_sensitive_columns_are_left_out_for_roles_without_the_field_permission():
    headers = [c.column.header for c in exports.roster_columns(exports.ROSTER, False)]
    assert "民族" not in headers and "政治面貌" not in headers
    headers = [c.column.header for c in exports.roster_columns(exports.ROSTER, True)]
    assert "民族" in headers and "政治面貌" in headers


def test_an_unmasked_export_must_be_chosen_and_is_audited_as_unmasked(world, detailed, as_persona):
    book = download(as_persona("county_staff"), {"kind": "roster", "unmasked": "on"})
    row = dict(zip(book.header, book.data[book.column("姓名").index("张青山")], strict=True))
    assert row["联系电话"] == "13812345678" and row["身份证号"] == ID_NUMBER
    entry = AuditEntry.objects.filter(action=AuditAction.EXPORT).first()
    assert json.loads(entry.detail)["masked"] is False
    assert entry.username == "county_staff"


def test_an_unmasked_export_is_refused_without_the_unmask_permission(world, monkeypatch):
    leader = world.user("leader")  # no EXPORT, no UNMASK
    with pytest.raises(PermissionDenied, match="导出的权限"):
        exports.export_people(leader, Person.objects.all(), exports.ROSTER)
    # A role that could export but not unmask (none today) is refused the unmasked book,
    # and the export form does not even offer it.
    monkeypatch.setattr(exports, "can_export", lambda user: True)
    with pytest.raises(PermissionDenied, match="未脱敏"):
        exports.export_people(leader, Person.objects.all(), exports.ROSTER, unmasked=True)
    assert "unmasked" not in ExportForm(user=leader).fields
    assert "unmasked" in ExportForm(user=world.user("township_a")).fields


def test_every_export_writes_an_audit_row_with_filter_count_and_masking(
    world, detailed, as_persona
):
    download(as_persona("county_staff"), query="q=13812345678")
    entry = AuditEntry.objects.filter(action=AuditAction.EXPORT).get()
    detail = json.loads(entry.detail)
    assert detail["rows"] == 1 and detail["masked"] is True and detail["kind"] == "roster"
    # An exact phone search is itself a phone number: the log keeps it masked.
    assert detail["filters"] == {"q": "138****5678"}
    assert "13812345678" not in entry.detail
    assert entry.object_repr == "统战对象名册"


def test_the_book_holds_exactly_the_persons_of_the_list_filter(world, detailed, as_persona):
    client = as_persona("county_staff")
    assert download(client, query="q=张").column("姓名") == ["张青山"]
    names = download(client, query=f"category={Category.RELIGIOUS}").column("姓名")
    assert names == ["释明心"]
    names = download(client, query=f"region={VILLAGE_A1}").column("姓名")
    assert names == ["张青山"]


@pytest.mark.parametrize(
    "query",
    [
        "q=zqs",
        "q=张&sort=name",
        f"category={Category.NON_PUBLIC_ECONOMY}&sort=birth",
        "representative=any",
        f"region={TOWNSHIP_A}&sort=updated",
        "status=active&age_min=30",
    ],
)
def test_the_book_equals_the_list_page_for_the_same_filter(world, detailed, as_persona, query):
    client = as_persona("county_staff")
    for i in range(3):
        make_person(
            f"张{i}号", VILLAGE_A1, [Category.NON_PUBLIC_ECONOMY], birth_date=date(1990, 1, i + 1)
        )
    listed = client.get(f"/api/v1/people/?{query}").json()
    names = [item["name"] for item in listed["items"]]
    assert names and listed["count"] == len(names)  # one page: the whole result
    assert download(client, query=query).column("姓名") == names


def test_the_book_holds_only_the_exporters_scope(world, detailed, as_persona):
    assert sorted(download(as_persona("township_b")).column("姓名")) == ["李白石"]
    assert sorted(download(as_persona("township_a")).column("姓名")) == [
        "张青山",
        "王代表",
        "释明心",
    ]


def test_the_title_names_the_filtered_region_or_the_exporters_own(world, detailed, as_persona):
    assert download(as_persona("township_a")).rows[0][0] == "清溪镇统战对象名册"
    book = download(as_persona("county_staff"), query=f"region={VILLAGE_A1}")
    assert book.rows[0][0] == "青山村统战对象名册"


def test_the_representatives_book_adds_level_and_political_posts(world, detailed, as_persona):
    book = download(as_persona("county_staff"), {"kind": "representatives"})
    assert book.rows[0][0] == "清溪县党外代表人士名册"
    assert book.column("姓名") == ["王代表"]
    assert book.column("代表人士层级") == ["县级"]
    assert book.column("政治安排") == ["县级政协委员（第十届，常委）"]


def test_an_invalid_filter_exports_nothing_and_says_why(world, as_persona):
    client = as_persona("county_staff")
    response = client.post(reverse(EXPORT_URL) + "?region=12ab", {"kind": "roster"})
    assert response.status_code == 200
    assert "区域代码应为 12 位统计用区划代码" in response.content.decode()
    assert not AuditEntry.objects.filter(action=AuditAction.EXPORT).exists()


def test_the_export_page_shows_the_filter_and_the_count(world, as_persona):
    response = as_persona("county_staff").get(
        reverse(EXPORT_URL), {"category": Category.NON_PUBLIC_ECONOMY}
    )
    page = response.content.decode()
    assert "当前筛选共 2 人" in page and "非公有制经济人士" in page


def test_the_export_page_names_the_region_of_the_filter(world, as_persona):
    page = as_persona("county_staff").get(reverse(EXPORT_URL), {"region": TOWNSHIP_A})
    assert f"清溪镇（{TOWNSHIP_A}）" in page.content.decode()


def test_roles_without_the_export_permission_get_404(world, as_persona):
    for persona in ["leader", "unit_contact", "village_a", "county_admin"]:
        client = as_persona(persona)
        assert client.get(reverse(EXPORT_URL)).status_code == 404
        assert client.post(reverse(EXPORT_URL), {"kind": "roster"}).status_code == 404


def test_the_export_runs_a_bounded_number_of_queries(world, detailed):
    def queries_for_export() -> int:
        user = User.objects.get(username="county_staff")  # nothing cached on it yet
        with CaptureQueriesContext(connection) as captured:
            exports.export_people(user, Person.objects.all(), exports.ROSTER).unlink()
        return len(captured)

    queries_for_export()  # the first audit row also creates the chain's head
    few = queries_for_export()
    for i in range(40):
        make_person(f"批量{i}", VILLAGE_A1, [Category.NON_PUBLIC_ECONOMY, Category.OTHER])
    assert queries_for_export() == few
    # Role assignments, region names, the rows, their categories; the audit row's 5.
    assert few <= 10


def test_the_export_memory_does_not_grow_with_the_row_count(world, monkeypatch):
    monkeypatch.setattr(exports, "CHUNK", 100)  # several batches even for a small book
    user = world.user("county_staff")

    def peak_after_adding(count: int) -> int:
        start = Person.objects.count()
        Person.objects.bulk_create(
            Person(name=f"行{start + i}", gender="1", region_id=VILLAGE_A1, work_unit="单位" * 10)
            for i in range(count)
        )
        tracemalloc.start()
        exports.export_people(user, Person.objects.all(), exports.ROSTER).unlink()
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return peak

    small = peak_after_adding(300)
    large = peak_after_adding(2700)  # ten times the rows
    assert large < small * 1.5, (small, large)


def test_the_temporary_file_is_gone_once_the_response_has_it(world, detailed):
    path = exports.export_people(world.user("county_staff"), Person.objects.all(), "roster")
    response = file_response(path, "x.xlsx", "application/octet-stream")
    assert not path.exists()
    assert b"".join(response.streaming_content)[:2] == b"PK"


# --- the API -------------------------------------------------------------------------------


def test_the_api_exports_the_roster_masked_with_the_list_filters(world, detailed, as_persona):
    response = as_persona("county_staff").get(
        "/api/v1/ledgers/exports/people.xlsx", {"q": "张青山"}
    )
    assert response.status_code == 200
    book = Book(b"".join(response.streaming_content))
    assert book.column("姓名") == ["张青山"] and book.column("联系电话") == ["138****5678"]
    assert "attachment" in response["Content-Disposition"]


def test_the_api_exports_unmasked_only_when_asked(world, detailed, as_persona):
    response = as_persona("township_a").get(
        "/api/v1/ledgers/exports/people.xlsx", {"q": "张青山", "unmasked": "true"}
    )
    book = Book(b"".join(response.streaming_content))
    assert book.column("联系电话") == ["13812345678"]
    assert json.loads(AuditEntry.objects.get(action=AuditAction.EXPORT).detail)["masked"] is False


def test_the_api_answers_a_bad_filter_with_422(world, as_persona):
    response = as_persona("county_staff").get(
        "/api/v1/ledgers/exports/representatives.xlsx", {"region": "12ab"}
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "region"]


def test_the_api_hides_exports_from_roles_without_the_permission(world, as_persona):
    response = as_persona("leader").get("/api/v1/ledgers/exports/people.xlsx")
    assert response.status_code == 404

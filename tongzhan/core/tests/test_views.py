"""Region pages: browsing the tree, and the upload → preview → confirm import."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tongzhan.audit.models import AuditAction, AuditEntry
from tongzhan.core.models import Region
from tongzhan.core.views import SESSION_KEY
from tongzhan.testing import COUNTY, TOWNSHIP_A, VILLAGE_A1

from .test_services import WORLD_LINES, csv_bytes

LIST = reverse("core:region_list")
IMPORT = reverse("core:region_import")
NEW_VILLAGE = "330599101202,石桥村,220"


def upload(client, lines, name="list.csv", encoding="utf-8", **fields):
    data = {"step": "upload", "file": SimpleUploadedFile(name, csv_bytes(lines, encoding))}
    data.update(fields)
    return client.post(IMPORT, data)


@pytest.fixture
def admin(as_persona):
    return as_persona("county_admin")


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_the_tree_starts_at_the_top_stored_region(admin):
    page = text(admin.get(LIST))
    assert "浙江省" in page and "清溪镇" not in page


def test_a_county_shows_its_townships_with_their_kind_and_the_breadcrumb(admin, world):
    Region.objects.filter(code=TOWNSHIP_A).update(retired=True, retired_year=2026)
    page = text(admin.get(LIST, {"code": COUNTY}))
    assert "清溪镇" in page and "白石乡" in page
    assert ">镇<" in page and ">乡<" in page
    assert "2026 年撤销" in page
    breadcrumb = page.split('data-testid="region-breadcrumb"')[1].split("</ol>")[0]
    assert "浙江省" in breadcrumb and "湖州市" in breadcrumb and "清溪县" in breadcrumb


def test_a_village_shows_its_kind_and_classification(admin):
    Region.objects.filter(code=VILLAGE_A1).update(urban_rural="122")
    page = text(admin.get(LIST, {"code": VILLAGE_A1}))
    assert "青山村" in page and "122 镇乡结合区" in page and ">村<" in page
    assert "没有下级区划" in page


@pytest.mark.parametrize(
    "q, found, absent", [("3305991012", "青山村", "白石村"), ("白石", "白石村", "青山村")]
)
def test_search_finds_regions_by_code_prefix_or_by_name(admin, q, found, absent):
    page = text(admin.get(LIST, {"q": q}))
    results = page.split('data-testid="region-results"')[1].split("</table>")[0]
    assert found in results and absent not in results


@pytest.mark.parametrize("code", ["330599999999", "abc", "330599301000"])
def test_a_malformed_or_unknown_code_is_not_found(admin, code):
    assert admin.get(LIST, {"code": code}).status_code == 404


@pytest.mark.parametrize(
    "persona", ["county_staff", "auditor", "security_admin", "leader", "village_a"]
)
def test_the_pages_do_not_exist_for_anyone_but_the_system_administrator(as_persona, persona):
    client = as_persona(persona)
    assert client.get(LIST).status_code == 404
    assert client.get(IMPORT).status_code == 404
    assert upload(client, WORLD_LINES).status_code == 404


def test_the_tree_page_runs_a_bounded_number_of_queries(admin, django_assert_max_num_queries):
    for n in range(1, 60):
        Region(code=f"330599101{n + 202:03d}", name=f"测试村{n}", valid_year=2026).save()
    with django_assert_max_num_queries(14):
        text(admin.get(LIST, {"code": TOWNSHIP_A}))


def test_an_upload_is_previewed_and_nothing_is_written_until_confirmed(admin):
    response = upload(admin, [*WORLD_LINES, NEW_VILLAGE], encoding="gbk", year="2026")
    page = text(response)
    assert 'data-testid="count-create">1<' in page and "石桥村" in page
    assert 'data-testid="import-confirm"' in page
    assert not Region.objects.filter(code="330599101202").exists()
    assert not AuditEntry.objects.filter(action=AuditAction.IMPORT).exists()
    token = response.context["token"]
    confirmed = admin.post(IMPORT, {"step": "confirm", "token": token})
    assert confirmed.status_code == 302
    assert confirmed.url == f"{LIST}?code=330000000000"
    assert Region.objects.get(code="330599101202").name == "石桥村"
    entry = AuditEntry.objects.get(action=AuditAction.IMPORT)
    assert entry.username == "county_admin" and '"source":"list.csv"' in entry.detail
    assert SESSION_KEY not in admin.session


def test_a_confirmation_cannot_be_replayed(admin):
    token = upload(admin, [*WORLD_LINES, NEW_VILLAGE]).context["token"]
    admin.post(IMPORT, {"step": "confirm", "token": token})
    again = admin.post(IMPORT, {"step": "confirm", "token": token}, follow=True)
    assert "导入预览已失效或已使用" in text(again)
    assert AuditEntry.objects.filter(action=AuditAction.IMPORT).count() == 1


def test_a_wrong_token_writes_nothing(admin):
    upload(admin, [*WORLD_LINES, NEW_VILLAGE])
    response = admin.post(IMPORT, {"step": "confirm", "token": "guess"})
    assert response.status_code == 302
    assert not Region.objects.filter(code="330599101202").exists()


def test_a_file_with_errors_shows_them_all_and_offers_no_confirmation(admin):
    page = text(upload(admin, [NEW_VILLAGE, "33059910120x,坏,", "330599101203,,"]))
    assert "第 2 行：区划代码必须是 12 位数字" in page and "第 3 行：名称为空" in page
    assert "发现 2 处错误，未写入任何数据" in page
    assert 'data-testid="import-confirm"' not in page
    assert SESSION_KEY not in admin.session


def test_a_tree_changed_after_the_preview_is_caught_at_confirmation(admin):
    token = upload(admin, [*WORLD_LINES, NEW_VILLAGE], year="2026").context["token"]
    Region.objects.filter(code=TOWNSHIP_A).update(valid_year=2027)  # someone imported 2027
    response = admin.post(IMPORT, {"step": "confirm", "token": token})
    page = text(response)
    assert "区划数据在预览后已发生变化" in page and "晚于导入年度 2026" in page
    assert not Region.objects.filter(code="330599101202").exists()


def test_cancelling_forgets_the_uploaded_rows(admin):
    upload(admin, [*WORLD_LINES, NEW_VILLAGE])
    assert SESSION_KEY in admin.session
    admin.post(IMPORT, {"step": "cancel"})
    assert SESSION_KEY not in admin.session


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("list.xlsx", b"PK\x03\x04", "请上传 CSV 文件"),
        ("list.csv", b"", "所提交的是空文件"),
        ("list.csv", b"\xff\xfe\x00", "无法识别文件编码"),
    ],
)
def test_a_file_that_is_not_a_readable_csv_gets_a_field_error(admin, name, content, message):
    response = admin.post(IMPORT, {"step": "upload", "file": SimpleUploadedFile(name, content)})
    page = text(response)
    assert message in page, page
    assert 'data-testid="region-import-form"' in page


def test_a_year_out_of_range_is_a_field_error(admin):
    page = text(upload(admin, WORLD_LINES, year="1800"))
    assert 'data-testid="region-import-form"' in page and "1949" in page

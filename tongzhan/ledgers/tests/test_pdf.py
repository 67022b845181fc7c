"""The 登记表 PDF: a CJK font really embedded, the form's text, masking, scope, audit,
batches, photos, and a loud failure when the font is missing."""

import json
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from django.urls import reverse
from PIL import Image

from tongzhan.audit.models import AuditAction, AuditEntry
from tongzhan.core.choices import Category
from tongzhan.ledgers import exports
from tongzhan.lib import pdf
from tongzhan.people.models import Person, PoliticalArrangement, ResumeEntry
from tongzhan.testing import VILLAGE_A1, make_person

pytestmark = pytest.mark.skipif(shutil.which("pdffonts") is None, reason="needs poppler-utils")


def poppler(tool: str, content: bytes, tmp_path: Path, *args: str) -> str:
    source = tmp_path / "form.pdf"
    source.write_bytes(content)
    result = subprocess.run(
        [tool, *args, str(source), *(["-"] if tool == "pdftotext" else [])],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def page_count(content: bytes, tmp_path: Path) -> int:
    info = poppler("pdfinfo", content, tmp_path)
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


@pytest.fixture
def card_person(world):
    """person_a1 with a full record: resume, 政治安排, 推荐理由."""
    person = world.person_a1
    person.id_number = "330599198001011234"
    person.birth_date = date(1980, 1, 1)
    person.native_place = "浙江清溪"
    person.ethnicity = "01"
    person.political_status = "06"
    person.party_join_date = date(2008, 6, 1)
    person.work_unit = "清溪县青山茶业有限公司"
    person.post = "董事长"
    person.recommendation = "热心公益，带动村民致富。"
    person.is_representative = True
    person.representative_level = "county"
    person.save()
    ResumeEntry.objects.create(
        person=person,
        start=date(1998, 9, 1),
        end=date(2002, 7, 1),
        description="浙江农林大学茶学专业学习",
    )
    PoliticalArrangement.objects.create(
        person=person, kind="cppcc", level="county", term="第十届", start=date(2021, 1, 1)
    )
    return person


def get_pdf(client, person) -> bytes:
    response = client.get(reverse("ledgers:registration_pdf", args=[person.pk]))
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    return response.content


def test_the_pdf_embeds_a_cjk_font(world, card_person, as_persona, tmp_path):
    fonts = poppler("pdffonts", get_pdf(as_persona("county_staff"), card_person), tmp_path)
    embedded = [line for line in fonts.splitlines()[2:] if "WenQuanYi" in line]
    assert embedded, fonts
    # Columns: name, type, encoding, emb, sub, uni — emb must be "yes".
    assert all(line.split()[-5] == "yes" for line in embedded), fonts


def test_the_form_carries_its_title_labels_and_the_persons_record(
    world, card_person, as_persona, tmp_path
):
    text = poppler("pdftotext", get_pdf(as_persona("county_staff"), card_person), tmp_path)
    squeezed = re.sub(r"\s+", "", text)
    assert "党外代表人士登记表" in squeezed
    # (The vertical labels 简/历 and 政治安排 come out of pdftotext one character a line.)
    for label in ["姓名", "出生年月", "学历学位", "全日制教育", "毕业院校及专业", "主要社会兼职"]:
        assert label in squeezed, label
    for value in [
        "张青山",
        "1980.01",
        "民建会员",
        "浙江农林大学茶学专业学习",
        "县级政协委员（第十届）",
    ]:
        assert value in squeezed, value


def test_id_and_phone_are_always_masked_in_the_form(world, card_person, as_persona, tmp_path):
    text = poppler("pdftotext", get_pdf(as_persona("county_staff"), card_person), tmp_path)
    assert "138****5678" in text and "330599********1234" in text
    assert "13812345678" not in text and "330599198001011234" not in text


def test_the_form_is_one_a4_page_with_the_exporter_in_the_footer(
    world, card_person, as_persona, tmp_path
):
    content = get_pdf(as_persona("township_a"), card_person)
    assert page_count(content, tmp_path) == 1
    info = poppler("pdfinfo", content, tmp_path)
    assert re.search(r"Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)", info), info
    text = re.sub(r"\s+", "", poppler("pdftotext", content, tmp_path))
    assert "导出人：township_a" in text and "仅限工作使用" in text


def test_sensitive_fields_read_as_withheld_for_roles_without_the_permission(world, card_person):
    card = exports.registration_card(world.user("village_a"), card_person)
    assert card["ethnicity"] == card["party"] == card["religion"] == "（无权查看）"
    card = exports.registration_card(world.user("county_staff"), card_person)
    assert card["ethnicity"] == "汉族" and card["party"] == "民建会员"


def test_a_long_resume_is_clipped_with_a_note_so_the_form_stays_one_page(
    world, card_person, as_persona, tmp_path
):
    for year in range(1960, 2000):
        ResumeEntry.objects.create(person=card_person, start=date(year, 1, 1), description="某单位")
    content = get_pdf(as_persona("county_staff"), card_person)
    assert page_count(content, tmp_path) == 1
    assert "另有" in poppler("pdftotext", content, tmp_path)


def test_each_pdf_writes_an_export_audit_row(world, card_person, as_persona):
    get_pdf(as_persona("county_staff"), card_person)
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT)
    assert entry.object_id == str(card_person.pk) and entry.object_type == "people.person"
    detail = json.loads(entry.detail)
    assert detail == {"format": "pdf", "kind": "registration", "masked": True, "rows": 1}


def test_a_person_out_of_scope_answers_404(world, card_person, as_persona):
    url = reverse("ledgers:registration_pdf", args=[card_person.pk])
    assert as_persona("township_b").get(url).status_code == 404
    assert as_persona("leader").get(url).status_code == 404  # no EXPORT permission
    assert not AuditEntry.objects.filter(action=AuditAction.EXPORT).exists()


def test_a_batch_prints_the_current_filter_one_page_each(world, card_person, as_persona, tmp_path):
    response = as_persona("county_staff").post(
        reverse("ledgers:export_people") + f"?category={Category.NON_PUBLIC_ECONOMY}",
        {"kind": "registration"},
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert page_count(response.content, tmp_path) == 2
    text = poppler("pdftotext", response.content, tmp_path)
    assert "张青山" in text and "李白石" in text and "释明心" not in text
    detail = json.loads(AuditEntry.objects.get(action=AuditAction.EXPORT).detail)
    assert detail["rows"] == 2 and detail["filters"] == {"category": "06"}
    assert sorted(detail["persons"]) == sorted([world.person_a1.pk, world.person_b1.pk])


def test_a_batch_over_the_limit_is_refused_with_a_clear_message(world, as_persona, monkeypatch):
    monkeypatch.setattr(exports, "BATCH_LIMIT", 2)
    response = as_persona("county_staff").post(
        reverse("ledgers:export_people"), {"kind": "registration"}
    )
    page = response.content.decode()
    assert response.status_code == 200 and "一次最多生成 2 份登记表，当前筛选有 3 人" in page
    assert not AuditEntry.objects.filter(action=AuditAction.EXPORT).exists()


def test_the_stored_photo_is_printed_in_the_photo_box(
    world, card_person, as_persona, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "media" / "photos").mkdir(parents=True)
    Image.new("RGB", (120, 160), (200, 30, 30)).save(tmp_path / "media" / "photos" / "a.jpg")
    Person.objects.filter(pk=card_person.pk).update(photo="photos/a.jpg")
    content = get_pdf(as_persona("county_staff"), card_person)
    images = poppler("pdfimages", content, tmp_path, "-list").splitlines()[2:]
    assert len(images) == 1 and images[0].split()[3:5] == ["120", "160"]


def test_a_photo_path_outside_media_root_is_never_read(world, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "media").mkdir()
    (tmp_path / "secret.jpg").write_bytes(b"x")
    assert exports.photo_url("../secret.jpg") == ""
    assert exports.photo_url("/etc/passwd") == ""


def test_the_renderer_fetches_no_file_outside_the_allowed_folders(tmp_path):
    fetcher = pdf._local_fetcher_class()([tmp_path])
    with pytest.raises(ValueError):
        fetcher.fetch("file:///etc/passwd")
    with pytest.raises(ValueError):
        fetcher.fetch("http://example.com/x.png")


def test_a_missing_cjk_font_fails_loudly_not_with_empty_boxes(
    world, card_person, as_persona, settings
):
    settings.TONGZHAN_CJK_FONT = "/nonexistent/font.ttc"
    with pytest.raises(pdf.CJKFontMissing):
        pdf.cjk_font()
    response = as_persona("county_staff").get(
        reverse("ledgers:registration_pdf", args=[card_person.pk])
    )
    assert response.status_code == 503
    assert "缺少可显示中文的字体" in response.content.decode()
    assert not AuditEntry.objects.filter(action=AuditAction.EXPORT).exists()


def test_the_font_found_by_fontconfig_is_wenquanyi():
    font = pdf.cjk_font()
    assert font.family == "WenQuanYi Micro Hei" and font.path.is_file()


def test_the_api_serves_one_persons_form_and_a_batch(world, card_person, as_persona, tmp_path):
    client = as_persona("county_staff")
    response = client.get(f"/api/v1/ledgers/registration/{card_person.pk}.pdf")
    assert response.status_code == 200 and page_count(response.content, tmp_path) == 1
    response = client.get("/api/v1/ledgers/exports/registration.pdf", {"region": VILLAGE_A1})
    assert response.status_code == 200 and page_count(response.content, tmp_path) == 1
    response = as_persona("township_b").get(f"/api/v1/ledgers/registration/{card_person.pk}.pdf")
    assert response.status_code == 404


def test_a_batch_of_many_persons_stays_one_page_per_person(world, tmp_path):
    for i in range(5):
        make_person(f"批量{i}", VILLAGE_A1, [Category.OTHER], work_unit="单位" * 30)
    people = exports.registration_people(Person.objects.all())
    content = exports.registration_pdf(world.user("county_staff"), list(people))
    assert page_count(content, tmp_path) == Person.objects.count()


def test_the_batch_form_refuses_an_unmasked_registration(world, as_persona):
    response = as_persona("county_staff").post(
        reverse("ledgers:export_people"), {"kind": "registration", "unmasked": "on"}
    )
    assert response.status_code == 200 and "登记表只提供脱敏版本" in response.content.decode()
    assert not AuditEntry.objects.filter(action=AuditAction.EXPORT).exists()

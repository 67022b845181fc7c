"""The full record on the pages: the sectioned form with child rows, the detail page with
masking per role, the status action and the photo."""

import json
from datetime import date, timedelta
from io import BytesIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from tongzhan.audit.models import AuditAction, AuditEntry
from tongzhan.core.choices import Category, PersonStatus, Religion
from tongzhan.people import photos
from tongzhan.people.models import Person, ReligiousProfile, StatusChange
from tongzhan.testing import VILLAGE_A1, make_person

ID_NUMBER = "330599197503011236"


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def management(prefix: str, rows: int) -> dict:
    return {f"{prefix}-TOTAL_FORMS": str(rows), f"{prefix}-INITIAL_FORMS": "0"}


def full_post(**extra) -> dict:
    data = {
        "name": "王竹青",
        "gender": "",
        "id_number": ID_NUMBER,
        "region": VILLAGE_A1,
        "categories": ["06", "11"],
        "phone": "13900001111",
        "work_unit": "青山竹业有限公司",
        "is_representative": "on",
        "representative_level": "county",
        "non_public-enterprise": "青山竹业有限公司",
        "non_public-employees": "120",
        "overseas-country_region": "新加坡",
        **management("arrangements", 2),
        "arrangements-0-kind": "cppcc",
        "arrangements-0-level": "county",
        "arrangements-0-term": "第十届",
        **management("resume_entries", 1),
        "resume_entries-0-start": "1995-07-01",
        "resume_entries-0-description": "青山竹业 厂长",
        **management("relations", 1),
        "relations-0-kind": "family",
        "relations-0-relationship": "妻子",
        "relations-0-name": "林秀",
    }
    data.update(extra)
    return data


@pytest.fixture
def with_id(world):
    person = world.person_a1
    person.id_number = ID_NUMBER
    person.save()
    return person


# --- the form -----------------------------------------------------------------------------------


def test_the_form_shows_sections_line_profiles_and_child_rows(world, as_persona):
    html = page(as_persona("township_a").get(reverse("people:create")))
    for key in ("identity", "sensitive", "work", "contact", "united_front"):
        assert f'data-testid="section-{key}"' in html
    assert 'data-lines="06"' in html and 'data-lines="09 10 11"' in html
    assert 'name="arrangements-TOTAL_FORMS"' in html and "arrangements-__prefix__-kind" in html
    assert 'name="status"' not in html  # status changes by its own action


def test_creating_a_full_record_saves_profiles_and_child_rows(world, as_persona):
    response = as_persona("township_a").post(reverse("people:create"), full_post())
    assert response.status_code == 302, response.content.decode()[:2000]
    person = Person.objects.get(name="王竹青")
    assert (person.birth_date, person.gender) == (date(1975, 3, 1), "1")
    assert person.id_number == ID_NUMBER and person.id_number_masked == "330599********1236"
    assert person.non_public.employees == 120
    assert person.overseas.country_region == "新加坡"
    assert [a.term for a in person.arrangements.all()] == ["第十届"]
    assert [r.name for r in person.relations.all()] == ["林秀"]
    html = page(as_persona("township_a").get(reverse("people:detail", args=[person.pk])))
    for text in ("青山竹业有限公司", "新加坡", "第十届", "青山竹业 厂长", "林秀", "县级"):
        assert text in html


def test_bad_input_in_several_parts_is_reported_field_by_field_and_nothing_saved(world, as_persona):
    before = Person.objects.count()
    data = full_post(
        birth_date="1975-03-02",
        **{"non_public-uscc": "91330599MA2B3C4D50", "arrangements-1-term": "第九届"},
    )
    html = page(as_persona("township_a").post(reverse("people:create"), data))
    assert "与身份证号中的出生日期 1975-03-01 不一致" in html
    assert "统一社会信用代码校验码错误" in html
    assert "这个字段是必填项" in html  # the half-filled 政治安排 row
    assert Person.objects.count() == before


def test_the_edit_form_shows_id_and_phone_masked_and_keeps_them_when_untouched(with_id, as_persona):
    client = as_persona("township_a")
    url = reverse("people:edit", args=[with_id.pk])
    html = page(client.get(url))
    assert "330599********1236" in html and "138****5678" in html
    assert ID_NUMBER not in html and "13812345678" not in html
    data = full_post(
        name="张青山",
        id_number="330599********1236",
        phone="138****5678",
        gender="1",
        version=1,
    )
    assert client.post(url, data).status_code == 302
    with_id.refresh_from_db()
    assert (with_id.id_number, with_id.phone) == (ID_NUMBER, "13812345678")


def test_an_edit_can_replace_or_clear_the_phone(world, as_persona):
    client = as_persona("township_a")
    url = reverse("people:edit", args=[world.person_a1.pk])
    base = {"name": "张青山", "gender": "1", "region": VILLAGE_A1, "categories": ["06"]}
    assert client.post(url, {**base, "phone": "0572 1234567", "version": 1}).status_code == 302
    world.person_a1.refresh_from_db()
    assert world.person_a1.phone == "05721234567"
    assert client.post(url, {**base, "phone": "", "version": 2}).status_code == 302
    world.person_a1.refresh_from_db()
    assert world.person_a1.phone == "" and world.person_a1.phone_masked == ""


def test_child_rows_can_be_removed_and_added_on_edit(world, as_persona):
    client = as_persona("township_a")
    client.post(reverse("people:create"), full_post())
    person = Person.objects.get(name="王竹青")
    data = full_post(
        gender="1",
        version=1,
        **{
            "arrangements-0-DELETE": "on",
            "arrangements-1-kind": "npc",
            "arrangements-1-level": "township",
        },
    )
    assert client.post(reverse("people:edit", args=[person.pk]), data).status_code == 302
    assert [(a.kind, a.level) for a in person.arrangements.all()] == [("npc", "township")]


def test_unticking_a_category_removes_its_line_profile(world, as_persona):
    client = as_persona("township_a")
    client.post(reverse("people:create"), full_post())
    person = Person.objects.get(name="王竹青")
    data = full_post(gender="1", categories=["06"], version=1)
    assert client.post(reverse("people:edit", args=[person.pk]), data).status_code == 302
    person = Person.objects.get(pk=person.pk)
    assert not hasattr(person, "overseas") and person.non_public.enterprise


# --- the detail page: masking per role --------------------------------------------------------


@pytest.mark.parametrize(
    "persona, can_reveal",
    [
        ("county_staff", True),
        ("township_a", True),
        ("unit_contact", False),
        ("village_a", False),
        ("leader", False),
    ],
)
def test_each_role_sees_id_and_phone_masked_and_only_unmask_roles_can_reveal(
    with_id, as_persona, persona, can_reveal
):
    client = as_persona(persona)
    html = page(client.get(reverse("people:detail", args=[with_id.pk])))
    assert "330599********1236" in html and "138****5678" in html
    assert ID_NUMBER not in html and "13812345678" not in html
    assert ('data-testid="reveal-id-number"' in html) is can_reveal
    assert ('data-testid="reveal-phone"' in html) is can_reveal
    response = client.post(reverse("people:reveal_id_number", args=[with_id.pk]))
    assert response.status_code == (200 if can_reveal else 403)
    assert (ID_NUMBER in response.content.decode()) is can_reveal


def test_revealing_the_id_number_writes_an_audit_row_naming_the_field(with_id, as_persona):
    as_persona("township_a").post(reverse("people:reveal_id_number", args=[with_id.pk]))
    entry = AuditEntry.objects.get(action=AuditAction.UNMASK, object_id=str(with_id.pk))
    assert json.loads(entry.detail) == {"field": "id_number"}


def test_a_person_out_of_scope_cannot_be_revealed(with_id, as_persona):
    client = as_persona("township_b")
    assert client.post(reverse("people:reveal_id_number", args=[with_id.pk])).status_code == 404


def test_sensitive_sections_and_the_religion_are_hidden_without_the_permission(world, as_persona):
    monk = make_person("释空明", VILLAGE_A1, [Category.RELIGIOUS], religion=Religion.BUDDHISM)
    ReligiousProfile.objects.create(
        person=monk, religion=Religion.BUDDHISM, clerical_post="住持", venue="青山寺"
    )
    url = reverse("people:detail", args=[monk.pk])
    staff = page(as_persona("township_a").get(url))
    assert "佛教" in staff and "宗教信仰" in staff and "政治面貌" in staff
    liaison = page(as_persona("village_a").get(url))
    assert "住持" in liaison and "青山寺" in liaison
    assert "佛教" not in liaison and "宗教信仰" not in liaison and "政治面貌" not in liaison


# --- the status action ------------------------------------------------------------------------


def test_a_status_change_is_recorded_with_its_date_and_reason(world, as_persona):
    client = as_persona("township_a")
    url = reverse("people:status", args=[world.person_a1.pk])
    form = page(client.get(url))
    assert 'value="transferred"' in form and 'value="active"' not in form
    when = date.today() - timedelta(days=3)
    response = client.post(
        url, {"status": "transferred", "date": when.isoformat(), "reason": "调往外县"}
    )
    assert response.status_code == 302
    person = Person.objects.get(pk=world.person_a1.pk)
    assert (person.status, person.status_date) == (PersonStatus.TRANSFERRED, when)
    change = StatusChange.objects.get(person=person)
    assert (change.old_status, change.reason, change.changed_by) == (
        "active",
        "调往外县",
        world.user("township_a"),
    )
    html = page(client.get(reverse("people:detail", args=[person.pk])))
    assert "调往外县" in html and f"{when:%Y-%m-%d}" in html


def test_a_status_change_needs_a_reason_and_a_date_not_in_the_future(world, as_persona):
    url = reverse("people:status", args=[world.person_a1.pk])
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    html = page(
        as_persona("township_a").post(url, {"status": "deceased", "date": tomorrow, "reason": " "})
    )
    assert "日期不能晚于今天" in html and "这个字段是必填项" in html
    assert Person.objects.get(pk=world.person_a1.pk).status == PersonStatus.ACTIVE


def test_going_back_to_active_clears_the_status_date_and_keeps_the_history(world, as_persona):
    client = as_persona("county_staff")
    url = reverse("people:status", args=[world.person_a1.pk])
    today = date.today().isoformat()
    client.post(url, {"status": "withdrawn", "date": today, "reason": "本人申请"})
    client.post(url, {"status": "active", "date": today, "reason": "重新联系"})
    person = Person.objects.get(pk=world.person_a1.pk)
    assert (person.status, person.status_date) == (PersonStatus.ACTIVE, None)
    assert person.status_changes.count() == 2


def test_read_only_roles_get_403_and_other_townships_404_on_the_status_action(world, as_persona):
    url = reverse("people:status", args=[world.person_a1.pk])
    data = {"status": "deceased", "date": date.today().isoformat(), "reason": "病故"}
    assert as_persona("leader").post(url, data).status_code == 403
    assert as_persona("village_a").get(url).status_code == 403
    assert as_persona("township_b").post(url, data).status_code == 404


# --- the photo ------------------------------------------------------------------------------------


def image_file(kind="PNG", size=(1200, 800), name=None, exif=None) -> SimpleUploadedFile:
    buffer = BytesIO()
    options = {"exif": exif} if exif is not None else {}
    Image.new("RGB", size, (200, 120, 40)).save(buffer, kind, **options)
    return SimpleUploadedFile(name or f"photo.{kind.lower()}", buffer.getvalue())


def upload(client, person, file):
    return client.post(reverse("people:photo", args=[person.pk]), {"photo": file})


def stored(person) -> Path:
    person.refresh_from_db()
    return Path(settings.MEDIA_ROOT) / person.photo


def test_an_uploaded_photo_is_shrunk_stored_under_a_random_name_and_served_in_scope(
    world, as_persona
):
    person = world.person_a1
    assert upload(as_persona("township_a"), person, image_file()).status_code == 302
    path = stored(person)
    assert path.parent == Path(settings.MEDIA_ROOT) / "photos"
    assert path.suffix == ".png" and "photo" not in path.stem and len(path.stem) == 32
    with Image.open(path) as image:
        assert image.size == (600, 400)
    response = as_persona("village_a").get(reverse("people:photo_file", args=[person.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == path.read_bytes()
    entry = AuditEntry.objects.filter(action=AuditAction.UPDATE, object_id=str(person.pk)).last()
    assert json.loads(entry.detail) == {"photo": {"before": "", "after": person.photo}}


def test_another_township_gets_404_for_the_photo(world, as_persona):
    upload(as_persona("township_a"), world.person_a1, image_file())
    url = reverse("people:photo_file", args=[world.person_a1.pk])
    assert as_persona("township_b").get(url).status_code == 404
    assert as_persona("county_admin").get(url).status_code == 404


def test_a_jpeg_loses_its_exif_data(world, as_persona):
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make; GPS tags travel the same way
    upload(as_persona("township_a"), world.person_a1, image_file("JPEG", (300, 200), exif=exif))
    with Image.open(stored(world.person_a1)) as image:
        assert image.format == "JPEG" and dict(image.getexif()) == {}


@pytest.mark.parametrize(
    "file, message",
    [
        (lambda: image_file("GIF", (50, 50)), "只能是 JPEG 或 PNG"),
        (lambda: image_file("GIF", (50, 50), name="renamed.jpg"), "只能是 JPEG 或 PNG"),
        (lambda: SimpleUploadedFile("photo.jpg", b"not an image at all"), "不是有效的"),
        (lambda: SimpleUploadedFile("big.jpg", b"\xff" * (5 * 1024 * 1024 + 1)), "5 MB"),
    ],
)
def test_a_file_that_is_not_a_small_jpeg_or_png_is_refused(world, as_persona, file, message):
    before = set(photos.folder().glob("*"))
    html = page(upload(as_persona("township_a"), world.person_a1, file()))
    assert message in html
    world.person_a1.refresh_from_db()
    assert world.person_a1.photo == ""
    assert set(photos.folder().glob("*")) == before


def test_a_new_photo_replaces_the_old_file(world, as_persona, django_capture_on_commit_callbacks):
    client = as_persona("township_a")
    upload(client, world.person_a1, image_file())
    first = stored(world.person_a1)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, world.person_a1, image_file("JPEG", (100, 100)))
    second = stored(world.person_a1)
    assert not first.exists() and second.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("people:photo", args=[world.person_a1.pk]), {"remove": "1"})
    assert response.status_code == 302 and not second.exists()
    world.person_a1.refresh_from_db()
    assert world.person_a1.photo == ""


def test_a_photo_path_pointing_outside_the_photo_folder_is_not_served(world, as_persona):
    Person.objects.filter(pk=world.person_a1.pk).update(photo="photos/../../tongzhan.keys")
    url = reverse("people:photo_file", args=[world.person_a1.pk])
    assert as_persona("township_a").get(url).status_code == 404


def test_read_only_roles_cannot_upload_a_photo(world, as_persona):
    assert upload(as_persona("leader"), world.person_a1, image_file()).status_code == 403
    assert upload(as_persona("township_b"), world.person_a1, image_file()).status_code == 404

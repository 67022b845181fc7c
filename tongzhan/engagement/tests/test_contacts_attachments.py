"""Attachments of contact logs: checked by content and size, images shrunk and stripped,
stored outside the web root with random names, served only through the scope rule."""

import struct
import zlib
from io import BytesIO
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from PIL import Image

from tongzhan.engagement import attachments
from tongzhan.engagement.models import Attachment
from tongzhan.engagement.services import contacts as services

from .contact_factory import docx_bytes, jpeg_with_exif, log_for, png_bytes, upload

pytestmark = pytest.mark.django_db


def refused(name: str, content: bytes) -> str:
    with pytest.raises(attachments.AttachmentError) as caught:
        attachments.prepare(upload(name, content))
    return str(caught.value)


def png_bomb(side: int = 8000) -> bytes:
    """A valid PNG of side×side black pixels: a few dozen KB that would decode to 64 MB."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)  # 8-bit greyscale
    rows = zlib.compress(b"\0" * ((side + 1) * side), 9)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")
    )


def test_an_exe_renamed_jpg_is_refused():
    message = refused("photo.jpg", b"MZ\x90\x00\x03" + b"\0" * 2000)
    assert "JPEG" in message


def test_an_exe_renamed_pdf_is_refused():
    assert ".pdf" in refused("会议纪要.pdf", b"MZ\x90\x00" + b"\0" * 100)


def test_a_zip_renamed_docx_without_a_document_is_refused():
    import zipfile

    out = BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("evil.exe", b"MZ")
    assert ".docx" in refused("材料.docx", out.getvalue())


def test_an_unknown_kind_of_file_is_refused():
    assert "PDF" in refused("setup.exe", b"MZ")


def test_a_heic_photo_is_refused_with_a_way_out():
    assert "HEIC" in refused("IMG_0001.HEIC", b"\0\0\0\x18ftypheic")


def test_an_image_over_10_mb_is_refused_before_it_is_opened():
    assert "10 MB" in refused("big.jpg", b"\xff\xd8\xff" + b"\0" * (10 * 1024 * 1024))


def test_a_file_over_20_mb_is_refused():
    assert "20 MB" in refused("big.pdf", b"%PDF-1.7" + b"\0" * (20 * 1024 * 1024))


def test_a_png_bomb_is_refused_without_being_decoded():
    bomb = png_bomb()
    assert len(bomb) < 200_000
    assert "像素" in refused("bomb.png", bomb)


def test_a_photo_is_shrunk_and_its_exif_dropped():
    prepared = attachments.prepare(upload("IMG.jpg", jpeg_with_exif(), "image/jpeg"))
    with Image.open(BytesIO(prepared.content)) as image:
        assert max(image.size) == attachments.IMAGE_MAX_SIDE
        assert not image.getexif()
    assert prepared.is_image and prepared.content_type == "image/jpeg"


def test_a_real_pdf_and_docx_are_kept_as_sent():
    pdf = b"%PDF-1.4\n%\xe2\xe3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"
    assert attachments.prepare(upload("纪要.pdf", pdf)).content == pdf
    docx = attachments.prepare(upload("材料.docx", docx_bytes()))
    assert docx.extension == "docx" and not docx.is_image


def test_attachments_are_stored_outside_the_web_root_under_random_names(world):
    user = world.user("township_a")
    log = log_for(user, [world.person_a1])
    stored = services.do_add_attachment(
        user, log, attachments.prepare(upload("走访照片.png", png_bytes()))
    )
    path = Path(settings.MEDIA_ROOT) / stored.stored_name
    assert path.parent == Path(settings.MEDIA_ROOT) / "contact" and path.is_file()
    assert "走访照片" not in stored.stored_name and stored.original_name == "走访照片.png"
    assert not str(path).startswith(str(settings.STATIC_ROOT))


def test_a_log_takes_at_most_the_maximum_number_of_attachments(world):
    user = world.user("township_a")
    log = log_for(user, [world.person_a1])
    for n in range(attachments.MAX_PER_LOG):
        services.do_add_attachment(user, log, attachments.prepare(upload(f"{n}.png", png_bytes())))
    before = set((Path(settings.MEDIA_ROOT) / "contact").iterdir())
    with pytest.raises(services.ContactError):
        services.do_add_attachment(user, log, attachments.prepare(upload("x.png", png_bytes())))
    assert Attachment.objects.filter(log=log).count() == attachments.MAX_PER_LOG
    assert set((Path(settings.MEDIA_ROOT) / "contact").iterdir()) == before  # no stray file


def test_a_refused_upload_on_the_page_answers_with_a_clear_error(world, as_persona):
    client = as_persona("township_a")
    log = log_for(world.user("township_a"), [world.person_a1])
    url = reverse("engagement:attachment_upload", args=[log.pk])
    response = client.post(url, {"files": upload("photo.jpg", b"MZ" + b"\0" * 100)}, follow=True)
    assert response.status_code == 200
    assert "不是有效的 JPEG 或 PNG" in response.content.decode()
    assert not Attachment.objects.exists()


def test_a_refused_upload_over_the_api_answers_422_with_the_field(world, as_persona):
    client = as_persona("township_a")
    log = log_for(world.user("township_a"), [world.person_a1])
    url = f"/api/v1/engagement/contacts/{log.pk}/attachments"
    response = client.post(url, {"file": upload("run.exe", b"MZ")})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "file"]


def test_the_file_is_served_with_its_name_and_without_sniffing(world, as_persona):
    user = world.user("township_a")
    log = log_for(user, [world.person_a1])
    pdf = services.do_add_attachment(
        user, log, attachments.prepare(upload("纪要.pdf", b"%PDF-1.4 x"))
    )
    response = as_persona("village_a").get(reverse("engagement:attachment_file", args=[pdf.pk]))
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == b"%PDF-1.4 x"


def test_another_township_cannot_fetch_or_attach_to_the_log(world, as_persona):
    user = world.user("township_a")
    log = log_for(user, [world.person_a1])
    photo = services.do_add_attachment(user, log, attachments.prepare(upload("p.png", png_bytes())))
    other = as_persona("township_b")
    assert other.get(reverse("engagement:attachment_file", args=[photo.pk])).status_code == 404
    url = reverse("engagement:attachment_upload", args=[log.pk])
    assert other.post(url, {"files": upload("q.png", png_bytes())}).status_code == 404
    api = f"/api/v1/engagement/contacts/{log.pk}/attachments"
    assert other.post(api, {"file": upload("q.png", png_bytes())}).status_code == 404
    assert other.get(f"/api/v1/engagement/contacts/attachments/{photo.pk}").status_code == 404
    assert Attachment.objects.count() == 1

"""Contact logs and uploads for the contact tests: logs written by the service (so each has
its audit row and is_late decided as in use), and image/file uploads made in memory."""

from __future__ import annotations

import zipfile
from datetime import date, timedelta
from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from tongzhan.engagement.choices import ContactMode
from tongzhan.engagement.services import contacts as services


def log_for(user, persons, on: date | None = None, mode=ContactMode.VISIT, **extra):
    data = services.LogData(
        happened_on=on or timezone.localdate(),
        mode=mode,
        summary=extra.pop("summary", "走访企业，了解生产经营情况"),
        persons=[p.pk for p in persons],
        **extra,
    )
    return services.do_create_log(user, data)


def days_ago(n: int) -> date:
    return timezone.localdate() - timedelta(days=n)


class Rewinding(SimpleUploadedFile):
    """An upload the test client can send more than once (the matrix sends one per persona)."""

    def read(self, *args):
        if not args or args[0] in (None, -1):  # a whole read, as the test client does
            self.seek(0)
        return super().read(*args)


def png_bytes(size=(40, 30), color=(200, 30, 30)) -> bytes:
    out = BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


def jpeg_with_exif(size=(3000, 2000)) -> bytes:
    image = Image.new("RGB", size, (10, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0131] = "camera-software"  # Software
    out = BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes(), quality=80)
    return out.getvalue()


def docx_bytes() -> bytes:
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def png_upload(name="photo.png", **kwargs) -> SimpleUploadedFile:
    return Rewinding(name, png_bytes(**kwargs), content_type="image/png")


def upload(name: str, content: bytes, content_type="application/octet-stream"):
    return Rewinding(name, content, content_type=content_type)

"""Photos and files of contact logs: checked by their content, stored outside the web root.

Images (JPEG, PNG) are opened with Pillow, refused when they declare too many pixels (a
decompression bomb), turned upright, shrunk to IMAGE_MAX_SIDE and re-encoded, so EXIF data
(camera, GPS position) never reaches the disk. HEIC is refused with a clear message: Pillow
cannot read it without a plugin, and iPhones convert to JPEG when a web page asks for
"image/*". Files (PDF, DOCX, XLSX) are kept as sent, after their first bytes and their
extension agree. Everything lives under MEDIA_ROOT/contact with a random name; no URL
serves MEDIA_ROOT: the attachment view goes through the scope rule.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from tongzhan.lib.privatefiles import PrivateFolder
from tongzhan.people import photos

FOLDER = "contact"
MAX_IMAGE_BYTES = 10 * 1024 * 1024  # before shrinking: phone photos are 3–8 MB
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_PER_LOG = 10
IMAGE_MAX_SIDE = 1600
THUMB_SIDE = 320
IMAGE_FORMATS = photos.FORMATS  # {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png")}
IMAGE_EXTENSIONS = {"jpg", "jpeg", "png"}
# extension -> (content type, how its first bytes start, a member a real file of it holds)
FILE_KINDS = {
    "pdf": ("application/pdf", b"%PDF-", None),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        b"PK\x03\x04",
        "word/document.xml",
    ),
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        b"PK\x03\x04",
        "xl/workbook.xml",
    ),
}
ACCEPT = "image/jpeg,image/png,.jpg,.jpeg,.png,.pdf,.docx,.xlsx"


class AttachmentError(ValueError):
    """The upload is not kept; str(error) says why, in the user's language."""


@dataclass(frozen=True)
class Prepared:
    """A checked upload, ready to store."""

    content: bytes
    extension: str
    content_type: str
    original_name: str
    is_image: bool


def extension_of(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def clean_name(name: str) -> str:
    """The name as shown and offered on download: no folders, no control characters."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '"<>|:*?')
    return name.strip()[:200] or "file"


def prepare(upload) -> Prepared:
    """Check an uploaded file (a Django UploadedFile) and return what is stored."""
    name = clean_name(getattr(upload, "name", "") or "")
    extension = extension_of(name)
    if extension in ("heic", "heif"):
        raise AttachmentError(
            _("暂不支持 HEIC 格式的照片：请在手机相机设置中选择“兼容性最佳”，或截图后上传。")
        )
    if extension in IMAGE_EXTENSIONS:
        return _prepare_image(upload, name)
    if extension in FILE_KINDS:
        return _prepare_file(upload, name, extension)
    raise AttachmentError(_("只能上传 JPEG、PNG 图片或 PDF、DOCX、XLSX 文件。"))


def _prepare_image(upload, name: str) -> Prepared:
    if upload.size > MAX_IMAGE_BYTES:
        raise AttachmentError(_("图片不能超过 10 MB。"))
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            if image.format not in IMAGE_FORMATS:
                raise AttachmentError(_("文件内容不是 JPEG 或 PNG 图片。"))
            # Refuse before decoding: a small file can declare a huge canvas.
            if image.width * image.height > photos.MAX_PIXELS:
                raise AttachmentError(_("图片的像素过多，请先缩小后再上传。"))
            image.load()
            kind = image.format
            image = ImageOps.exif_transpose(image)
            image.thumbnail((IMAGE_MAX_SIDE, IMAGE_MAX_SIDE), Image.Resampling.LANCZOS)
            content = photos._encode(image, kind)
    except AttachmentError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise AttachmentError(_("文件内容不是有效的 JPEG 或 PNG 图片。")) from None
    extension, content_type = IMAGE_FORMATS[kind]
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return Prepared(content, extension, content_type, f"{stem}.{extension}", True)


def _prepare_file(upload, name: str, extension: str) -> Prepared:
    if upload.size > MAX_FILE_BYTES:
        raise AttachmentError(_("文件不能超过 20 MB。"))
    upload.seek(0)
    content = upload.read()
    content_type, magic, member = FILE_KINDS[extension]
    if not content.startswith(magic) or (member and not _zip_holds(content, member)):
        raise AttachmentError(
            _("文件内容与扩展名 .%(ext)s 不符，请上传真实的 PDF、DOCX 或 XLSX 文件。")
            % {"ext": extension}
        )
    return Prepared(content, extension, content_type, name, False)


def _zip_holds(content: bytes, member: str) -> bool:
    """An Office file is a ZIP holding its main part; only the directory is read."""
    try:
        with zipfile.ZipFile(BytesIO(content)) as archive:
            return member in archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


# --- storage ----------------------------------------------------------------------------------


STORE = PrivateFolder(FOLDER)


def folder() -> Path:
    return STORE.path()


def save(prepared: Prepared) -> str:
    """Write under a random name; return the name relative to MEDIA_ROOT."""
    return STORE.save(prepared.content, prepared.extension)


def path_of(name: str) -> Path | None:
    return STORE.path_of(name)


def delete(name: str) -> None:
    STORE.delete(name)


def thumbnail(path: Path) -> bytes:
    """A small JPEG of a stored image, for lists and the detail page."""
    with Image.open(path) as image:
        image.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.Resampling.LANCZOS)
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        out = BytesIO()
        image.save(out, "JPEG", quality=80)
        return out.getvalue()

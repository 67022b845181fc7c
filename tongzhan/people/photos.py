"""Person photos: checked by their content with Pillow, shrunk, stored with a random name.

Photos live under MEDIA_ROOT/photos, which no URL serves: the only way to a photo is
the people:photo_file view, which goes through the scope rule. Saving re-encodes the
image, so EXIF data (camera, GPS position) never reaches the disk.
"""

from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from tongzhan.lib.privatefiles import PrivateFolder

MAX_BYTES = 5 * 1024 * 1024
MAX_SIDE = 600
# Refuse before decoding: a small file can declare a huge canvas (a decompression bomb).
MAX_PIXELS = 40_000_000
FORMATS = {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png")}
CONTENT_TYPES = dict(FORMATS.values())
FOLDER = "photos"


class PhotoError(ValueError):
    """The upload is not a photo we keep; str(error) says why, in the user's language."""


@dataclass(frozen=True)
class Photo:
    """A checked, shrunk photo, ready to store."""

    content: bytes
    extension: str


def prepare(upload) -> Photo:
    """Check an uploaded file and return it re-encoded, at most MAX_SIDE on its long side."""
    if upload.size > MAX_BYTES:
        raise PhotoError(_("照片不能超过 5 MB。"))
    try:
        with Image.open(upload) as image:
            if image.format not in FORMATS:
                raise PhotoError(_("照片只能是 JPEG 或 PNG 图片。"))
            if image.width * image.height > MAX_PIXELS:
                raise PhotoError(_("照片的像素过多，请先缩小后再上传。"))
            image.load()
            kind = image.format
            image = ImageOps.exif_transpose(image)
            image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
            return Photo(_encode(image, kind), FORMATS[kind][0])
    except PhotoError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise PhotoError(_("文件不是有效的 JPEG 或 PNG 图片。")) from None


def _encode(image: Image.Image, kind: str) -> bytes:
    out = BytesIO()
    if kind == "JPEG":
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        image.save(out, "JPEG", quality=85, optimize=True)
    else:
        image.save(out, "PNG", optimize=True)
    return out.getvalue()


STORE = PrivateFolder(FOLDER)


def folder() -> Path:
    return STORE.path()


def save(photo: Photo) -> str:
    """Write the photo under a random name; return the name relative to MEDIA_ROOT."""
    return STORE.save(photo.content, photo.extension)


def path_of(name: str) -> Path | None:
    return STORE.path_of(name)


def content_type(name: str) -> str:
    return CONTENT_TYPES.get(name.rsplit(".", 1)[-1], "application/octet-stream")


def delete(name: str) -> None:
    STORE.delete(name)

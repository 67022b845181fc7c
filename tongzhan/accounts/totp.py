"""What the enrolment page shows: the device's otpauth:// URL as a QR code drawn on the
server as inline SVG (no image request, no script, nothing from outside), and the same
secret in base32 for typing into an authenticator app by hand."""

from base64 import b32encode

import qrcode
from django.utils.safestring import SafeString, mark_safe
from qrcode.image.svg import SvgPathImage


def qr_svg(text: str) -> SafeString:
    image = qrcode.make(text, image_factory=SvgPathImage, border=2)
    svg = image.get_image()
    # Scale with its container instead of a fixed size in millimetres.
    svg.set("width", "100%")
    svg.set("height", "100%")
    svg.set("role", "img")
    svg.set("aria-label", "QR")
    # Our own markup from qrcode: it carries no user text, only the path of the modules.
    return mark_safe(image.to_string(encoding="unicode"))  # noqa: S308


def secret_base32(bin_key: bytes) -> str:
    """The secret in groups of four, as authenticator apps accept it typed in."""
    text = b32encode(bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))

"""Masking of sensitive personal data for display and for logs."""

import logging
import re

ID_NUMBER_RE = re.compile(r"(?<![0-9])([1-9][0-9]{5})([0-9]{8})([0-9]{3}[0-9Xx])(?![0-9])")
PHONE_RE = re.compile(r"(?<![0-9])(1[3-9][0-9])([0-9]{4})([0-9]{4})(?![0-9])")


def mask_id_number(value: str) -> str:
    """110105199001011234 -> 110105********1234."""
    if not value:
        return ""
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str) -> str:
    """13812345678 -> 138****5678; other numbers keep their first 3 and last 4."""
    if not value:
        return ""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def is_masked(text: str) -> bool:
    """Whether a number was shown masked (by the functions above): its digits are gone."""
    return "*" in text


def mask_text(text: str) -> str:
    """Mask every ID number and mobile number found inside free text."""
    text = ID_NUMBER_RE.sub(lambda m: mask_id_number(m.group(0)), text)
    return PHONE_RE.sub(lambda m: mask_phone(m.group(0)), text)


class MaskingLogFilter(logging.Filter):
    """Masks ID and phone numbers in every log record before a handler writes it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not stop the log
            return True
        masked = mask_text(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True

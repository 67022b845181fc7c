"""身份证号 (GB 11643-1999): normalise, check character, validate, 15→18, Excel damage.

Messages name what is wrong (translated: gettext at the time of the error), because they
go straight to a form field or to an import report row. Every failure carries a short `code` too, so an importer
can count failures by kind without parsing the text.
"""

import operator
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from tongzhan.lib.chinese import to_halfwidth

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"  # indexed by the weighted sum mod 11
EARLIEST_BIRTH = date(1900, 1, 1)
# Province-level codes (GB/T 2260) plus 83: 港澳台居民居住证 use 81 香港, 82 澳门, 83 台湾.
PROVINCES = frozenset(
    ["11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36"]
    + ["37", "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62"]
    + ["63", "64", "65", "71", "81", "82", "83"]
)
# "3.30599197503E+17", "3,30599E+17": what a spreadsheet shows for a long number.
SCIENTIFIC_RE = re.compile(r"^[0-9](?:[.,][0-9]+)?E\+?([0-9]{1,2})$")
# "330599750301100.0": a number cell read back as a float; the digits themselves survive.
WHOLE_FLOAT_RE = re.compile(r"^([0-9]+)\.0+$")
# Excel keeps 15 significant digits of a number.
EXCEL_DIGITS = 15


class IdNumberError(ValueError):
    """The text is not a valid 身份证号; str(error) is a Chinese message for the user."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.code = code  # empty, excel, length, chars, region, date, future, too_old, check


@dataclass(frozen=True)
class IdNumber:
    """A checked 18-character 身份证号 and what it says about its holder."""

    number: str
    birth_date: date
    gender: str  # GB/T 2261.1: "1" 男 (17th digit odd), "2" 女 (even)
    region_code: str  # first 6 digits: the county of first issue (9…: a foreigner's card)


def normalise(text) -> str:
    """Strip, drop inner spaces, full-width → half-width, x → X, a cell's leading '.

    Accepts numbers too (a spreadsheet cell), so that validate() can say what happened.
    """
    text = to_halfwidth(str(text if text is not None else ""))
    text = "".join(text.split()).upper()
    # A leading apostrophe is Excel's "store as text" marker, typed by careful users.
    text = text.lstrip("'‘’")
    whole = WHOLE_FLOAT_RE.match(text)
    return whole.group(1) if whole else text


def check_char(first17: str) -> str:
    """The 18th character for 17 digits: weighted sum mod 11 indexes "10X98765432"."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise IdNumberError(_("计算校验位需要 17 位数字"), "chars")
    # 17 digits (checked above) against 17 weights; a third faster than a generator, and
    # an import asks twice a row.
    total = sum(map(operator.mul, map(int, first17), WEIGHTS))
    return CHECK_CHARS[total % 11]


def looks_mangled_by_excel(text) -> bool:
    """True when a spreadsheet stored the ID as a number and the last digits are gone.

    Excel keeps 15 significant digits, so an 18-digit ID typed into a number cell comes
    back as "3.30599197503011E+17", as "330599197503011000", or, through a float, as
    "330599197503011008". Nothing can recover the lost digits: the row must be rejected.
    """
    if isinstance(text, float):  # a number cell: 15-digit old numbers still fit
        return abs(text) >= 10**EXCEL_DIGITS
    return _mangled(normalise(text))


def _mangled(value: str) -> bool:
    """looks_mangled_by_excel of text already normalised."""
    scientific = SCIENTIFIC_RE.match(value)
    if scientific:
        return int(scientific.group(1)) >= EXCEL_DIGITS - 1
    if len(value) != 18 or not value.isascii() or not value.isdigit() or value[0] == "0":
        return False
    # A real ID can end in 000 or look like a float image, but then its check char holds;
    # the check char first: it is the cheaper test, and holds for nearly every number.
    return check_char(value[:17]) != value[17] and _is_float_image(value)


def _is_float_image(digits: str) -> bool:
    """Whether the digits are what 15 significant digits look like written out in full."""
    shown = f"{float(digits):.{EXCEL_DIGITS - 1}e}"
    try:
        exact = int(Decimal(shown))
    except InvalidOperation:  # pragma: no cover - digits always parse
        return False
    return int(digits) in (exact, int(float(shown)))


def validate(text, *, accept_15: bool = False, today: date | None = None) -> IdNumber:
    """Check an ID number and return it with its birth date, gender and region.

    A 15-digit (first-generation) number is refused with its 18-digit form in the
    message, or converted when accept_15 is true. Raises IdNumberError.
    """
    number = normalise(text)  # once: an import validates two numbers a row
    if looks_mangled_by_excel(text) if isinstance(text, float) else _mangled(number):
        if isinstance(text, str) and not SCIENTIFIC_RE.match(number):
            # 18 digits ending as a float would: a number cell's damage, or a typo in a
            # number typed by hand (a form): say both, the user knows which it was.
            raise IdNumberError(
                _(
                    "身份证号校验位不对，末几位又像是被电子表格改成了 0：若号码是从表格中复制的，"
                    "15 位以后的数字已丢失、无法恢复；请按证件核对后重新填写"
                ),
                "excel",
            )
        raise IdNumberError(
            _(
                "身份证号被电子表格当成数字保存（显示为 3.3E+17 或末几位变成 0），"
                "15 位以后的数字已丢失、无法恢复；请把该列设为“文本”格式后重新录入"
            ),
            "excel",
        )
    if len(number) == 15 and number.isascii() and number.isdigit():
        number = _upgrade_15(number, accept_15)
    _check_shape(number)
    birth = _birth_date(number[6:14], today or date.today())
    expected = check_char(number[:17])
    if number[17] != expected:
        raise IdNumberError(
            _("身份证号校验位错误：按前 17 位计算，第 18 位应为“%(expected)s”，现为“%(found)s”")
            % {"expected": expected, "found": number[17]},
            "check",
        )
    gender = "1" if int(number[16]) % 2 else "2"
    return IdNumber(number=number, birth_date=birth, gender=gender, region_code=number[:6])


def _upgrade_15(number: str, accept_15: bool) -> str:
    """The 18-digit form of an old number, or an error that tells the user what it is."""
    upgraded = convert_15_to_18(number)
    if accept_15:
        return upgraded
    raise IdNumberError(
        _("这是 15 位旧身份证号，请改填 18 位号码：%(n)s") % {"n": upgraded}, "length"
    )


def _check_shape(number: str) -> None:
    """Length, characters and province code, each with its own message."""
    if not number:
        raise IdNumberError(_("身份证号为空"), "empty")
    if len(number) != 18:
        raise IdNumberError(_("身份证号应为 18 位，现为 %(n)d 位") % {"n": len(number)}, "length")
    head = number[:17]
    if not (head.isascii() and head.isdigit()):  # then find the first that is not a digit
        for position, char in enumerate(head, start=1):
            if not ("0" <= char <= "9"):
                raise IdNumberError(
                    _("身份证号第 %(n)d 位“%(c)s”不是数字") % {"n": position, "c": char},
                    "chars",
                )
    if number[17] not in "0123456789X":
        raise IdNumberError(
            _("身份证号第 18 位只能是数字或 X，现为“%(c)s”") % {"c": number[17]}, "chars"
        )
    # The 2023 外国人永久居留身份证 has the same layout and check: 9, then the province.
    if number[:2] not in PROVINCES and not (number[0] == "9" and number[1:3] in PROVINCES):
        raise IdNumberError(
            _("身份证号前两位“%(c)s”不是有效的省级代码") % {"c": number[:2]}, "region"
        )


def _birth_date(digits: str, today: date) -> date:
    """Digits 7–14 as a date that a living registry member can have."""
    try:
        birth = date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        raise IdNumberError(
            _("身份证号第 7–14 位出生日期“%(d)s”不是有效日期") % {"d": digits}, "date"
        ) from None
    if birth > today:
        raise IdNumberError(
            _("身份证号中的出生日期 %(d)s 晚于今天") % {"d": birth.isoformat()}, "future"
        )
    if birth < EARLIEST_BIRTH:
        raise IdNumberError(
            _("身份证号中的出生日期 %(d)s 早于 1900 年") % {"d": birth.isoformat()}, "too_old"
        )
    return birth


def convert_15_to_18(text) -> str:
    """Old 15-digit number (YYMMDD, no check char) → 18 digits: insert "19", add the check."""
    number = normalise(text)
    if len(number) != 15 or not number.isascii() or not number.isdigit():
        raise IdNumberError(
            _("15 位旧身份证号应为 15 位数字，现为“%(n)s”") % {"n": number}, "length"
        )
    body = number[:6] + "19" + number[6:]
    try:
        date(int(body[6:10]), int(body[10:12]), int(body[12:14]))
    except ValueError:
        raise IdNumberError(
            _("15 位旧身份证号中的出生日期“%(d)s”不是有效日期") % {"d": number[6:12]}, "date"
        ) from None
    return body + check_char(body)


def is_valid(text) -> bool:
    """validate() without the exception, for filters and quick checks."""
    try:
        validate(text)
    except IdNumberError:
        return False
    return True

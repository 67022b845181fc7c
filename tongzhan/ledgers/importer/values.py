"""Reading one cell as ledgers write it: dates, genders, code tables, categories, phones.

Each parser returns the stored value or raises Problem with a Chinese message for the
import report. Code tables accept the standard name, the common short forms (汉 for
汉族; 民建, 民建会员 and 中国民主建国会 for 06) and the code itself.
"""

import functools
import re
from datetime import date, datetime, timedelta

from django.utils import translation
from django.utils.translation import gettext as _

from tongzhan.core.choices import (
    DEMOCRATIC_PARTIES,
    ETHNIC_GROUPS,
    Category,
    Education,
    Gender,
    PoliticalStatus,
    Religion,
)
from tongzhan.lib.chinese import clean
from tongzhan.lib.masking import is_masked, mask_phone

EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 = 1900-01-01 (Excel's 1900 leap-year bug included)
EARLIEST = date(1900, 1, 1)
# Between several values in one cell: 、，,；;／/ and spaces.
LIST_SPLIT_RE = re.compile(r"[、，,；;／/|\s]+")


class Problem(ValueError):
    """A cell that cannot be used as it is; `level` is "error" or "warning"."""

    def __init__(self, message: str, level: str = "error"):
        super().__init__(message)
        self.level = level


# lib.chinese.clean() in one translate: full-width ASCII (U+FF01–U+FF5E) and the
# ideographic space → half-width, invisible characters dropped.
_CLEAN = (
    {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
    | {0x3000: 0x20}
    | dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
)


# Cells that need no cleaning at all (most of them) are returned as they are.
_NEEDS_CLEANING_RE = re.compile("[\\s\uff01-\uff5e\u3000\u200b-\u200d\u2060\ufeff\u00ad]")


def text(value) -> str:
    """A cell as text: half-width, single spaces; a whole number without ".0".

    What lib.chinese.clean does, in one pass: it runs on every cell of every row."""
    if isinstance(value, str):
        if not _NEEDS_CLEANING_RE.search(value):
            return value
        return " ".join(value.translate(_CLEAN).split())
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date() if value.time() == datetime.min.time() else value
    if isinstance(value, date):
        return value.isoformat()
    return clean(value)


# --- dates -------------------------------------------------------------------------------

_YMD_RE = re.compile(r"^(\d{4})\s*[年.\-/]\s*(\d{1,2})\s*(?:[月.\-/]\s*(?:(\d{1,2})\s*日?)?)?$")
_COMPACT_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})?$")
_TIME_SUFFIX_RE = re.compile(r"\s+\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")


def parse_date(value, *, today: date) -> tuple[date, bool, str]:
    """(date, month_only, note). Month-only dates (出生年月 1975.03) are the 1st of the month.

    `note` is a warning to report with the value (an ambiguous 1975.1 in a number cell).
    """
    if isinstance(value, datetime):
        return _in_range(value.date(), today), False, ""
    if isinstance(value, date):
        return _in_range(value, today), False, ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _from_number(value, today)
    return _from_text(text(value), today)


@functools.lru_cache(maxsize=4096)
def _from_text(value: str, today: date) -> tuple[date, bool, str]:
    """A date written as text (the same few thousand months recur in a ledger: cached)."""
    raw = _TIME_SUFFIX_RE.sub("", value)
    match = _YMD_RE.match(raw)
    if match:
        year, month, day = match.groups()
        return _build(raw, int(year), int(month), int(day) if day else None, today)
    match = _COMPACT_RE.match(raw)
    if match:
        year, month, day = match.groups()
        return _build(raw, int(year), int(month), int(day) if day else None, today)
    if re.fullmatch(r"\d{4}年?", raw):
        raise Problem(_("“%(v)s”只有年份，缺少月份") % {"v": raw})
    if re.fullmatch(r"\d{5}(\.\d+)?", raw):  # an Excel serial number written out as text
        return _from_number(float(raw), today)
    raise Problem(
        _("“%(v)s”不是可识别的日期（可写作 1975.03、1975年3月、1975-03-01）") % {"v": raw}
    )


def _from_number(value: float, today: date) -> tuple[date, bool, str]:
    """A number cell: 1975.03 (year.month), 197503 / 19750301, or an Excel serial date."""
    if 1900 <= value < 2100 and not float(value).is_integer():
        return _year_dot_month(value, today)
    whole = int(value)
    if 19000101 <= whole <= 21001231 or 190001 <= whole <= 210012:
        digits = str(whole)
        day = int(digits[6:]) if len(digits) == 8 else None
        return _build(digits, int(digits[:4]), int(digits[4:6]), day, today)
    if 1900 <= whole < 2100:
        raise Problem(_("“%(v)s”只有年份，缺少月份") % {"v": whole})
    if 0 < value < 2958466:
        return _in_range(EXCEL_EPOCH + timedelta(days=int(value)), today), False, ""
    raise Problem(_("“%(v)s”不是可识别的日期") % {"v": text(value)})


def _year_dot_month(value: float, today: date) -> tuple[date, bool, str]:
    """1975.03 typed into a number cell. Excel drops a trailing zero, so 1975.10 arrives as
    1975.1: read as January, and say that it may have been October."""
    year, decimals = repr(float(value)).split(".")
    month, note = int(decimals[:2].ljust(2, "0")) if len(decimals) >= 2 else int(decimals), ""
    if len(decimals) == 1 and decimals == "1":
        note = _(
            "“%(v)s”是数字格式，可能是 %(y)s 年 1 月，也可能是 10 月（末尾的 0 被丢掉），已按 1 月导入"
        ) % {"v": repr(float(value)), "y": year}
    result, month_only, _note = _build(repr(float(value)), int(year), month, None, today)
    return result, month_only, note


def _build(raw: str, year: int, month: int, day: int | None, today: date):
    try:
        result = date(year, month, day or 1)
    except ValueError:
        raise Problem(_("“%(v)s”不是有效日期") % {"v": raw}) from None
    return _in_range(result, today), day is None, ""


def _in_range(value: date, today: date) -> date:
    if value > today:
        raise Problem(_("日期 %(d)s 晚于今天") % {"d": value.isoformat()})
    if value < EARLIEST:
        raise Problem(_("日期 %(d)s 早于 1900 年") % {"d": value.isoformat()})
    return value


# --- code tables ---------------------------------------------------------------------------


@functools.cache
def _tables() -> dict[str, dict[str, str]]:
    """Name -> code for every table, built once in Chinese (the msgids)."""
    with translation.override("zh-hans"):
        ethnic = {}
        for code, name, letters in ETHNIC_GROUPS:
            name = str(name)
            ethnic.update({name: code, code: code, str(int(code)): code})
            if letters:
                ethnic[letters.lower()] = code
            if name.endswith("族") and len(name) >= 2:
                ethnic[name[:-1]] = code  # 汉 for 汉族, 回 for 回族
        return {
            "ethnicity": ethnic,
            "political_status": _political_names(),
            "education": _education_names(),
            "religion": _religion_names(),
            "category": _category_names(),
        }


def _political_names() -> dict[str, str]:
    names = {str(label): code for code, label in PoliticalStatus.choices}
    names.update({code: code for code, _label in PoliticalStatus.choices})
    names.update(
        {"党员": "01", "共产党员": "01", "中国共产党党员": "01", "中共": "01", "中国共产党": "01"}
        | {"预备党员": "02", "团员": "03", "共青团": "03", "共青团员": "03"}
        | {"无党派人士": "12", "无党派": "12", "无党派民主人士": "12", "群众": "13"}
    )
    for code, full, short, title in DEMOCRATIC_PARTIES:
        for base in {full, short, full.removeprefix("中国")}:
            names[base] = code
            for suffix in {title, "成员", "党员", "会员", "盟员", "社员"}:
                names[base + suffix] = code
    names["九三"] = "10"
    return names


def _education_names() -> dict[str, str]:
    names = {str(label): code for code, label in Education.choices}
    names.update({code: code for code, _label in Education.choices})
    names.update(
        {"研究生": "10", "博士": "11", "博士研究生": "11", "硕士": "14", "硕士研究生": "14"}
        | {"大学本科": "20", "本科": "20", "大学": "20", "大专": "30", "专科": "30"}
        | {"大学专科": "30", "中专": "41", "中等专科": "41", "职高": "44", "技校": "47"}
        | {"高中": "60", "初中": "70", "小学": "80"}
    )
    return names


def _religion_names() -> dict[str, str]:
    names = {str(label): code for code, label in Religion.choices}
    names.update({"佛": "F", "道": "D", "伊斯兰": "Y", "天主": "T", "基督": "J"})
    names.update({"基督教新教": "J", "新教": "J", "回教": "Y"})
    return names


def _category_names() -> dict[str, str]:
    names = {}
    for code, label in Category.choices:
        names.update({str(label): code, code: code, str(int(code)): code})
    # The labels with 、 inside are split like any list; their parts name the category too.
    names.update(
        {"民主党派": "01", "民主党派人士": "01", "无党派": "02", "知识分子": "03"}
        | {"党外知识分子人士": "03", "少数民族": "04", "宗教界": "05", "宗教人士": "05"}
        | {"非公有制经济": "06", "非公经济人士": "06", "非公经济": "06", "非公": "06"}
        | {"民营企业家": "06", "新的社会阶层": "07", "新阶层": "07", "新阶层人士": "07"}
        | {"新社会阶层人士": "07", "留学人员": "08", "出国和归国留学人员": "08"}
        | {"归国留学人员": "08", "留学归国人员": "08", "香港同胞": "09", "澳门同胞": "09"}
        | {"港澳同胞": "09", "台湾同胞": "10", "台胞": "10", "台属": "10", "台胞台属": "10"}
        | {"华侨": "11", "归侨": "11", "侨眷": "11", "归侨侨眷": "11", "归侨及侨眷": "11"}
        | {"其他": "12", "其他人员": "12"}
    )
    return names


def lookup(table: str, value: str) -> str | None:
    return _tables()[table].get(value.replace(" ", "").lower() if value.isascii() else value)


def parse_choice(table: str, value: str) -> str:
    """A code-table cell → code; Problem (a warning: the value is left out) if unknown."""
    code = lookup(table, value)
    if code is None:
        raise Problem(_("“%(v)s”不在代码表中，该项未导入") % {"v": value}, "warning")
    return code


def parse_political(value: str) -> tuple[str, str]:
    """政治面貌, and a second democratic party when the cell names two (民盟、九三学社)."""
    parts = [p for p in LIST_SPLIT_RE.split(value) if p]
    codes = [parse_choice("political_status", part) for part in parts]
    if len(codes) > 2:
        raise Problem(_("“%(v)s”列了两个以上党派，该项未导入") % {"v": value}, "warning")
    second = codes[1] if len(codes) == 2 else ""
    if second and second not in {code for code, *_rest in DEMOCRATIC_PARTIES}:
        raise Problem(_("“%(v)s”的第二项不是民主党派，该项未导入") % {"v": value}, "warning")
    return codes[0], second


def parse_categories(value: str) -> list[str]:
    """Several categories in one cell, separated by 、，; or spaces."""
    return list(_categories(value))


@functools.lru_cache(maxsize=1024)
def _categories(value: str) -> tuple[str, ...]:
    codes, unknown = set(), []
    for part in LIST_SPLIT_RE.split(value):
        if not part:
            continue
        code = lookup("category", part)
        if code is None:
            unknown.append(part)
        else:
            codes.add(code)
    if unknown:
        raise Problem(_("类别“%(v)s”不是 12 类统战对象之一") % {"v": "、".join(unknown)})
    return tuple(sorted(codes))


_GENDERS = {
    "男": Gender.MALE,
    "男性": Gender.MALE,
    "m": Gender.MALE,
    "male": Gender.MALE,
    "1": Gender.MALE,
    "女": Gender.FEMALE,
    "女性": Gender.FEMALE,
    "f": Gender.FEMALE,
    "female": Gender.FEMALE,
    "2": Gender.FEMALE,
}


def parse_gender(value: str) -> str:
    code = _GENDERS.get(value.replace(" ", "").lower())
    if code is None:
        raise Problem(_("性别“%(v)s”无法识别（应为 男 或 女）") % {"v": value})
    return str(code)


# --- numbers people type ------------------------------------------------------------------

MOBILE_RE = re.compile(r"^1[3-9][0-9]{9}$")
LANDLINE_RE = re.compile(r"^(0[0-9]{2,3})-?([0-9]{7,8})$")
_PHONE_NOISE = str.maketrans("", "", " ()（）")


def parse_phone(value) -> tuple[str, str]:
    """(phone, note): a mobile or "区号-号码"; a cell with several numbers keeps the first."""
    raw = text(value)
    if is_masked(raw):  # a masked 名册 (ours exports 138****5678): the digits are not there
        raise Problem(
            _("联系电话“%(v)s”是脱敏后的号码，无法导入，该项未导入") % {"v": raw.replace(" ", "")},
            "warning",
        )
    parts = [p for p in re.split(r"[、，,；;／/]+", raw) if p.strip()]
    note = _("有多个号码，只导入第一个") if len(parts) > 1 else ""
    phone = parts[0].translate(_PHONE_NOISE) if parts else ""
    phone = re.sub(r"^(\+?86|0086)(?=1[3-9][0-9]{9}$)", "", phone)
    if MOBILE_RE.match(phone):
        return phone, note
    landline = LANDLINE_RE.match(phone)
    if landline:
        return f"{landline.group(1)}-{landline.group(2)}", note
    # The message shows the number masked: a report is not a place for phone numbers.
    raise Problem(
        _("联系电话“%(v)s”格式不正确（应为 11 位手机号或“区号-号码”），该项未导入")
        % {"v": mask_phone(raw.replace(" ", ""))},
        "warning",
    )

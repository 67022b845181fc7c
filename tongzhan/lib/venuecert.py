"""宗教活动场所登记证号: normalise, parse, validate.

The number reads 宗场证字(渝)F000140001: the issuing province's abbreviation in
brackets, the religion's letter (T 天主教, J 基督教, F 佛教, D 道教, Y 伊斯兰教, the
codes of core.choices.Religion), then nine digits: 2 for the city, 3 for the county,
4 for the serial. People type it with full-width brackets and letters, lower case,
spaces, or other bracket shapes ([渝], 【渝】, 〔渝〕); all of those normalise to the
printed form.
"""

import re
from dataclasses import dataclass

from tongzhan.lib.chinese import to_halfwidth

PREFIX = "宗场证字"
# The 34 省级 divisions' abbreviations; the five with a second, older one accept it too.
PROVINCES = frozenset("京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川黔滇藏陕甘青宁新港澳台")
ALTERNATES = {"蜀": "川", "贵": "黔", "云": "滇", "秦": "陕", "陇": "甘"}
RELIGIONS = {"F": "佛教", "D": "道教", "Y": "伊斯兰教", "T": "天主教", "J": "基督教"}
_BRACKETS = str.maketrans({c: "(" for c in "[【〔〖［"} | {c: ")" for c in "]】〕〗］"})
_FORM_RE = re.compile(r"^宗场证字?\((?P<province>.)\)(?P<letter>[A-Z])(?P<digits>.*)$")


class VenueCertError(ValueError):
    """Not a valid 登记证号; str(error) is a Chinese message, `code` says which check."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.code = code  # empty, format, province, religion, digits, mismatch


@dataclass(frozen=True)
class VenueCert:
    """A checked 登记证号 split into its parts."""

    code: str
    province: str
    religion: str  # the letter, a core.choices.Religion value
    city: str
    county: str
    serial: str

    @property
    def religion_name(self) -> str:
        return RELIGIONS[self.religion]


def normalise(text) -> str:
    """Half-width, no spaces, upper-case letters, round brackets, 宗场证 → 宗场证字."""
    text = to_halfwidth(str(text if text is not None else "")).translate(_BRACKETS)
    text = "".join(text.split()).replace("（", "(").replace("）", ")").upper()
    if text.startswith("宗场证(") or text.startswith("宗场证字("):
        text = PREFIX + text[text.index("(") :]
    return text


def validate(text, religion: str = "") -> VenueCert:
    """Check a number (and, given `religion`, that its letter is that religion's)."""
    code = normalise(text)
    if not code:
        raise VenueCertError("宗教活动场所登记证号为空", "empty")
    match = _FORM_RE.match(code)
    if match is None:
        raise VenueCertError(
            "宗教活动场所登记证号格式应为“宗场证字(省份简称)宗教字母+9位数字”，"
            "如“宗场证字(渝)F000140001”",
            "format",
        )
    province, letter, digits = match["province"], match["letter"], match["digits"]
    province = ALTERNATES.get(province, province)
    if province not in PROVINCES:
        raise VenueCertError(f"“{match['province']}”不是省级行政区的简称", "province")
    if letter not in RELIGIONS:
        raise VenueCertError(
            f"宗教字母“{letter}”无效：应为 F（佛教）、D（道教）、Y（伊斯兰教）、"
            "T（天主教）或 J（基督教）",
            "religion",
        )
    if len(digits) != 9 or not digits.isascii() or not digits.isdigit():
        raise VenueCertError(
            f"宗教字母后应为 9 位数字（2 位市、3 位县、4 位序号），现为“{digits}”", "digits"
        )
    if religion and religion != letter:
        expected = RELIGIONS.get(religion, religion)
        raise VenueCertError(
            f"登记证号的宗教字母“{letter}”表示{RELIGIONS[letter]}，与场所的宗教（{expected}）不符",
            "mismatch",
        )
    code = f"{PREFIX}({province}){letter}{digits}"
    return VenueCert(code, province, letter, digits[:2], digits[2:5], digits[5:])


def is_valid(text, religion: str = "") -> bool:
    """validate() without the exception."""
    try:
        validate(text, religion)
    except VenueCertError:
        return False
    return True

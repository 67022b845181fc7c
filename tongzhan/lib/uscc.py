"""统一社会信用代码 (GB 32100-2015): normalise, check character, validate.

18 characters over a 31-symbol alphabet without I, O, Z, S, V (they look like 1, 0, 2,
5 and U). Only the 18th character is checked: the embedded 组织机构代码 (positions
9–17) has its own GB 11714 check, but codes issued to some bodies do not follow it, and
refusing a code that a licence really carries would be worse than missing a typo there.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from tongzhan.lib.chinese import to_halfwidth

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUES = {char: value for value, char in enumerate(ALPHABET)}
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# 登记管理部门码 (first character), for display; unknown ones are not an error.
AUTHORITIES = {
    "1": "机构编制",
    "2": "外交",
    "3": "司法行政",
    "4": "文化",
    "5": "民政",
    "6": "旅游",
    "7": "宗教",
    "8": "工会",
    "9": "市场监管（工商）",
    "A": "中央军委改革和编制办公室",
    "N": "农业",
    "Y": "其他",
}


class UsccError(ValueError):
    """The text is not a valid 统一社会信用代码; str(error) is a Chinese message."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.code = code  # empty, length, chars, check


@dataclass(frozen=True)
class Uscc:
    """A checked 统一社会信用代码 split into its parts."""

    code: str
    authority_code: str  # 1st: 登记管理部门码
    org_type_code: str  # 2nd: 机构类别码
    region_code: str  # 3rd–8th: 登记管理机关行政区划码
    org_code: str  # 9th–17th: 主体标识码 (组织机构代码)

    @property
    def authority(self) -> str | None:
        """The registering authority's name, None for a first character not in the table."""
        return AUTHORITIES.get(self.authority_code)


def normalise(text) -> str:
    """Strip, drop inner spaces, full-width → half-width, upper case."""
    text = to_halfwidth(str(text if text is not None else ""))
    return "".join(text.split()).upper()


def check_char(first17: str) -> str:
    """The 18th character: (31 − weighted sum mod 31) mod 31, as a symbol of ALPHABET."""
    if len(first17) != 17 or any(char not in VALUES for char in first17):
        raise UsccError(_("计算校验码需要 17 位有效字符"), "chars")
    total = sum(VALUES[char] * weight for char, weight in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def validate(text) -> Uscc:
    """Check a code and return it split into parts. Raises UsccError."""
    code = normalise(text)
    if not code:
        raise UsccError(_("统一社会信用代码为空"), "empty")
    if len(code) != 18:
        raise UsccError(_("统一社会信用代码应为 18 位，现为 %(n)d 位") % {"n": len(code)}, "length")
    for position, char in enumerate(code, start=1):
        if char not in VALUES:
            raise UsccError(
                _(
                    "统一社会信用代码第 %(n)d 位“%(c)s”不是有效字符"
                    "（只用数字和除 I、O、Z、S、V 以外的大写字母）"
                )
                % {"n": position, "c": char},
                "chars",
            )
    expected = check_char(code[:17])
    if code[17] != expected:
        raise UsccError(
            _(
                "统一社会信用代码校验码错误：按前 17 位计算，第 18 位应为“%(expected)s”，现为“%(found)s”"
            )
            % {"expected": expected, "found": code[17]},
            "check",
        )
    return Uscc(code, code[0], code[1], code[2:8], code[8:17])


def is_valid(text) -> bool:
    """validate() without the exception."""
    try:
        validate(text)
    except UsccError:
        return False
    return True

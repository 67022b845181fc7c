"""The 12-digit statistical division code (统计用区划代码): level, parent, subtree range.

A subtree is a prefix, so "in this region" is the code range [prefix000…, prefix999…]:
an index range scan, never a recursive join.
"""

import re

CODE_RE = re.compile(r"^[0-9]{12}$")
# Digits that identify a region at each level (1 省 … 5 村).
PREFIX_LENGTH = {1: 2, 2: 4, 3: 6, 4: 9, 5: 12}


class DivisionCodeError(ValueError):
    """The text is not a well-formed 12-digit statistical division code."""


def level_of(code: str) -> int:
    """Level 1–5 from the code itself: the trailing zero groups say where it stops."""
    validate(code)
    if code[2:] == "0" * 10:
        return 1
    if code[4:] == "0" * 8:
        return 2
    if code[6:] == "0" * 6:
        return 3
    if code[9:] == "000":
        return 4
    return 5


def validate(code: str) -> None:
    if not isinstance(code, str) or not CODE_RE.match(code):
        raise DivisionCodeError(f"区划代码必须是 12 位数字：{code!r}")
    if code[:2] == "00":
        raise DivisionCodeError(f"省级代码不能为 00：{code}")
    if code[2:4] == "00" and code[4:] != "0" * 8:
        raise DivisionCodeError(f"缺少市级代码（第 3–4 位为 00）：{code}")
    if code[4:6] == "00" and code[6:] != "0" * 6:
        raise DivisionCodeError(f"缺少县级代码（第 5–6 位为 00）：{code}")
    if code[6:9] == "000" and code[9:] != "000":
        raise DivisionCodeError(f"缺少乡级代码（第 7–9 位为 000）：{code}")
    if int(code[6:9]) >= 600:
        raise DivisionCodeError(f"乡级代码第 7–9 位应在 001–599：{code}")
    if int(code[9:12]) >= 600:
        raise DivisionCodeError(f"村级代码第 10–12 位应在 001–599：{code}")


def is_valid(code: str) -> bool:
    try:
        validate(code)
    except DivisionCodeError:
        return False
    return True


def prefix(code: str) -> str:
    return code[: PREFIX_LENGTH[level_of(code)]]


def subtree_range(code: str) -> tuple[str, str]:
    """The inclusive code range covering the region and everything below it."""
    p = prefix(code)
    return p.ljust(12, "0"), p.ljust(12, "9")


def parent_of(code: str) -> str | None:
    level = level_of(code)
    if level == 1:
        return None
    return code[: PREFIX_LENGTH[level - 1]].ljust(12, "0")


def ancestors(code: str) -> list[str]:
    """The codes above a region, nearest first (a village: its township, county, city,
    province)."""
    found, parent = [], parent_of(code)
    while parent:
        found.append(parent)
        parent = parent_of(parent)
    return found


def township_kind(code: str) -> str:
    """街道 / 镇 / 乡 / 其他 from digits 7–9 (REFERENCE.md)."""
    n = int(code[6:9])
    if n < 100:
        return "街道"
    if n < 200:
        return "镇"
    if n < 400:
        return "乡"
    return "其他乡级单位"


def village_kind(code: str) -> str:
    """社区 / 村 / 其他 from digits 10–12; 498 and 598 are virtual villages."""
    n = int(code[9:12])
    if n in (498, 598):
        return "虚拟村"
    if n < 200:
        return "社区"
    if n < 400:
        return "村"
    return "其他村级单位"


def is_within(code: str, ancestor: str) -> bool:
    low, high = subtree_range(ancestor)
    return low <= code <= high

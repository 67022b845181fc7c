"""Chinese text: normalisation, 繁简 conversion, and the keys a name is searched by.

Stored text keeps what the user typed; these functions make the *search keys*.
Conversion uses OpenCC's plain character tables t2s / s2t only: the regional phrase
tables (s2twp) rewrite words, e.g. 对象 → 物件, which would corrupt a 统战对象 registry.
"""

import functools
import itertools
import math
import re
from dataclasses import dataclass

import opencc
from pypinyin import Style, pinyin

from tongzhan.lib.surnames import COMPOUND_SURNAMES, SURNAMES

# Full-width ASCII (U+FF01–U+FF5E) sits exactly 0xFEE0 above ASCII; U+3000 is the
# ideographic space that ledgers use to pad two-character names to three.
_HALFWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
# Invisible characters that arrive with copy and paste and break exact matching.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
# Dots between the parts of a transliterated name (阿不都·热合曼), as people type them.
_NAME_DOTS = str.maketrans(dict.fromkeys("•・‧∙⋅.．", "·"))
_HAN_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_SPACE_NEXT_TO_HAN_RE = re.compile(rf"\s+(?={_HAN_RE.pattern})|(?<={_HAN_RE.pattern})\s+")
# A name splits into Han characters and runs of Latin letters or digits; the rest
# (spaces, dots, brackets) does not take part in pinyin keys.
_UNIT_RE = re.compile(rf"{_HAN_RE.pattern}|[a-z0-9]+")
# Combinations of readings kept per name: 64 covers three heteronyms of four readings.
MAX_READINGS = 64


def to_halfwidth(text: str) -> str:
    """Full-width ASCII → ASCII and ideographic space → space; Chinese text untouched."""
    return text.translate(_HALFWIDTH)


def clean(text) -> str:
    """Half-width, invisible characters removed, runs of whitespace → one space, stripped."""
    if text is None:
        return ""
    text = to_halfwidth(str(text)).translate(_INVISIBLE)
    return " ".join(text.split())


@functools.cache
def _converter(config: str) -> opencc.OpenCC:
    """One converter per table for the process: loading the dictionaries is the slow part."""
    return opencc.OpenCC(config)


def to_simplified(text: str) -> str:
    """Traditional → Simplified, character by character (OpenCC t2s)."""
    return _converter("t2s").convert(text) if text else ""


def to_traditional(text: str) -> str:
    """Simplified → Traditional (OpenCC s2t; never s2twp, which rewrites words)."""
    return _converter("s2t").convert(text) if text else ""


def clean_name(text) -> str:
    """A person's name as a search key: cleaned, Simplified, no padding spaces, one kind of dot.

    Ledgers pad 张三 to "张　三" so that columns line up; that space is not part of the name.
    """
    text = _SPACE_NEXT_TO_HAN_RE.sub("", clean(text))
    return to_simplified(text.translate(_NAME_DOTS))


def is_han(char: str) -> bool:
    """Whether one character is a CJK ideograph (basic block or extensions)."""
    return bool(_HAN_RE.fullmatch(char))


@dataclass(frozen=True)
class NameKeys:
    """What a name is found by: its Simplified form, full pinyin and initials."""

    simplified: str
    pinyin_full: frozenset[str]  # every reading: {"zhangsan"}
    initials: frozenset[str]  # first letters of the same readings: {"zs"}


def name_keys(name) -> NameKeys:
    """Search keys of a person's name, with surname readings from the surname table."""
    simplified = clean_name(name)
    units = _UNIT_RE.findall(simplified.lower())
    combos: set[tuple[str, ...]] = set()
    for parse in _parses(units):
        combos.update(_combinations(parse, MAX_READINGS))
    combos.discard(())
    return NameKeys(
        simplified=simplified,
        pinyin_full=frozenset("".join(combo) for combo in combos),
        initials=frozenset("".join(syllable[0] for syllable in combo) for combo in combos),
    )


def _parses(units: list[str]) -> list[list[tuple[str, ...]]]:
    """Readings per syllable, for each way of reading where the surname ends.

    A compound surname (尉迟) is read as one; the single-surname reading of the same
    characters is kept too, because 单于红 may be 单 + 于红 as well as 单于 + 红.
    """
    if not units or not is_han(units[0]):
        return [[_unit_readings(unit) for unit in units]]
    parses = []
    compound = COMPOUND_SURNAMES.get("".join(units[:2]))
    if compound:
        syllables = [tuple(dict.fromkeys(reading[i] for reading in compound)) for i in (0, 1)]
        parses.append(syllables + [_unit_readings(unit) for unit in units[2:]])
    surname = SURNAMES.get(units[0]) or _unit_readings(units[0])[:1]
    parses.append([surname] + [_unit_readings(unit) for unit in units[1:]])
    return parses


@functools.lru_cache(maxsize=65536)
def _unit_readings(unit: str) -> tuple[str, ...]:
    """Every toneless reading of one Han character, commonest first; a Latin run as itself.

    A character pypinyin cannot read gives no syllable rather than a wrong one.
    """
    if not is_han(unit):
        return (unit,)
    readings = pinyin(unit, style=Style.NORMAL, heteronym=True, errors="ignore")
    if not readings:
        return ()
    return tuple(dict.fromkeys(r.lower() for r in readings[0] if r.isascii() and r.isalpha()))


def _combinations(parse: list[tuple[str, ...]], cap: int) -> list[tuple[str, ...]]:
    """Every way of reading the name, at most `cap`: rare readings are dropped first.

    While there are too many, the character with the most readings loses its last
    (least common) one, so each character keeps its main reading.
    """
    options = [list(readings) for readings in parse if readings]
    while math.prod(len(readings) for readings in options) > cap:
        widest = max(options, key=len)
        widest.pop()
    return list(itertools.product(*options))


@dataclass(frozen=True)
class QueryKeys:
    """What a search box's text is looked up as; only the fields of its kind are set."""

    kind: str  # "empty", "id_number", "uscc", "phone", "pinyin", "chinese" or "text"
    text: str  # the cleaned input
    simplified: str = ""  # for name / work unit matching: Simplified, padding removed
    id_number: str = ""  # 18 characters (a 15-digit one converted): for the blind index
    uscc: str = ""  # 统一社会信用代码, upper case
    phone: str = ""  # digits only, +86 dropped
    pinyin: str = ""  # lower-case letters, ü as v: match pinyin_full or initials


# Separators people type inside numbers: 138-1234-5678, (0571) 8888 8888.
_NUMBER_SEPARATORS = str.maketrans("", "", " -()")
_ID_RE = re.compile(r"^[0-9]{17}[0-9X]$")
_USCC_RE = re.compile(r"^[0-9A-HJ-NP-RTUW-Y]{18}$")
_PHONE_RE = re.compile(r"^(?:\+?86|0086)?(1[3-9][0-9]{9})$|^([0-9]{7,12})$")
# Letters of pinyin as typed: zhang san, xi'an, lü / lv / lu:.
_PINYIN_RE = re.compile(r"^[a-z' ]+$")


def query_keys(text) -> QueryKeys:
    """Classify search-box text as an ID number, USCC, phone, pinyin or Chinese text."""
    cleaned = clean(text)
    if not cleaned:
        return QueryKeys(kind="empty", text="")
    compact = cleaned.translate(_NUMBER_SEPARATORS).upper()
    number_keys = _number_keys(cleaned, compact)
    if number_keys:
        return number_keys
    letters = cleaned.lower().replace("ü", "v").replace("u:", "v")
    if _PINYIN_RE.match(letters):
        pinyin_key = letters.replace("'", "").replace(" ", "")
        return QueryKeys(kind="pinyin", text=cleaned, simplified=cleaned, pinyin=pinyin_key)
    kind = "chinese" if _HAN_RE.search(cleaned) else "text"
    return QueryKeys(kind=kind, text=cleaned, simplified=clean_name(cleaned))


def _number_keys(cleaned: str, compact: str) -> QueryKeys | None:
    """Keys for an ID number, a 统一社会信用代码 or a phone number; None for anything else."""
    # Imported here: idcard and uscc import this module for to_halfwidth.
    from tongzhan.lib import idcard, uscc

    if len(compact) == 15 and compact.isdigit():
        try:
            return QueryKeys("id_number", cleaned, id_number=idcard.convert_15_to_18(compact))
        except idcard.IdNumberError:
            return None
    # An all-digit 18 could be either code: it is an ID unless only the USCC check holds.
    if _ID_RE.match(compact) and (idcard.is_valid(compact) or not uscc.is_valid(compact)):
        return QueryKeys("id_number", cleaned, id_number=compact)
    if _USCC_RE.match(compact) and not compact.isalpha():
        return QueryKeys("uscc", cleaned, uscc=compact)
    phone = _PHONE_RE.match(compact)
    if phone:
        return QueryKeys("phone", cleaned, phone=phone.group(1) or phone.group(2))
    return None

"""The keys a name is searched and sorted by, at import speed.

people.search writes the same keys one person at a time; an import computes them for
100,000 rows, where pypinyin's phrase lookup (about 30 µs a character) would dominate.
So: keys are cached per name, and the sort key reads each character alone unless a
phrase of pypinyin's phrase table occurs in the name, in which case the exact function
runs. A test holds sort_key() equal to search.pinyin_sort_key() over many names.
"""

import functools

from pypinyin import lazy_pinyin
from pypinyin.constants import PHRASES_DICT

from tongzhan.lib import chinese
from tongzhan.lib.surnames import COMPOUND_SURNAMES, SURNAMES
from tongzhan.people import search


# Bounded: a cached name costs about 1 KB, and a 100,000-row ledger must stay in 300 MB.
@functools.lru_cache(maxsize=8192)
def name_keys(name: str) -> chinese.NameKeys:
    return chinese.name_keys(name)


@functools.lru_cache(maxsize=8192)
def sort_key(name: str) -> str:
    """search.pinyin_sort_key(name), computed character by character when no phrase
    applies (lazy_pinyin then reads each character by itself)."""
    simplified = name_keys(name).simplified  # clean_name(name), cached with the keys
    compound = COMPOUND_SURNAMES.get(simplified[:2])
    if compound:
        head, rest = "".join(compound[0]), simplified[2:]
    elif simplified[:1] in SURNAMES:
        head, rest = SURNAMES[simplified[0]][0], simplified[1:]
    else:
        head, rest = "", simplified
    if _has_phrase(rest):
        return search.pinyin_sort_key(name)
    syllables = "".join(_reading(char) for char in rest)
    return "".join(ch for ch in head + syllables.lower() if ch.isalnum())[:64]


def _has_phrase(text: str) -> bool:
    return any(
        text[start:end] in PHRASES_DICT
        for start in range(len(text))
        for end in range(start + 2, len(text) + 1)
    )


@functools.lru_cache(maxsize=16384)
def _reading(char: str) -> str:
    return "".join(lazy_pinyin(char, errors="default"))

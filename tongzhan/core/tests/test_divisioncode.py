"""The 12-digit division code: level, parent and subtree range agree with each other."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tongzhan.lib import divisioncode

# (digits, lowest, highest) of each level's group: 省 市 县 乡 村.
GROUPS = [(2, 11, 99), (2, 1, 99), (2, 1, 99), (3, 1, 599), (3, 1, 599)]


@st.composite
def codes(draw, level=None):
    """A well-formed code of `level` (1–5, or any)."""
    level = level or draw(st.integers(1, 5))
    parts = [str(draw(st.integers(low, high))).zfill(width) for width, low, high in GROUPS[:level]]
    return "".join(parts).ljust(12, "0")


@given(st.integers(1, 5).flatmap(lambda level: st.tuples(st.just(level), codes(level))))
def test_the_level_is_read_from_the_code_it_was_built_at(level_and_code):
    level, code = level_and_code
    assert divisioncode.level_of(code) == level


@given(codes())
def test_a_code_lies_in_its_parents_subtree_one_level_up(code):
    parent = divisioncode.parent_of(code)
    level = divisioncode.level_of(code)
    if level == 1:
        assert parent is None
        return
    assert divisioncode.level_of(parent) == level - 1
    assert divisioncode.is_within(code, parent)
    low, high = divisioncode.subtree_range(parent)
    assert low == parent and low <= code <= high


@given(codes())
def test_walking_up_the_parents_reaches_the_province_in_level_minus_one_steps(code):
    steps, current = 0, code
    while divisioncode.parent_of(current):
        current = divisioncode.parent_of(current)
        steps += 1
    assert steps == divisioncode.level_of(code) - 1
    assert current == code[:2] + "0" * 10


@given(codes(), codes())
def test_one_code_is_within_another_exactly_when_it_starts_with_its_prefix(code, other):
    prefix = divisioncode.prefix(other)
    assert divisioncode.is_within(code, other) == code.startswith(prefix)


@given(codes())
def test_the_prefix_padded_with_zeros_is_the_code_again(code):
    assert divisioncode.prefix(code).ljust(12, "0") == code
    low, high = divisioncode.subtree_range(code)
    assert (low, high) == (code, divisioncode.prefix(code).ljust(12, "9"))


@given(st.text(max_size=14).filter(lambda s: not (len(s) == 12 and s.isascii() and s.isdigit())))
def test_anything_but_twelve_ascii_digits_is_rejected(text):
    assert not divisioncode.is_valid(text)


@pytest.mark.parametrize(
    "code, reason",
    [
        ("000000000000", "省级代码不能为 00"),
        ("330000100000", "缺少市级代码"),
        ("330500001000", "缺少县级代码"),
        ("330599000001", "缺少乡级代码"),
        ("330599600000", "001–599"),
        ("330599101600", "001–599"),
        ("33059910120", "12 位数字"),
    ],
)
def test_each_malformed_code_says_what_is_wrong(code, reason):
    with pytest.raises(divisioncode.DivisionCodeError, match=reason):
        divisioncode.validate(code)


@pytest.mark.parametrize(
    "code, kind",
    [
        ("330599001000", "街道"),
        ("330599099000", "街道"),
        ("330599100000", "镇"),
        ("330599199000", "镇"),
        ("330599200000", "乡"),
        ("330599399000", "乡"),
        ("330599400000", "其他乡级单位"),
    ],
)
def test_the_township_kind_follows_digits_seven_to_nine(code, kind):
    assert divisioncode.township_kind(code) == kind


@pytest.mark.parametrize(
    "code, kind",
    [
        ("330599101001", "社区"),
        ("330599101199", "社区"),
        ("330599101200", "村"),
        ("330599101399", "村"),
        ("330599101400", "其他村级单位"),
        ("330599101498", "虚拟村"),
        ("330599101598", "虚拟村"),
    ],
)
def test_the_village_kind_follows_digits_ten_to_twelve(code, kind):
    assert divisioncode.village_kind(code) == kind


def test_a_villages_ancestors_run_from_its_township_up_to_its_province():
    assert divisioncode.ancestors("330599101201") == [
        "330599101000",
        "330599000000",
        "330500000000",
        "330000000000",
    ]


def test_a_province_has_no_ancestors():
    assert divisioncode.ancestors("330000000000") == []

"""统一社会信用代码: the GB 32100 check character and the messages for bad codes."""

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from tongzhan.lib import uscc
from tongzhan.lib.uscc import UsccError

# Codes printed on real licences, as published by the companies themselves.
KNOWN_VALID = [
    "91350100M000100Y43",
    "91440300708461136T",
    "91110108551385082Q",
    "91110105771583283D",
    "91110000802100433B",
    "91110108740084270C",
    "112302070019030687",
]

bodies = st.text(alphabet=uscc.ALPHABET, min_size=17, max_size=17)
valid_codes = bodies.map(lambda body: body + uscc.check_char(body))


@given(valid_codes)
def test_every_body_with_its_computed_check_char_validates(code):
    checked = uscc.validate(code)
    assert checked.code == code
    assert (checked.authority_code, checked.org_type_code) == (code[0], code[1])
    assert checked.region_code == code[2:8] and checked.org_code == code[8:17]


@given(valid_codes, st.integers(0, 17), st.sampled_from(uscc.ALPHABET + "IOZSV"))
def test_changing_any_one_character_of_a_valid_code_makes_it_invalid(code, position, char):
    assume(code[position] != char)
    with pytest.raises(UsccError):
        uscc.validate(code[:position] + char + code[position + 1 :])


@given(valid_codes, st.integers(0, 16))
def test_swapping_two_neighbouring_characters_makes_it_invalid(code, position):
    a, b = code[position], code[position + 1]
    assume(a != b)
    with pytest.raises(UsccError):
        uscc.validate(code[:position] + b + a + code[position + 2 :])


@given(valid_codes)
def test_lower_case_spaces_and_full_width_characters_are_accepted(code):
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in code.lower())
    assert uscc.validate(full_width).code == code
    assert uscc.validate(f" {code[:8]}\u3000{code[8:].lower()} ").code == code


@pytest.mark.parametrize("code", KNOWN_VALID)
def test_codes_from_real_licences_validate(code):
    assert uscc.validate(code).code == code
    assert uscc.check_char(code[:17]) == code[17]


def test_the_registering_authority_is_named_when_known():
    assert uscc.validate("91350100M000100Y43").authority == "市场监管（工商）"
    body = "Q1350100M000100Y4"
    assert uscc.validate(body + uscc.check_char(body)).authority is None


def test_a_wrong_check_character_is_reported_with_the_right_one():
    with pytest.raises(UsccError) as caught:
        uscc.validate("91350100M000100Y44")
    assert caught.value.code == "check"
    assert "应为“3”" in str(caught.value) and "现为“4”" in str(caught.value)


@pytest.mark.parametrize(
    ("text", "code", "words"),
    [
        ("", "empty", "为空"),
        (None, "empty", "为空"),
        ("91350100M000100Y4", "length", "现为 17 位"),
        ("91350100M000100Y433", "length", "现为 19 位"),
        ("91350100MO00100Y43", "chars", "第 10 位“O”不是有效字符"),
        ("91350100M000100I43", "chars", "第 16 位“I”不是有效字符"),
        ("9135010-M000100Y43", "chars", "第 8 位“-”不是有效字符"),
    ],
)
def test_each_kind_of_bad_code_gets_its_own_chinese_message(text, code, words):
    with pytest.raises(UsccError) as caught:
        uscc.validate(text)
    assert caught.value.code == code
    assert words in str(caught.value)


def test_check_char_refuses_letters_outside_the_alphabet():
    with pytest.raises(UsccError):
        uscc.check_char("91350100MO00100Y4")


def test_is_valid_answers_without_raising():
    assert uscc.is_valid("91350100m000100y43")
    assert not uscc.is_valid("91350100M000100Y44")


def test_messages_follow_the_user_interface_language():
    from django.utils import translation

    with translation.override("en"), pytest.raises(UsccError) as caught:
        uscc.validate("91330599")
    assert str(caught.value) == "A unified social credit code has 18 characters, this one has 8"

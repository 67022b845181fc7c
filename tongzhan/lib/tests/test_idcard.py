"""身份证号: the GB 11643 check character, birth date and gender, Excel damage, 15 → 18."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from tongzhan.lib import idcard
from tongzhan.lib.idcard import IdNumberError

# The standard's own example (GB 11643-1999, appendix), a woman born 1949-12-31.
STANDARD_EXAMPLE = "11010519491231002X"
CHARS = "0123456789X"


@st.composite
def id_bodies(draw, years=(1900, date.today().year)):
    """17 digits a real ID can start with: province + 4 digits, a past birth date, a sequence."""
    province = draw(st.sampled_from(sorted(idcard.PROVINCES)))
    county = draw(st.integers(0, 9999))
    born = draw(st.dates(date(years[0], 1, 1), min(date(years[1], 12, 31), date.today())))
    sequence = draw(st.integers(0, 999))
    return f"{province}{county:04d}{born:%Y%m%d}{sequence:03d}"


def valid_ids(years=(1900, date.today().year)):
    return id_bodies(years).map(lambda body: body + idcard.check_char(body))


@given(valid_ids())
def test_every_body_with_its_computed_check_char_validates(number):
    checked = idcard.validate(number)
    assert checked.number == number
    assert checked.region_code == number[:6]
    assert f"{checked.birth_date:%Y%m%d}" == number[6:14]
    assert checked.gender == ("1" if int(number[16]) % 2 else "2")


@given(valid_ids(), st.integers(0, 17), st.sampled_from(CHARS))
def test_changing_any_one_character_of_a_valid_number_makes_it_invalid(number, position, char):
    assume(number[position] != char)
    changed = number[:position] + char + number[position + 1 :]
    with pytest.raises(IdNumberError):
        idcard.validate(changed)


@given(valid_ids(), st.integers(0, 16))
def test_swapping_two_neighbouring_characters_makes_it_invalid(number, position):
    a, b = number[position], number[position + 1]
    assume(a != b)
    swapped = number[:position] + b + a + number[position + 2 :]
    with pytest.raises(IdNumberError):
        idcard.validate(swapped)


@given(valid_ids(years=(1900, 1999)))
def test_an_old_15_digit_number_converts_back_to_the_18_digit_one(number):
    old = number[:6] + number[8:17]
    assert idcard.convert_15_to_18(old) == number


@given(valid_ids())
def test_lower_case_x_spaces_and_full_width_digits_are_accepted(number):
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in number.lower())
    spaced = f"  {number[:6]} {number[6:14]}\u3000{number[14:].lower()} "
    assert idcard.validate(full_width).number == number
    assert idcard.validate(spaced).number == number


@given(valid_ids())
def test_a_valid_number_is_never_taken_for_excel_damage(number):
    assert not idcard.looks_mangled_by_excel(number)


@given(valid_ids())
def test_every_form_a_spreadsheet_gives_a_long_number_is_flagged(number):
    assume(not number.endswith("X"))  # Excel keeps 1234…X as text: nothing is lost
    shown = f"{float(number):.14E}"  # what Excel displays and writes to CSV
    assert idcard.looks_mangled_by_excel(shown)
    assert idcard.looks_mangled_by_excel(float(shown))
    assert idcard.looks_mangled_by_excel(float(number))
    truncated = str(int(Decimal(shown)))  # the cell shown with format "0"
    if truncated != number:  # a number already ending 000 loses nothing
        assert idcard.looks_mangled_by_excel(truncated) or idcard.is_valid(truncated)


def test_the_standards_example_gives_its_birth_date_gender_and_region():
    checked = idcard.validate(STANDARD_EXAMPLE)
    assert checked == idcard.IdNumber(STANDARD_EXAMPLE, date(1949, 12, 31), "2", "110105")


@pytest.mark.parametrize(
    ("body", "check"),
    [
        # 3×7+4×9+0×10+5×5+2×8+4×4+1×2+9×1+8×6+0×3+0×7+1×9+0×10+1×5+0×8+0×4+1×2 = 189;
        # 189 mod 11 = 2 → "10X98765432"[2] = X
        ("34052419800101001", "X"),
        # 5×7+2×9+0×10+3×5+0×8+2×4+1×2+9×1+8×6+9×3+1×7+0×9+1×10+5×5+2×8+0×4+3×2 = 226;
        # 226 mod 11 = 6 → "10X98765432"[6] = 6
        ("52030219891015203", "6"),
    ],
)
def test_check_characters_worked_by_hand_agree(body, check):
    assert idcard.check_char(body) == check
    assert idcard.validate(body + check).number == body + check


def test_an_odd_17th_digit_means_male():
    body = "11010519800101001"
    assert idcard.validate(body + idcard.check_char(body)).gender == "1"


def test_the_check_character_of_the_standards_second_example_is_computed():
    # 440524188001010014 is valid by check character but born before 1900.
    assert idcard.check_char("44052418800101001") == "4"
    with pytest.raises(IdNumberError, match="早于 1900 年") as caught:
        idcard.validate("440524188001010014")
    assert caught.value.code == "too_old"


def test_a_wrong_check_character_is_reported_with_the_right_one():
    with pytest.raises(IdNumberError) as caught:
        idcard.validate("110105194912310021")
    assert caught.value.code == "check"
    assert "应为“X”" in str(caught.value) and "现为“1”" in str(caught.value)


@pytest.mark.parametrize(
    ("text", "code", "words"),
    [
        ("", "empty", "为空"),
        ("   ", "empty", "为空"),
        (None, "empty", "为空"),
        ("1101051949123100", "length", "现为 16 位"),
        ("1101051949123100211", "length", "现为 19 位"),
        ("110105194912310A2X", "chars", "第 16 位“A”不是数字"),
        ("11010519491231002Y", "chars", "第 18 位只能是数字或 X"),
        ("X10105194912310021", "chars", "第 1 位“X”不是数字"),
        ("00010519491231002X", "region", "“00”不是有效的省级代码"),
        ("11010519491331002X", "date", "“19491331”不是有效日期"),
        ("11010519490229002X", "date", "“19490229”不是有效日期"),
    ],
)
def test_each_kind_of_bad_number_gets_its_own_chinese_message(text, code, words):
    with pytest.raises(IdNumberError) as caught:
        idcard.validate(text)
    assert caught.value.code == code
    assert words in str(caught.value)


def test_a_birth_date_after_today_is_refused():
    body = "11010520210101001"
    with pytest.raises(IdNumberError, match="晚于今天") as caught:
        idcard.validate(body + idcard.check_char(body), today=date(2020, 12, 31))
    assert caught.value.code == "future"


def test_a_leap_day_birth_date_is_accepted():
    body = "11010520000229001"
    assert idcard.validate(body + idcard.check_char(body)).birth_date == date(2000, 2, 29)


def test_a_foreigners_permanent_residence_number_has_the_same_check():
    body = "93315619800101001"  # 9, 33 浙江, 156, born 1980-01-01
    assert idcard.validate(body + idcard.check_char(body)).birth_date == date(1980, 1, 1)


def test_a_15_digit_number_is_refused_with_its_18_digit_form_in_the_message():
    with pytest.raises(IdNumberError, match="110105194912310") as caught:
        idcard.validate("110105491231002")
    assert caught.value.code == "length"
    assert idcard.convert_15_to_18("110105491231002") in str(caught.value)


def test_a_15_digit_number_is_converted_when_the_caller_accepts_old_numbers():
    checked = idcard.validate("110105491231002", accept_15=True)
    assert checked.number == "11010519491231002X"
    assert checked.birth_date == date(1949, 12, 31)


@pytest.mark.parametrize(
    ("old", "words"), [("11010549123100", "应为 15 位数字"), ("110105491331002", "不是有效日期")]
)
def test_a_bad_15_digit_number_cannot_be_converted(old, words):
    with pytest.raises(IdNumberError, match=words):
        idcard.convert_15_to_18(old)


def test_a_15_digit_number_read_from_a_number_cell_still_converts():
    # Excel keeps 15 digits exactly: an old number in a number cell survives.
    assert not idcard.looks_mangled_by_excel(110105491231002.0)
    assert idcard.validate(110105491231002.0, accept_15=True).number == STANDARD_EXAMPLE


@pytest.mark.parametrize(
    "damaged",
    [
        "3.30599197503E+17",
        "3.30599197503011E+17",
        "3.30599197503011e+17",
        "3,30599197503E+17",
        "３.３０５９９１９７５０３Ｅ＋１７",
        "330599197503011000",  # 15 significant digits written out
        "330599197503011008",  # the same through a Python float
        3.30599197503011e17,
        330599197503011000,
    ],
)
def test_excel_damaged_numbers_are_rejected_because_digits_are_lost(damaged):
    assert idcard.looks_mangled_by_excel(damaged)
    with pytest.raises(IdNumberError, match="已丢失、无法恢复") as caught:
        idcard.validate(damaged)
    assert caught.value.code == "excel"


@pytest.mark.parametrize(
    "text", ["1.5E+3", "12345", "", "000000000000000000", "11010519491231002X", "abc"]
)
def test_text_that_is_not_a_damaged_long_number_is_not_called_excel_damage(text):
    assert not idcard.looks_mangled_by_excel(text)


def test_a_real_number_ending_in_000_with_a_correct_check_char_is_accepted():
    body = "11010519800101100"
    assert idcard.check_char(body) == "0"
    assert idcard.validate(body + "0").number == body + "0"


def test_excels_text_marker_and_a_trailing_float_zero_are_stripped():
    assert idcard.normalise("'11010519491231002x") == STANDARD_EXAMPLE
    assert idcard.normalise("110105491231002.0") == "110105491231002"


def test_check_char_refuses_anything_but_17_digits():
    with pytest.raises(IdNumberError):
        idcard.check_char("1101051949123100")
    with pytest.raises(IdNumberError):
        idcard.check_char("１１０１０５１９４９１２３１００２")


def test_is_valid_answers_without_raising():
    assert idcard.is_valid(STANDARD_EXAMPLE)
    assert not idcard.is_valid("110105194912310021")


def test_messages_follow_the_user_interface_language():
    from django.utils import translation

    with translation.override("en"), pytest.raises(IdNumberError) as caught:
        idcard.validate("33059919750301123")
    assert str(caught.value) == "An ID number has 18 characters, this one has 17"
    with translation.override("zh-hant"), pytest.raises(IdNumberError) as caught:
        idcard.validate("33059919750301123")
    assert "身份證號" in str(caught.value)

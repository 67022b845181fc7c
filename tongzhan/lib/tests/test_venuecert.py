"""宗教活动场所登记证号: the format of REFERENCE.md, the ways people type it, the messages."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tongzhan.core.choices import Religion
from tongzhan.lib import venuecert
from tongzhan.lib.venuecert import VenueCertError

provinces = st.sampled_from(sorted(venuecert.PROVINCES))
letters = st.sampled_from(sorted(venuecert.RELIGIONS))
digits = st.text(alphabet="0123456789", min_size=9, max_size=9)


def test_the_reference_example_parses_into_its_parts():
    cert = venuecert.validate("宗场证字(渝)F000140001")
    assert cert.code == "宗场证字(渝)F000140001"
    assert (cert.province, cert.religion, cert.religion_name) == ("渝", "F", "佛教")
    assert (cert.city, cert.county, cert.serial) == ("00", "014", "0001")


def test_the_religion_letters_are_the_religion_codes_of_the_registry():
    assert set(venuecert.RELIGIONS) == set(Religion.values)


def test_there_are_thirty_four_provincial_abbreviations():
    assert len(venuecert.PROVINCES) == 34


@given(provinces, letters, digits)
def test_every_well_formed_number_validates_and_keeps_its_parts(province, letter, number):
    cert = venuecert.validate(f"宗场证字({province}){letter}{number}", religion=letter)
    assert cert.code == f"宗场证字({province}){letter}{number}"
    assert cert.city + cert.county + cert.serial == number


@given(provinces, letters, digits)
def test_full_width_brackets_letters_spaces_and_lower_case_normalise_to_the_printed_form(
    province, letter, number
):
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in letter.lower() + number)
    typed = f" 宗场证字（{province}）{full_width[0]} {full_width[1:]} "
    assert venuecert.validate(typed).code == f"宗场证字({province}){letter}{number}"


@pytest.mark.parametrize(
    "typed",
    [
        "宗场证字[浙]D330990012",
        "宗场证字【浙】D330990012",
        "宗场证(浙)D330990012",
        "宗场证字〔浙〕d330990012",
    ],
)
def test_other_bracket_shapes_and_a_missing_zi_are_accepted(typed):
    assert venuecert.validate(typed).code == "宗场证字(浙)D330990012"


def test_an_older_abbreviation_is_read_as_the_current_one():
    assert venuecert.validate("宗场证字(蜀)F510100001").province == "川"


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("F000140001", "format"),
        ("宗场证字渝F000140001", "format"),
        ("宗场证字(美)F000140001", "province"),
        ("宗场证字(渝)X000140001", "religion"),
        ("宗场证字(渝)F00014000", "digits"),
        ("宗场证字(渝)F0001400011", "digits"),
        ("宗场证字(渝)F00014000A", "digits"),
    ],
)
def test_malformed_numbers_are_refused_with_the_reason(typed, code):
    with pytest.raises(VenueCertError) as caught:
        venuecert.validate(typed)
    assert caught.value.code == code
    assert str(caught.value)  # a message to show
    assert not venuecert.is_valid(typed)


@given(provinces, letters, letters, digits)
def test_a_letter_that_is_not_the_venues_religion_is_refused(province, letter, other, number):
    text = f"宗场证字({province}){letter}{number}"
    if letter == other:
        assert venuecert.is_valid(text, religion=other)
    else:
        with pytest.raises(VenueCertError) as caught:
            venuecert.validate(text, religion=other)
        assert caught.value.code == "mismatch"
        assert venuecert.RELIGIONS[other] in str(caught.value)


def test_the_mismatch_message_names_both_religions():
    with pytest.raises(VenueCertError, match="佛教.*道教"):
        venuecert.validate("宗场证字(浙)F330990001", religion="D")

"""Masks of ID numbers and phones, and telling a masked number from a number."""

from tongzhan.lib.masking import is_masked, mask_id_number, mask_phone


def test_what_the_masks_make_is_known_as_masked_and_a_number_is_not():
    assert mask_id_number("110105199001011234") == "110105********1234"
    assert mask_phone("13812345678") == "138****5678"
    assert is_masked(mask_id_number("110105199001011234")) and is_masked(mask_phone("13812345678"))
    assert not is_masked("110105199001011234") and not is_masked("0571-88888888")

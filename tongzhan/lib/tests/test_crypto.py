"""SM4-GCM field encryption and the HMAC-SM3 blind index."""

import base64

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tongzhan.lib import crypto


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1, max_size=60))
def test_any_text_comes_back_as_it_went_in(text):
    stored = crypto.encrypt(text)
    assert stored.startswith(crypto.CIPHER_PREFIX) and stored.isascii()
    assert crypto.decrypt(stored) == text


def test_the_same_value_encrypts_differently_each_time_and_never_shows():
    first, second = crypto.encrypt("110101199003074514"), crypto.encrypt("110101199003074514")
    assert first != second
    assert "110101199003074514" not in first + base64.b64decode(first[6:]).hex()


def test_empty_stays_empty():
    assert crypto.encrypt("") == "" and crypto.decrypt("") == ""


def _body(stored: str) -> bytearray:
    return bytearray(base64.b64decode(stored[len(crypto.CIPHER_PREFIX) :]))


def _stored(raw: bytes) -> str:
    return crypto.CIPHER_PREFIX + base64.b64encode(bytes(raw)).decode()


@pytest.mark.parametrize("where", [0, 12, -1])  # the nonce, the text, the tag
def test_a_changed_byte_anywhere_fails_authentication(where):
    raw = _body(crypto.encrypt("13800138000"))
    raw[where] ^= 0x01
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(_stored(raw))


@pytest.mark.parametrize(
    "stored",
    [
        "13800138000",  # never encrypted
        crypto.CIPHER_PREFIX + "not base64!",
        crypto.CIPHER_PREFIX + "QUJD",  # three bytes: shorter than nonce + tag
    ],
)
def test_what_is_not_a_ciphertext_is_refused_with_a_decryption_error(stored):
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(stored)


def test_another_key_cannot_read_it(settings):
    stored = crypto.encrypt("110101199003074514")
    settings.FIELD_ENCRYPTION_KEY = "0" * 32
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(stored)


def test_the_blind_index_is_keyed_and_ignores_case_and_outer_spaces(settings):
    index = crypto.blind_index("11010119900307451x")
    assert index == crypto.blind_index(" 11010119900307451X ")
    assert len(index) == 64 and index != crypto.blind_index("110101199003074514")
    settings.FIELD_ENCRYPTION_KEY = "0" * 32
    assert crypto.blind_index("11010119900307451x") != index

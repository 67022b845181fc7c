"""SM4-GCM for fields at rest and HMAC-SM3 for blind indexes and the audit chain.

Keys come from settings (the environment or the key file), never from the
database or the repository. Each purpose derives its own subkey so that a
blind-index value can never be replayed as a chain hash or vice versa.
"""

import base64
import binascii
import hmac as std_hmac
import os
from functools import cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings

CIPHER_PREFIX = "sm4g1:"  # lets a later key or algorithm rotation tell versions apart
NONCE_BYTES = 12
TAG_BYTES = 16


class DecryptionError(ValueError):
    """The stored value was not produced with the configured key, or was changed."""


def hmac_sm3(key: bytes, data: bytes) -> bytes:
    mac = hmac.HMAC(key, hashes.SM3())
    mac.update(data)
    return mac.finalize()


@cache
def _subkey(master_hex: str, purpose: str) -> bytes:
    return hmac_sm3(bytes.fromhex(master_hex), purpose.encode())


@cache
def _sm4(master_hex: str) -> algorithms.SM4:
    # One key object per key: building it checks the key each time, a fifth of the cost
    # of decrypting a short field (an unmasked export decrypts two per row).
    return algorithms.SM4(_subkey(master_hex, "field-encryption")[:16])


@cache
def _blind_index_mac(master_hex: str) -> hmac.HMAC:
    # Keyed once; each value hashes a copy (the key's padding blocks are not hashed again,
    # a third of the cost: an import indexes two values a row).
    return hmac.HMAC(_subkey(master_hex, "blind-index"), hashes.SM3())


def audit_key() -> bytes:
    return _subkey(settings.AUDIT_CHAIN_KEY, "audit-chain")


def encrypt(plaintext: str) -> str:
    """Encrypt text with SM4-GCM; the result is ASCII, safe for a text column."""
    if plaintext == "":
        return ""
    nonce = os.urandom(NONCE_BYTES)
    encryptor = Cipher(_sm4(settings.FIELD_ENCRYPTION_KEY), modes.GCM(nonce)).encryptor()
    body = encryptor.update(plaintext.encode()) + encryptor.finalize()
    return CIPHER_PREFIX + base64.b64encode(nonce + body + encryptor.tag).decode()


def decrypt(stored: str) -> str:
    if stored == "":
        return ""
    if not stored.startswith(CIPHER_PREFIX):
        raise DecryptionError("value is not an SM4-GCM ciphertext")
    try:
        raw = binascii.a2b_base64(stored[len(CIPHER_PREFIX) :], strict_mode=True)
    except binascii.Error as exc:
        raise DecryptionError("ciphertext is not base64") from exc
    if len(raw) < NONCE_BYTES + TAG_BYTES:
        raise DecryptionError("ciphertext is too short")
    nonce, body, tag = raw[:NONCE_BYTES], raw[NONCE_BYTES:-TAG_BYTES], raw[-TAG_BYTES:]
    decryptor = Cipher(_sm4(settings.FIELD_ENCRYPTION_KEY), modes.GCM(nonce, tag)).decryptor()
    try:
        return (decryptor.update(body) + decryptor.finalize()).decode()
    except InvalidTag as exc:
        raise DecryptionError("ciphertext failed authentication") from exc


def blind_index(value: str) -> str:
    """Deterministic keyed digest for exact-match lookup of an encrypted value."""
    if value == "":
        return ""
    mac = _blind_index_mac(settings.FIELD_ENCRYPTION_KEY).copy()
    mac.update(value.strip().upper().encode())
    return mac.finalize().hex()


def constant_time_equal(a: str, b: str) -> bool:
    return std_hmac.compare_digest(a.encode(), b.encode())

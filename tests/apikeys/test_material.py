"""Key material: the format of a new key, its stored hash and its non-secret display prefix."""

from __future__ import annotations

import hashlib
import re

from apikeys.material import (
    DISPLAY_PREFIX_LENGTH,
    KEY_SCHEME,
    display_prefix,
    generate_key,
    hash_key,
)


def test_a_new_key_has_the_scheme_and_256_random_bits_url_safe() -> None:
    key = generate_key()
    assert key.startswith(KEY_SCHEME)
    secret = key.removeprefix(KEY_SCHEME)
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", secret)  # 32 bytes, base64url without padding
    assert len({generate_key() for _ in range(100)}) == 100


def test_the_hash_is_the_sha256_hex_of_the_key() -> None:
    key = "ar-some-key-0123456789"
    assert hash_key(key) == hashlib.sha256(key.encode()).hexdigest()
    assert hash_key(key) == hash_key(key)
    assert hash_key(key) != hash_key(key + "x")
    assert key not in hash_key(key)


def test_the_display_prefix_is_the_scheme_and_eight_characters() -> None:
    key = generate_key()
    assert display_prefix(key) == key[:DISPLAY_PREFIX_LENGTH]
    assert len(display_prefix(key)) == 11
    assert display_prefix(key).startswith(KEY_SCHEME)

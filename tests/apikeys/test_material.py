"""Key material: the format of a new key and its checksum, which tokens look like keys, the
stored hash and the non-secret display prefix."""

from __future__ import annotations

import hashlib
import re
import string
import zlib

import pytest

from apikeys.material import (
    BASE62,
    DISPLAY_PREFIX_LENGTH,
    KEY_SCHEME,
    checksum,
    display_prefix,
    generate_key,
    has_valid_checksum,
    hash_key,
    is_legacy_key,
    looks_like_key,
)
from tests.support.fake_keys import legacy_key, make_key

# What a secret scanner matches (README, "Authentication"), the checksum aside.
KEY_PATTERN = r"ar-[A-Za-z0-9_-]{43}_[0-9A-Za-z]{6}"
URL_SAFE = string.ascii_letters + string.digits + "-_"


def from_base62(digits: str) -> int:
    value = 0
    for digit in digits:
        value = value * 62 + BASE62.index(digit)
    return value


def test_a_new_key_is_the_scheme_256_random_bits_and_a_checksum() -> None:
    key = generate_key()
    assert re.fullmatch(KEY_PATTERN, key), key
    assert len(key) == 53
    secret, _, check = key.removeprefix(KEY_SCHEME).rpartition("_")
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", secret)  # 32 bytes, base64url without padding
    assert from_base62(check) == zlib.crc32(key[:46].encode())  # CRC-32 of all before the "_"
    assert has_valid_checksum(key)
    assert looks_like_key(key)
    assert not is_legacy_key(key)
    assert len({generate_key() for _ in range(100)}) == 100


def test_the_checksum_is_six_base62_digits_zero_padded() -> None:
    assert string.digits + string.ascii_uppercase + string.ascii_lowercase == BASE62
    small = next(f"ar-{n}" for n in range(1000) if zlib.crc32(f"ar-{n}".encode()) < 62**5)
    assert len(checksum(small)) == 6
    assert checksum(small).startswith("0")
    assert from_base62(checksum(small)) == zlib.crc32(small.encode())
    assert all(len(checksum(f"ar-{n}")) == 6 for n in range(1000))


def test_changing_any_one_character_of_a_key_breaks_its_checksum() -> None:
    for key in [generate_key() for _ in range(5)] + [make_key("stored")]:
        for position, original in enumerate(key):
            for replacement in URL_SAFE + ".+=/ é\x00":
                if replacement == original:
                    continue
                typo = key[:position] + replacement + key[position + 1 :]
                assert not has_valid_checksum(typo), (key, position, replacement)
                assert not looks_like_key(typo), (key, position, replacement)


def test_keys_issued_before_checksums_still_look_like_keys() -> None:
    for key in [legacy_key() for _ in range(20)] + [make_key("old", checksum=False)]:
        assert len(key) == 46
        assert is_legacy_key(key)
        assert looks_like_key(key)
        assert not has_valid_checksum(key)


@pytest.mark.parametrize(
    "token",
    [
        "",
        "x",
        "ar-",
        "sk-proj-" + "a" * 48,
        "ar-" + "a" * 42 + ".",  # the length of a key issued before checksums, a bad character
        "ar-" + "a" * 42 + "=",
        "ar-" + "a" * 42,
        "ar-" + "a" * 44,
        "AR-" + "a" * 43,
        "ar-" + "a" * 43 + "\n",
        " " + make_key("padded"),
        make_key("padded") + " ",
        "ar-" + "\u0661" * 43,  # Arabic-Indic digits: `\d` would take them, [0-9] does not
        "ar-" + "\u00e9" * 43,
        "ar-" + "\ud800" * 43,  # lone surrogates, as a str may hold
        "\x00" * 46,
        make_key("stored")[:-1] + ("0" if make_key("stored")[-1] != "0" else "1"),
        make_key("stored", checksum=False) + "_000000",
        make_key("stored") + "x",
    ],
)
def test_anything_else_does_not_look_like_a_key_and_nothing_raises(token: str) -> None:
    assert not looks_like_key(token)
    assert not has_valid_checksum(token)


def test_the_hash_is_the_sha256_hex_of_the_key() -> None:
    key = make_key("some-key-0123456789")
    assert hash_key(key) == hashlib.sha256(key.encode()).hexdigest()
    assert hash_key(key) == hash_key(key)
    assert hash_key(key) != hash_key(key + "x")
    assert key not in hash_key(key)


@pytest.mark.parametrize("key", [generate_key(), legacy_key()], ids=["key", "legacy-key"])
def test_the_display_prefix_is_the_scheme_and_eight_characters(key: str) -> None:
    assert display_prefix(key) == key[:DISPLAY_PREFIX_LENGTH]
    assert len(display_prefix(key)) == 11
    assert display_prefix(key).startswith(KEY_SCHEME)

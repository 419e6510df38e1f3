"""What a key is: its format, how a new one is made, and the hash that is stored instead of it.

A key is never stored and never logged: the table holds its SHA-256 and a short, non-secret
display prefix.

The format (what `generate_key` makes since checksums were introduced), 53 ASCII characters:

    ar-  <43 characters of [A-Za-z0-9_-]>  _  <6 characters of [0-9A-Za-z]>
    scheme   secret: 32 random bytes,          checksum: CRC-32 of the 46 characters
             base64url without padding         before the "_", in base 62, "0"-padded

The checksum (GitHub's design for its tokens) catches a typo without a keys-table read, and lets
secret scanners recognise a key: `ar-[A-Za-z0-9_-]{43}_[0-9A-Za-z]{6}` whose checksum holds.
It is no secret and adds no strength: anyone can compute it; the 256 random bits are the key.
Base 62 digits are `0-9`, then `A-Z`, then `a-z`, most significant first.

Keys issued before the checksum (`ar-` and exactly 43 characters of [A-Za-z0-9_-]) keep working:
they are looked up as before. Anything else is not a key, and is refused without a read. A
developer's `DEV_API_KEY` is never held to this format: it is compared, never looked up.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import zlib

KEY_SCHEME = "ar-"
DISPLAY_PREFIX_LENGTH = len(KEY_SCHEME) + 8
SECRET_LENGTH = 43  # secrets.token_urlsafe(32): 256 bits, base64url without padding
CHECKSUM_SEPARATOR = "_"
CHECKSUM_LENGTH = 6  # 62**6 > 2**32: any CRC-32 fits
BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

# Explicit ASCII classes: `\w` would match any Unicode letter.
_SECRET = f"{re.escape(KEY_SCHEME)}[A-Za-z0-9_-]{{{SECRET_LENGTH}}}"
_LEGACY_KEY = re.compile(_SECRET)
_CHECKSUMMED_KEY = re.compile(
    f"({_SECRET}){re.escape(CHECKSUM_SEPARATOR)}([0-9A-Za-z]{{{CHECKSUM_LENGTH}}})"
)
LEGACY_KEY_LENGTH = len(KEY_SCHEME) + SECRET_LENGTH
KEY_LENGTH = LEGACY_KEY_LENGTH + len(CHECKSUM_SEPARATOR) + CHECKSUM_LENGTH


def generate_key() -> str:
    """A new secret key: the scheme, 256 bits of randomness URL-safe, and its checksum."""
    return with_checksum(KEY_SCHEME + secrets.token_urlsafe(32))


def checksum(text: str) -> str:
    """The CRC-32 of `text` (ASCII) in base 62, `CHECKSUM_LENGTH` digits."""
    value = zlib.crc32(text.encode("ascii"))
    digits = []
    for _ in range(CHECKSUM_LENGTH):
        value, digit = divmod(value, 62)
        digits.append(BASE62[digit])
    return "".join(reversed(digits))


def with_checksum(unchecked: str) -> str:
    """`unchecked` (scheme and secret) followed by the separator and its checksum."""
    return unchecked + CHECKSUM_SEPARATOR + checksum(unchecked)


def has_valid_checksum(token: str) -> bool:
    """Whether `token` has the current format, checksum included. Never raises, whatever `token`."""
    if len(token) != KEY_LENGTH:
        return False
    match = _CHECKSUMMED_KEY.fullmatch(token)
    return match is not None and checksum(match[1]) == match[2]  # no secret: plain ==


def is_legacy_key(token: str) -> bool:
    """Whether `token` has the format of a key issued before checksums: no checksum to check."""
    return len(token) == LEGACY_KEY_LENGTH and _LEGACY_KEY.fullmatch(token) is not None


def looks_like_key(token: str) -> bool:
    """Whether `token` could be a stored key, i.e. is worth a keys-table read: a current key with
    a valid checksum, or a key in the format issued before checksums. Never raises."""
    return has_valid_checksum(token) or is_legacy_key(token)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def display_prefix(key: str) -> str:
    return key[:DISPLAY_PREFIX_LENGTH]

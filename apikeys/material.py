"""What a key is: its format, how a new one is made, and the hash that is stored instead of it.

A key is never stored and never logged: the table holds its SHA-256 and a short, non-secret
display prefix.
"""

from __future__ import annotations

import hashlib
import secrets

KEY_SCHEME = "ar-"
DISPLAY_PREFIX_LENGTH = len(KEY_SCHEME) + 8


def generate_key() -> str:
    """A new secret key: the scheme and 256 bits of randomness, URL-safe."""
    return KEY_SCHEME + secrets.token_urlsafe(32)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def display_prefix(key: str) -> str:
    return key[:DISPLAY_PREFIX_LENGTH]

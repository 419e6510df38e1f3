"""API keys, a domain of its own: key material, the keys table, and the per-container verifier.

Knows nothing of HTTP; handler/auth.py is the adapter that reads a key from a request.
"""

from apikeys.errors import (
    AmbiguousKeyPrefix,
    ApiKeyError,
    InvalidApiKey,
    KeyNotFound,
    KeyStoreUnavailable,
)
from apikeys.material import generate_key, has_valid_checksum, hash_key, looks_like_key
from apikeys.store import ApiKeyRecord, ApiKeyStore
from apikeys.verifier import KeyVerifier

__all__ = [
    "AmbiguousKeyPrefix",
    "ApiKeyError",
    "ApiKeyRecord",
    "ApiKeyStore",
    "InvalidApiKey",
    "KeyNotFound",
    "KeyStoreUnavailable",
    "KeyVerifier",
    "generate_key",
    "has_valid_checksum",
    "hash_key",
    "looks_like_key",
]

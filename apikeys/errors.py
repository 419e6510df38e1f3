"""API key errors. The HTTP layer maps them to answers in one table (handler/errors.py)."""

from __future__ import annotations


class ApiKeyError(Exception):
    """Base class of every error the API keys domain raises on purpose."""


class KeyStoreUnavailable(ApiKeyError):
    """The keys table could not be read or written."""


class InvalidApiKey(ApiKeyError):
    """The presented key is unknown or revoked."""


class KeyNotFound(ApiKeyError):
    """No stored key matches the given key or prefix."""


class AmbiguousKeyPrefix(ApiKeyError):
    """More than one stored key starts with the given prefix."""

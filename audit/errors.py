"""Why a provider's list could not be read. The reason is ours, never a key or a raw body."""

from __future__ import annotations


class ProviderFailed(Exception):
    """The provider's model list could not be read; the audit reports it `failed`, no drift."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason

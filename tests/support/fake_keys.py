"""The keys table as the verifier sees it (`apikeys.store.KeyLookup`), in a dict tests control."""

from __future__ import annotations

from dataclasses import replace

from apikeys.errors import KeyStoreUnavailable
from apikeys.material import display_prefix, hash_key
from apikeys.store import ACTIVE, REVOKED, ApiKeyRecord


class FakeKeyLookup:
    """A `KeyLookup` holding records by key hash; it counts lookups and can be made unavailable."""

    def __init__(self) -> None:
        self.records: dict[str, ApiKeyRecord] = {}
        self.gets = 0
        # True: every lookup raises KeyStoreUnavailable, as an unreachable keys table does.
        self.unavailable = False

    def add(self, key: str, *, name: str = "test", tier: str = "default") -> ApiKeyRecord:
        """Store an active key (by its hash, as the real table does)."""
        record = ApiKeyRecord(
            key_hash=hash_key(key),
            prefix=display_prefix(key),
            name=name,
            tier=tier,
            status=ACTIVE,
            created_at="2026-11-24T19:00:00+00:00",
        )
        self.records[record.key_hash] = record
        return record

    def revoke(self, key: str) -> None:
        key_hash = hash_key(key)
        self.records[key_hash] = replace(self.records[key_hash], status=REVOKED)

    def get(self, key_hash: str) -> ApiKeyRecord | None:
        self.gets += 1
        if self.unavailable:
            raise KeyStoreUnavailable("fake keys table: unavailable")
        return self.records.get(key_hash)

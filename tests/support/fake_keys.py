"""The keys table as the verifier sees it (`apikeys.store.KeyLookup`), in a dict tests control,
and well-formed keys to put in it."""

from __future__ import annotations

import secrets
from collections import Counter
from dataclasses import replace
from typing import TYPE_CHECKING

from apikeys.errors import KeyStoreUnavailable
from apikeys.material import KEY_SCHEME, SECRET_LENGTH, display_prefix, hash_key, with_checksum
from apikeys.store import ACTIVE, REVOKED, ApiKeyRecord

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

    from tests.support.fakes import FakeClock


def make_key(name: str, *, checksum: bool = True) -> str:
    """A well-formed key, the same for the same `name` ([A-Za-z0-9_-]): the current format with its
    checksum, or (`checksum=False`) the format of keys issued before checksums."""
    if len(name) > SECRET_LENGTH:
        raise ValueError(f"at most {SECRET_LENGTH} characters")
    unchecked = KEY_SCHEME + name + "x" * (SECRET_LENGTH - len(name))
    return with_checksum(unchecked) if checksum else unchecked


def legacy_key() -> str:
    """A random key as `generate_key` made them before checksums: `ar-` and 43 URL-safe chars."""
    return KEY_SCHEME + secrets.token_urlsafe(32)


def store_legacy_key(client: DynamoDBClient, table: str, key: str) -> None:
    """Put `key` in a keys table as `ar-models keys create` stored it before checksums."""
    client.put_item(
        TableName=table,
        Item={
            "key_hash": {"S": hash_key(key)},
            "prefix": {"S": key[:11]},
            "name": {"S": "from before"},
            "tier": {"S": "default"},
            "status": {"S": "active"},
            "created_at": {"S": "2025-06-01T00:00:00+00:00"},
        },
    )


class FakeKeyLookup:
    """A `KeyLookup` holding records by key hash; it counts lookups and can be made unavailable.

    With a `clock`, each lookup takes `latency` seconds of it, failed or not (as a call to a
    hanging table takes its timeouts before it fails).
    """

    def __init__(self, *, clock: FakeClock | None = None, latency: float = 0.0) -> None:
        self.records: dict[str, ApiKeyRecord] = {}
        self.reads: Counter[str] = Counter()  # key hash -> lookups of it
        # True: every lookup raises KeyStoreUnavailable, as an unreachable keys table does.
        self.unavailable = False
        self.clock = clock
        self.latency = latency

    @property
    def gets(self) -> int:
        """Lookups in all."""
        return self.reads.total()

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
        self.reads[key_hash] += 1
        if self.clock is not None:
            self.clock.now += self.latency
        if self.unavailable:
            raise KeyStoreUnavailable("fake keys table: unavailable")
        return self.records.get(key_hash)

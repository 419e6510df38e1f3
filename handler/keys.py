"""API keys: generation, hashing, the DynamoDB keys table, and the per-container verifier.

Keys are stored only as SHA-256 hashes; a short non-secret prefix is kept for display. A key
itself is never stored and never logged.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef

logger = logging.getLogger(__name__)

KEY_SCHEME = "ar-"
DISPLAY_PREFIX_LENGTH = len(KEY_SCHEME) + 8
ACTIVE = "active"
REVOKED = "revoked"


class KeyStoreUnavailable(Exception):
    """The keys table could not be read or written."""


class InvalidApiKey(Exception):
    """The presented key is unknown or revoked."""


class KeyNotFound(Exception):
    """No stored key matches the given key or prefix."""


class AmbiguousKeyPrefix(Exception):
    """More than one stored key starts with the given prefix."""


def generate_key() -> str:
    """A new secret key: the scheme and 256 bits of randomness, URL-safe."""
    return KEY_SCHEME + secrets.token_urlsafe(32)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def display_prefix(key: str) -> str:
    return key[:DISPLAY_PREFIX_LENGTH]


@dataclass(frozen=True, slots=True)
class ApiKeyRecord:
    key_hash: str
    prefix: str
    name: str
    tier: str
    status: str
    created_at: str

    @property
    def active(self) -> bool:
        return self.status == ACTIVE


class ApiKeyStore:
    """The keys table: `key_hash` (S) is the partition key; the API only ever calls GetItem."""

    def __init__(self, table_name: str, *, client: DynamoDBClient | None = None) -> None:
        if not table_name:
            raise ValueError("table_name must not be empty")
        self.table_name = table_name
        self._client = client

    @property
    def client(self) -> DynamoDBClient:
        if self._client is None:
            from catalog.aws import dynamodb_client

            self._client = dynamodb_client()
        return self._client

    def get(self, key_hash: str) -> ApiKeyRecord | None:
        with self._unavailable_on_error():
            response = self.client.get_item(
                TableName=self.table_name, Key={"key_hash": {"S": key_hash}}
            )
        item = response.get("Item")
        return None if item is None else _from_item(item)

    def create(self, name: str, tier: str = "default") -> tuple[str, ApiKeyRecord]:
        """Store a new key; returns the key (shown once, never stored) and its record."""
        if not name.strip():
            raise ValueError("a key needs a non-empty name")
        key = generate_key()
        record = ApiKeyRecord(
            key_hash=hash_key(key),
            prefix=display_prefix(key),
            name=name.strip(),
            tier=tier,
            status=ACTIVE,
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        )
        with self._unavailable_on_error():
            self.client.put_item(
                TableName=self.table_name,
                Item=_to_item(record),
                ConditionExpression="attribute_not_exists(key_hash)",
            )
        return key, record

    def list(self) -> list[ApiKeyRecord]:
        """Every key's record (an admin operation: a paginated Scan)."""
        records: list[ApiKeyRecord] = []
        kwargs: dict[str, object] = {"TableName": self.table_name}
        while True:
            with self._unavailable_on_error():
                page = self.client.scan(**kwargs)  # type: ignore[arg-type]
            records += [_from_item(item) for item in page.get("Items", [])]
            if not page.get("LastEvaluatedKey"):
                break
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        return sorted(records, key=lambda record: record.created_at)

    def revoke(self, key_or_prefix: str) -> ApiKeyRecord:
        """Mark one key revoked, found by the full key or by a unique display prefix."""
        record = self._find(key_or_prefix)
        with self._unavailable_on_error():
            self.client.update_item(
                TableName=self.table_name,
                Key={"key_hash": {"S": record.key_hash}},
                UpdateExpression="SET #status = :revoked",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={":revoked": {"S": REVOKED}},
            )
        return ApiKeyRecord(**{**_asdict(record), "status": REVOKED})

    def _find(self, key_or_prefix: str) -> ApiKeyRecord:
        found = self.get(hash_key(key_or_prefix))
        if found is not None:
            return found
        if len(key_or_prefix) < len(KEY_SCHEME) + 4:
            raise KeyNotFound(f"give the full key or at least {len(KEY_SCHEME) + 4} characters")
        matches = [r for r in self.list() if r.prefix.startswith(key_or_prefix)]
        if not matches:
            raise KeyNotFound(f"no key matches {key_or_prefix!r}")
        if len(matches) > 1:
            raise AmbiguousKeyPrefix(
                f"{len(matches)} keys start with {key_or_prefix!r}: "
                + ", ".join(r.prefix for r in matches)
            )
        return matches[0]

    @contextmanager
    def _unavailable_on_error(self) -> Iterator[None]:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            yield
        except (ClientError, BotoCoreError) as exc:
            raise KeyStoreUnavailable(f"keys table {self.table_name}: {exc}") from exc


def _to_item(record: ApiKeyRecord) -> dict[str, AttributeValueTypeDef]:
    return {name: {"S": value} for name, value in _asdict(record).items()}


def _from_item(item: dict[str, AttributeValueTypeDef]) -> ApiKeyRecord:
    def text(name: str, default: str = "") -> str:
        return item.get(name, {}).get("S", default)

    return ApiKeyRecord(
        key_hash=text("key_hash"),
        prefix=text("prefix"),
        name=text("name"),
        tier=text("tier", "default"),
        # Anything but an explicit "active" is treated as not active: fail closed.
        status=text("status", REVOKED),
        created_at=text("created_at"),
    )


def _asdict(record: ApiKeyRecord) -> dict[str, str]:
    return {name: getattr(record, name) for name in ApiKeyRecord.__slots__}


@dataclass(frozen=True, slots=True)
class _Cached:
    record: ApiKeyRecord | None
    fetched_at: float


class KeyVerifier:
    """Checks a presented key against DEV_API_KEY and the keys table, caching lookups briefly.

    A verdict is cached for `ttl` seconds (so a revoked key stops working within `ttl`), an
    unknown key for `negative_ttl`. If the keys table fails, a key verified within `stale_for`
    keeps working; any other key raises KeyStoreUnavailable (the API answers 503, not 401).
    With neither a store nor a dev key, every key is refused: fail closed.
    """

    def __init__(
        self,
        store: ApiKeyStore | None,
        *,
        dev_key: str | None = None,
        ttl: float = 60.0,
        negative_ttl: float = 10.0,
        stale_for: float = 3600.0,
        max_entries: int = 4096,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store = store
        self._dev_key_hash = hash_key(dev_key) if dev_key else None
        self._ttl = ttl
        self._negative_ttl = negative_ttl
        self._stale_for = stale_for
        self._max_entries = max_entries
        self._clock = clock
        self._cache: OrderedDict[str, _Cached] = OrderedDict()

    @property
    def configured(self) -> bool:
        return self._store is not None or self._dev_key_hash is not None

    def verify(self, key: str) -> ApiKeyRecord:
        key_hash = hash_key(key)
        if self._dev_key_hash is not None and hmac.compare_digest(key_hash, self._dev_key_hash):
            return _DEV_RECORD
        if self._store is None:
            raise InvalidApiKey
        record = self._lookup(self._store, key_hash)
        if record is None or not record.active:
            raise InvalidApiKey
        return record

    def _lookup(self, store: ApiKeyStore, key_hash: str) -> ApiKeyRecord | None:
        now = self._clock()
        cached = self._cache.get(key_hash)
        if cached is not None:
            age = now - cached.fetched_at
            if age < (self._ttl if cached.record is not None else self._negative_ttl):
                self._cache.move_to_end(key_hash)
                return cached.record
        try:
            record = store.get(key_hash)
        except KeyStoreUnavailable:
            usable = cached is not None and now - cached.fetched_at < self._stale_for
            if usable and cached is not None and cached.record is not None:
                logger.warning(
                    "keys table unavailable; accepting key %s from cache", cached.record.prefix
                )
                return cached.record
            raise
        self._cache[key_hash] = _Cached(record, now)
        self._cache.move_to_end(key_hash)
        while len(self._cache) > self._max_entries:
            self._cache.popitem(last=False)
        return record


_DEV_RECORD = ApiKeyRecord(
    key_hash="", prefix="dev", name="DEV_API_KEY", tier="dev", status=ACTIVE, created_at=""
)

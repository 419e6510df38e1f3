"""The keys table: one item per key, keyed by the key's hash. The item layout is private here.

    key_hash (S, partition key), prefix (S), name (S), tier (S), status (S), created_at (S)

The API only ever calls GetItem (`ApiKeyStore.get`), retried at once on a transient failure up to
`read_attempts` calls in all; creating, listing and revoking are the `ar-models keys` commands'
operations.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Protocol

from apikeys.errors import AmbiguousKeyPrefix, KeyNotFound, KeyStoreUnavailable
from apikeys.material import KEY_SCHEME, display_prefix, generate_key, hash_key, looks_like_key
from awsclients import retry_transient

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef

ACTIVE = "active"
REVOKED = "revoked"


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


class KeyLookup(Protocol):
    """What the verifier needs of a keys store. Raises KeyStoreUnavailable when it cannot."""

    def get(self, key_hash: str) -> ApiKeyRecord | None: ...


class ApiKeyStore:
    """The keys table: `key_hash` (S) is the partition key; the API only ever calls GetItem."""

    def __init__(
        self,
        table_name: str,
        *,
        dynamodb: Callable[[], DynamoDBClient],
        read_attempts: int = 1,
    ) -> None:
        """`dynamodb` gives the client, built on first use (e.g. `AwsClients().dynamodb`).

        `read_attempts`: calls `get` makes in all when a call fails for a reason that may not
        last (`awsclients.retry_transient`: timeouts, throttling, 5xx), retried at once. The API
        passes `awsclients.REQUEST_ATTEMPTS` with a `Profile.REQUEST` client; the default, 1,
        leaves retrying to the client's own configuration (the CLI's background profile).
        """
        if not table_name:
            raise ValueError("table_name must not be empty")
        if read_attempts < 1:
            raise ValueError("read_attempts must be at least 1")
        self.table_name = table_name
        self._dynamodb = dynamodb
        self._read_attempts = read_attempts

    def get(self, key_hash: str) -> ApiKeyRecord | None:
        with self._unavailable_on_error():
            response = retry_transient(
                lambda: self._dynamodb().get_item(
                    TableName=self.table_name, Key={"key_hash": {"S": key_hash}}
                ),
                attempts=self._read_attempts,
            )
        item = response.get("Item")
        return None if item is None else _from_item(item)

    def create(
        self, name: str, tier: str = "default", *, key: str | None = None
    ) -> tuple[str, ApiKeyRecord]:
        """Store a new key; returns the key (shown once, never stored) and its record.

        `key`: store this one instead of a new one (`ar-models dev` stores the key it keeps in
        the clone, so a restarted local stack accepts the same key); it must be a key
        `generate_key` made, or the verifier would refuse it without a lookup.
        """
        if not name.strip():
            raise ValueError("a key needs a non-empty name")
        if key is None:
            key = generate_key()
        elif not looks_like_key(key):
            raise ValueError("not an API key made by apikeys.material.generate_key")
        record = ApiKeyRecord(
            key_hash=hash_key(key),
            prefix=display_prefix(key),
            name=name.strip(),
            tier=tier,
            status=ACTIVE,
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        )
        with self._unavailable_on_error():
            self._dynamodb().put_item(
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
                page = self._dynamodb().scan(**kwargs)  # type: ignore[arg-type]
            records += [_from_item(item) for item in page.get("Items", [])]
            if not page.get("LastEvaluatedKey"):
                break
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        return sorted(records, key=lambda record: record.created_at)

    def revoke(self, key_or_prefix: str) -> ApiKeyRecord:
        """Mark one key revoked, found by the full key or by a unique display prefix."""
        record = self._find(key_or_prefix)
        with self._unavailable_on_error():
            self._dynamodb().update_item(
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
        # botocore comes with boto3: loaded when awsclients builds a client, never at import.
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

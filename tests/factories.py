"""Builders shared by tests: models and a published catalog in a (moto) table."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from catalog.dynamodb import DynamoDBCatalogStore
from catalog.schema import Model
from catalog.store import StoredEntry, catalog_digest

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


def model_doc(model_id: str, **overrides: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": model_id,
        "object": "model",
        "created": 1721260800,
        "owned_by": "openai",
        "context_length": 128000,
        "capabilities": {"vision": True, "function_calling": True},
    }
    doc.update(overrides)
    return doc


def make_model(model_id: str, **overrides: Any) -> Model:
    return Model.model_validate(model_doc(model_id, **overrides))


def publish(
    client: DynamoDBClient, table: str, docs: list[dict[str, Any]], *, version: int | None = None
) -> int:
    """Write docs as the published catalog (replacing what was there) and advance the version."""
    store = DynamoDBCatalogStore(table, client=client)
    current = store.read_entries()
    wanted = {doc["id"]: StoredEntry(position, doc) for position, doc in enumerate(docs)}
    store.write_entries(wanted, [model_id for model_id in current if model_id not in wanted])
    expected = store.read_version()
    if version is not None:
        # Jump to a chosen version: set it directly.
        client.put_item(
            TableName=table,
            Item={"pk": {"S": "catalog"}, "sk": {"S": "meta"}, "version": {"N": str(version)}},
        )
        return version
    return store.advance_version(expected, count=len(docs), digest=catalog_digest(wanted))


class CallCounter:
    """Counts the API calls a botocore client really makes, by operation name (on the wire)."""

    WRITES = frozenset({"BatchWriteItem", "PutItem", "UpdateItem", "DeleteItem"})

    def __init__(self, client: Any) -> None:
        self.calls: list[str] = []
        client.meta.events.register("before-call", self._record)

    def _record(self, model: Any, **_: Any) -> None:
        self.calls.append(model.name)

    def count(self, operation: str) -> int:
        return self.calls.count(operation)

    @property
    def writes(self) -> list[str]:
        return [name for name in self.calls if name in self.WRITES]

    def reset(self) -> None:
        self.calls.clear()


class FakeClock:
    """A monotonic clock that tests move by hand (`clock.now += ttl`)."""

    def __init__(self, now: float = 0.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

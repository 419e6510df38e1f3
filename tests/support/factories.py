"""Builders shared by tests: model documents, models, and a published catalog in a table."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from catalog.dynamodb import DynamoDBCatalogStore
from catalog.schema import Model
from catalog.store import StoredEntry, catalog_digest

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_s3 import S3Client

# The public contract: every model of the API reference, as it lists them.
SEED_MODELS = [
    ("gpt-4o", "openai", 128000),
    ("gpt-4o-mini", "openai", 128000),
    ("gpt-4-turbo", "openai", 128000),
    ("claude-3-5-sonnet-20241022", "anthropic", 200000),
    ("claude-3-opus-20240229", "anthropic", 200000),
    ("claude-3-haiku-20240307", "anthropic", 200000),
    ("gemini-1.5-pro", "google", 1000000),
    ("gemini-1.5-flash", "google", 1000000),
]
SEED_IDS = [model_id for model_id, _, _ in SEED_MODELS]


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


def entries(docs: list[dict[str, Any]]) -> dict[str, StoredEntry]:
    """Documents as the entries a sync would publish, in this order."""
    return {doc["id"]: StoredEntry(position, doc) for position, doc in enumerate(docs)}


def publish(
    client: DynamoDBClient, table: str, docs: list[dict[str, Any]], *, version: int | None = None
) -> int:
    """Write docs as the published catalog (replacing what was there) and advance the version."""
    store = DynamoDBCatalogStore(table, dynamodb=lambda: client)
    current = store.read_entries()
    wanted = entries(docs)
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


def published_ids(client: DynamoDBClient, table: str) -> list[str]:
    """The ids an API container would read from the table now, in curated order."""
    contents = DynamoDBCatalogStore(table, dynamodb=lambda: client).read_catalog()
    return [] if contents is None else [model.id for model in contents.models]


class CatalogBucket:
    """An S3 bucket (moto) holding catalog documents, as a sync source."""

    def __init__(self, client: S3Client, name: str) -> None:
        self.client = client
        self.name = name
        client.create_bucket(Bucket=name)

    def upload(self, docs: list[dict[str, Any]], key: str = "models.json") -> str:
        """Store a catalog document of `docs`; returns its `s3://` source."""
        body = json.dumps({"object": "list", "data": docs})
        self.client.put_object(Bucket=self.name, Key=key, Body=body)
        return f"s3://{self.name}/{key}"

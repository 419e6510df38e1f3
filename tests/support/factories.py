"""Builders shared by tests: model documents, models, and a published catalog in a table."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from catalog.dynamodb import DynamoDBCatalogStore
from catalog.schema import Model
from catalog.store import CatalogDocument

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


def publish(
    client: DynamoDBClient, table: str, docs: list[dict[str, Any]], *, version: int | None = None
) -> int:
    """Publish docs as the catalog, as a sync does (chunks, pointer, clean-up), without its
    diff or guard; returns the version. `version`: jump to that version instead of the next."""
    store = DynamoDBCatalogStore(table, dynamodb=lambda: client)
    document = CatalogDocument.of(docs)
    pointer = store.read_pointer()
    if version is None:
        written = store.write_version(document, version=(pointer.version if pointer else 0) + 1)
        store.clean_up(store.move_pointer(pointer, written))
        return written.version
    written = store.write_version(document, version=version)
    client.put_item(
        TableName=table,
        Item={
            "pk": {"S": "catalog"},
            "sk": {"S": "meta"},
            "version": {"N": str(version)},
            "digest": {"S": written.digest},
            "chunks": {"N": str(written.chunks)},
            "count": {"N": str(written.count)},
        },
    )
    return version


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

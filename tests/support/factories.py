"""Builders shared by tests: model documents, models, and a published catalog in a table."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from catalog.document import document_of
from catalog.dynamodb import DynamoDBCatalogStore
from catalog.schema import Model

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
# The current models the bundled catalog adds (shared/current-models.md), by provider.
CURRENT_MODELS = [
    ("gpt-6.2-astra", "openai", 1050000),
    ("gpt-6.2-sol", "openai", 1050000),
    ("gpt-6.1-terra", "openai", 1050000),
    ("gpt-6-luna", "openai", 1050000),
    ("claude-fable-5-2", "anthropic", 1000000),
    ("claude-opus-5-5", "anthropic", 1000000),
    ("claude-sonnet-5-5", "anthropic", 1000000),
    ("claude-haiku-5-5", "anthropic", 1000000),
    ("claude-haiku-4-5-20251001", "anthropic", 200000),
    ("gemini-4-argon", "google", 1048576),
    ("gemini-4-carbon", "google", 1048576),
    ("gemini-4-neon", "google", 1048576),
    ("gemini-4-hydrogen", "google", 1048576),
    ("gemini-3.8-flash", "google", 1048576),
]
CURRENT_IDS = [model_id for model_id, _, _ in CURRENT_MODELS]
# The bundled catalog's document order: each provider's seed models, then its current ones.
BUNDLED_MODELS = [
    model
    for provider in ("openai", "anthropic", "google")
    for model in (*SEED_MODELS, *CURRENT_MODELS)
    if model[1] == provider
]
BUNDLED_IDS = [model_id for model_id, _, _ in BUNDLED_MODELS]
# The seed models' shutdown dates (shared/catalog-facts.md); no current model has one.
SEED_SHUTDOWNS = {
    "gpt-4o": "2027-01-14",
    "gpt-4o-mini": "2027-01-14",
    "gpt-4-turbo": "2026-10-23",
    "claude-3-5-sonnet-20241022": "2025-10-28",
    "claude-3-opus-20240229": "2026-01-05",
    "claude-3-haiku-20240307": "2026-04-20",
    "gemini-1.5-pro": "2025-09-24",
    "gemini-1.5-flash": "2025-09-24",
}


def listed_by_default(
    models: list[tuple[str, str, int]] = BUNDLED_MODELS, *, on: date | None = None
) -> list[tuple[str, str, int]]:
    """Of `models`, those a list without `?status=` answers on `on` (default: today, UTC):
    every one not yet shut down (active or deprecated)."""
    today = (on or datetime.now(UTC).date()).isoformat()
    return [model for model in models if SEED_SHUTDOWNS.get(model[0], "9999-12-31") > today]


def ids_listed_by_default(
    models: list[tuple[str, str, int]] = BUNDLED_MODELS, *, on: date | None = None
) -> list[str]:
    return [model_id for model_id, _, _ in listed_by_default(models, on=on)]


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


def write_catalog(path: Path, docs: list[dict[str, Any]]) -> Path:
    """A catalog file at `path` holding these model documents, as a person would write one."""
    path.write_text(json.dumps({"object": "list", "data": docs}, indent=2))
    return path


def make_model(model_id: str, **overrides: Any) -> Model:
    return Model.model_validate(model_doc(model_id, **overrides))


def publish(
    client: DynamoDBClient, table: str, docs: list[dict[str, Any]], *, version: int | None = None
) -> int:
    """Publish docs as the catalog, as a sync does (chunks, pointer, clean-up), without its
    diff or guard; returns the version. `version`: jump to that version instead of the next."""
    store = DynamoDBCatalogStore(table, dynamodb=lambda: client)
    document = document_of(docs)
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

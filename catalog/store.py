"""The catalog store's port, both sides, and the shapes they exchange, free of any storage detail.

The API reads (`CatalogReader`), the sync reads what it diffs against and writes
(`CatalogWriter`); `CatalogStore` is both, as `catalog.dynamodb.DynamoDBCatalogStore` implements
them. Every method raises `CatalogUnavailable` when the storage cannot answer.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from catalog.schema import Model


@dataclass(frozen=True, slots=True)
class CatalogContents:
    """A published catalog: its version and its models in curated order."""

    version: int
    models: list[Model]


class CatalogReader(Protocol):
    """The read side: where the API reads the published catalog from."""

    def read_version(self) -> int | None:
        """The published version, or None when nothing was published yet. Must be cheap."""
        ...

    def read_catalog(self, *, version: int | None = None) -> CatalogContents | None:
        """The whole published catalog, or None when nothing was published yet.

        `version`: the published version the caller has just read, so it is not read again.
        """
        ...


@dataclass(frozen=True, slots=True)
class StoredEntry:
    """One model as the sync compares and writes it: curated position and JSON document."""

    position: int
    document: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class CatalogMeta:
    """The published version and the digest of the entries it published."""

    version: int
    digest: str | None


def catalog_digest(entries: Mapping[str, StoredEntry]) -> str:
    """A content hash of a set of entries, independent of their order."""
    canonical = json.dumps(
        sorted((model_id, entry.position, entry.document) for model_id, entry in entries.items()),
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


class CatalogWriter(Protocol):
    """The write side: what the sync diffs against, and how it publishes."""

    def read_meta(self) -> CatalogMeta | None:
        """The published version and digest, strongly consistent; None before the first sync."""
        ...

    def read_entries(self) -> dict[str, StoredEntry]:
        """Every stored model entry by id, valid or not, strongly consistent."""
        ...

    def write_entries(self, puts: Mapping[str, StoredEntry], deletes: Sequence[str]) -> int:
        """Put and delete entries; returns the number of write requests made."""
        ...

    def advance_version(self, expected: int | None, *, count: int, digest: str) -> int:
        """Move the version from `expected` to the next; VersionConflict if it moved already."""
        ...


class CatalogStore(CatalogReader, CatalogWriter, Protocol):
    """Both sides of one store."""

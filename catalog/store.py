"""The catalog store's ports and the shapes they exchange, free of any storage detail."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from catalog.schema import Model


@dataclass(frozen=True, slots=True)
class CatalogContents:
    """A published catalog: its version and its models in curated order."""

    version: int
    models: list[Model]


class CatalogStore(Protocol):
    """A place a published catalog is read from. Raises `CatalogUnavailable` when it cannot."""

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

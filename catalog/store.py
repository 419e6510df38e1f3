"""The read port of the catalog: where a published catalog comes from."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

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

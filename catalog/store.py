"""The catalog store's port, both sides, and the shapes they exchange, free of any storage detail.

The API reads (`CatalogReader`), the sync reads what it diffs against and writes
(`CatalogWriter`); `CatalogStore` is both, as `catalog.dynamodb.DynamoDBCatalogStore` implements
them. Every method raises `CatalogUnavailable` when the storage cannot answer.

The model the port keeps: a published catalog is one immutable document (`CatalogDocument`, the
canonical JSON of the whole list, named by its sha256), stored as a few chunks under its digest,
and a pointer (`Pointer`) names the published one. A sync writes the new document's chunks
first, where no reader looks, then moves the pointer with a condition on the version it read,
then deletes the chunks no reader can need any more. A reader follows the pointer and checks the
digest: it sees one whole published version or, if it cannot, nothing (`CatalogCorrupt`).

Only the port and the values it exchanges live here. The document's format and every way it
is read (strictly as a source, as stored for the sync's diff and `export`, leniently for what
the API serves) are catalog/document.py's; every store's `read_catalog` returns its
`published_contents`.
"""

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


class CatalogReader(Protocol):
    """The read side: where the API reads the published catalog from."""

    def read_version(self) -> int | None:
        """The published version, or None when nothing was published yet. Must be cheap."""
        ...

    def read_catalog(self, *, version: int | None = None) -> CatalogContents | None:
        """The whole published catalog, or None when nothing was published yet.

        `version`: the published version the caller has just read (`read_version`), so a store
        may reuse what it learnt then instead of reading the pointer again. The contents carry
        the version of the pointer they were really read through, which may be newer.
        """
        ...


@dataclass(frozen=True, slots=True)
class CatalogDocument:
    """One catalog as it is published: the canonical JSON bytes of `{"object": "list",
    "data": [model, ...]}` in curated order, and their sha256 (hex), which names it.

    How the bytes are written and read back (`document_of`, `verified_document`,
    `document_entries`) is the stored format's, in catalog/document.py.
    """

    body: bytes
    digest: str
    count: int  # models in it


@dataclass(frozen=True, slots=True)
class Pointer:
    """What is published: version, the document's digest, and how it is stored.

    `digest` is None for a pointer of the legacy layout (one item per model, before chunks):
    nothing this code can read, so it reads as nothing published, but its version still counts
    (the next publish is version + 1, so every container sees the change).
    """

    version: int
    digest: str | None
    chunks: int
    count: int
    previous_digest: str | None = None  # the document this version replaced, kept for readers
    # Why the pointer cannot be followed (attributes of the wrong type or out of bounds, say),
    # if so: readers treat the version as unreadable, the sync publishes over it.
    unreadable: str | None = None
    previous_chunks: int = 0  # its chunks (a replica's reader may need it while these arrive)

    @property
    def readable(self) -> bool:
        return self.digest is not None


@dataclass(frozen=True, slots=True)
class WrittenVersion:
    """A document written as chunks, not yet published: what `move_pointer` publishes."""

    version: int  # the version it was written for
    digest: str
    chunks: int
    count: int
    writes: int  # write requests made (chunk puts)


class CatalogWriter(Protocol):
    """The write side: what the sync diffs against, and how it publishes."""

    def read_pointer(self) -> Pointer | None:
        """The published pointer, strongly consistent; None before the first sync."""
        ...

    def read_document(self, pointer: Pointer) -> CatalogDocument:
        """The whole document `pointer` names, strongly consistent, verified against its digest.

        Raises CatalogCorrupt if a chunk is missing or the bytes do not match.
        """
        ...

    def write_version(self, document: CatalogDocument, *, version: int) -> WrittenVersion:
        """Write `document`'s chunks for `version`, where no reader looks yet.

        Chunks are content-addressed: writing the same document again writes the same items, so
        a retried or repeated run is harmless. Raises CatalogUnavailable if a write fails for
        good (the pointer is untouched, so nothing a reader sees changed).
        """
        ...

    def move_pointer(self, expected: Pointer | None, written: WrittenVersion) -> Pointer:
        """Publish `written`: the pointer moves from `expected` (None: nothing published) to it,
        keeping `expected`'s document as the previous one. Returns the new pointer.

        Raises VersionConflict, and changes nothing, if the pointer is no longer `expected`.
        """
        ...

    def clean_up(self, published: Pointer) -> int:
        """Delete what no reader can need once `published` is the pointer: chunks of any other
        document than `published`'s and its previous one that were written for a version up
        to `published.version` (a run still in flight writes for the next one, and is left
        alone), and items of the legacy layout. Returns the number of delete requests.
        """
        ...


class CatalogStore(CatalogReader, CatalogWriter, Protocol):
    """Both sides of one store."""

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
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from catalog.bounded_json import entries_within
from catalog.errors import CatalogCorrupt, CatalogUnreadable, CatalogUnservable
from catalog.limits import MAX_DEPTH, MAX_DOCUMENT_BYTES, MAX_MODELS

if TYPE_CHECKING:
    from catalog.schema import Model

logger = logging.getLogger(__name__)

# What every published document starts and ends with (`CatalogDocument.of` writes it so): the
# reader finds the list of models between them without parsing anything (catalog.bounded_json).
DOCUMENT_PREFIX = b'{"object":"list","data":['
DOCUMENT_SUFFIX = b"]}"
# Invalid models a reader names in its one warning; the others are only counted.
REASONS_SHOWN = 3


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
    "data": [model, ...]}` in curated order, and their sha256 (hex), which names it."""

    body: bytes
    digest: str
    count: int  # models in it

    @classmethod
    def of(cls, models: Sequence[Mapping[str, Any]]) -> CatalogDocument:
        """The document of these wire documents, in this order. Same models, same bytes."""
        data = json.dumps(list(models), separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        body = DOCUMENT_PREFIX + data[1:-1] + DOCUMENT_SUFFIX
        return cls(body, hashlib.sha256(body).hexdigest(), len(models))

    @classmethod
    def verified(cls, body: bytes, digest: str, *, count: int) -> CatalogDocument:
        """The document read back from storage, if it is the one `digest` names (`count`: the
        models the pointer says it holds). Raises CatalogCorrupt if the bytes are over the
        document cap or do not hash to `digest`."""
        if len(body) > MAX_DOCUMENT_BYTES:
            raise CatalogCorrupt(
                f"catalog document {digest[:12]} is over {MAX_DOCUMENT_BYTES:,} bytes: refusing it"
            )
        actual = hashlib.sha256(body).hexdigest()
        if actual != digest:
            raise CatalogCorrupt(
                f"catalog document {digest[:12]} reads back as {actual[:12]}: refusing it whole"
            )
        return cls(body, digest, count)

    def entries(self) -> list[Any]:
        """The model documents as stored, valid or not, in curated order.

        Raises CatalogCorrupt if the body is not a catalog document as `of` writes one, holds
        more than MAX_MODELS entries or nests deeper than MAX_DEPTH (it hashes to its digest,
        so only a writer could have made it so): checked on the bytes, before it is parsed.
        """
        try:
            return entries_within(
                self.body,
                prefix=DOCUMENT_PREFIX,
                suffix=DOCUMENT_SUFFIX,
                max_entries=MAX_MODELS,
                max_depth=MAX_DEPTH,
            )
        except ValueError as exc:
            raise CatalogCorrupt(f"catalog document {self.digest[:12]}: {exc}") from None


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


def published_contents(
    pointer: Pointer | None, read_document: Callable[[Pointer], CatalogDocument], *, where: str
) -> CatalogContents | None:
    """What a reader serves of the version `pointer` names: None while no readable version is
    published, else that version's valid models (`read_document` reads its chunks; `where`
    names the store in warnings).

    A version whose stored content breaks the rules (see `CatalogDocument.entries`) raises
    CatalogUnreadable, one with no valid model CatalogUnservable: both name the version, which
    the cache remembers. A missing chunk raises what `read_document` raises.
    """
    if pointer is None or (not pointer.readable and pointer.unreadable is None):
        return None
    if pointer.unreadable is not None:
        raise CatalogUnreadable(pointer.version, pointer.unreadable)
    document = read_document(pointer)
    try:
        entries = document.entries()
    except CatalogCorrupt as exc:
        raise CatalogUnreadable(pointer.version, str(exc)) from None
    origin = f"catalog version {pointer.version} ({where})"
    models = valid_models(entries, origin=origin)
    if entries and not models:
        raise CatalogUnservable(
            f"catalog version {pointer.version} has no valid model among its "
            f"{len(entries):,} entries ({where})",
            version=pointer.version,
        )
    return CatalogContents(pointer.version, models)


def valid_models(entries: Sequence[Any], *, origin: str) -> list[Model]:
    """The entries that are valid models, in order; the others are skipped (a document
    published by an older or newer schema must not take the whole catalog down), and reported
    in one warning: how many, and the first REASONS_SHOWN reasons."""
    from pydantic import ValidationError

    from catalog.problems import printable
    from catalog.schema import Model

    models: list[Model] = []
    seen: set[str] = set()
    skipped = 0
    reasons: list[str] = []
    for index, entry in enumerate(entries):
        reason = None
        try:
            model = Model.model_validate(entry)
        except ValidationError as exc:
            error = exc.errors(include_url=False)[0]
            path = ".".join(str(part) for part in error["loc"])
            reason = f"{path}: {error['msg']}" if path else error["msg"]
        else:
            if model.id in seen:
                reason = f"duplicate id {model.id!r}"
            else:
                seen.add(model.id)
                models.append(model)
        if reason is not None:
            skipped += 1
            if len(reasons) < REASONS_SHOWN:
                label = entry.get("id") if isinstance(entry, dict) else None
                named = f" ({printable(label)})" if isinstance(label, str) else ""
                reasons.append(f"model {index}{named}: {printable(reason, limit=200)}")
    if skipped:
        more = "; ..." if skipped > len(reasons) else ""
        logger.warning(
            "skipping %d invalid model(s) of %d in %s: %s%s",
            skipped,
            len(entries),
            origin,
            "; ".join(reasons),
            more,
        )
    return models

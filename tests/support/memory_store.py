"""The catalog store port in memory: what the domain tests (cache, sync) run against.

It keeps the DynamoDB store's contract (catalog.store): a document stored as chunks under its
digest, tagged with the version they were written for, a pointer moved with a condition on the
version, a previous document kept for readers, a clean-up of the rest, and `CatalogUnavailable`
for any failure, so the sync's diff, guard and repair logic is tested in milliseconds without
moto. The DynamoDB adapter has its own tests against moto, and
tests/catalog/test_store.py runs the same contract against both.

Chunks hold the document uncompressed, in pieces of `chunk_size` bytes: small by default, so a
test catalog takes several chunks and a run can fail between any two of them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from catalog.document import document_of, published_contents, verified_document
from catalog.errors import (
    CatalogCorrupt,
    CatalogIncomplete,
    CatalogUnavailable,
    VersionConflict,
)
from catalog.store import CatalogContents, CatalogDocument, Pointer, WrittenVersion

CHUNK_SIZE = 1_000


@dataclass(frozen=True, slots=True)
class Chunk:
    data: bytes
    for_version: int


class InMemoryCatalogStore:
    """A `CatalogStore` in dicts.

    Tests may set `unavailable`, `unavailable_for` or `accept_writes` to fail it (raising
    `failure`, CatalogUnavailable unless a test wants a crash), and read `calls` (method names,
    in order), `writes` (every write that landed: "put <chunk>", "move <version>",
    "delete <chunk>") and `catalog_reads` (the `version` argument of every `read_catalog`).
    """

    def __init__(self, *, chunk_size: int = CHUNK_SIZE) -> None:
        self.chunk_size = chunk_size
        self.pointer: Pointer | None = None
        self.chunks: dict[tuple[str, int], Chunk] = {}
        self.calls: list[str] = []
        self.writes: list[str] = []
        self.catalog_reads: list[int | None] = []
        # True: every call raises, as an unreachable or throttled table does.
        self.unavailable = False
        # Names of the methods that raise (e.g. {"move_pointer"}: a run that dies between its
        # chunks and its pointer move).
        self.unavailable_for: set[str] = set()
        # How many more writes (chunk puts, pointer moves, deletes) land before the rest raise
        # (None: all of them).
        self.accept_writes: int | None = None
        self.failure: type[BaseException] = CatalogUnavailable
        self._seen: Pointer | None = None

    def publish(self, docs: Sequence[Mapping[str, Any]], *, version: int | None = None) -> int:
        """Set the published catalog directly, as a finished sync leaves it (not logged in
        `calls`): `docs` in this order, at `version` (default: the next one)."""
        document = document_of(docs)
        previous = self.pointer
        if version is None:
            version = (0 if previous is None else previous.version) + 1
        pieces = self._pieces(document)
        for index, piece in enumerate(pieces):
            self.chunks[document.digest, index] = Chunk(piece, version)
        self.pointer = Pointer(
            version=version,
            digest=document.digest,
            chunks=len(pieces),
            count=document.count,
            previous_digest=None if previous is None else previous.digest,
        )
        return version

    def chunk_digests(self) -> set[str]:
        """The digests of every document that has a chunk stored."""
        return {digest for digest, _ in self.chunks}

    def _call(self, name: str) -> None:
        self.calls.append(name)
        if self.unavailable or name in self.unavailable_for:
            raise self.failure(f"in-memory store: {name} failed")

    def _write(self, what: str) -> None:
        if self.accept_writes is not None:
            if self.accept_writes <= 0:
                raise self.failure(f"in-memory store: {what} failed")
            self.accept_writes -= 1
        self.writes.append(what)

    def _pieces(self, document: CatalogDocument) -> list[bytes]:
        body, size = document.body, self.chunk_size
        return [body[start : start + size] for start in range(0, len(body), size)]

    # -- read side ---------------------------------------------------------------------------

    def read_version(self) -> int | None:
        self._call("read_version")
        self._seen = self.pointer
        return None if self.pointer is None else self.pointer.version

    def read_catalog(self, *, version: int | None = None) -> CatalogContents | None:
        self.catalog_reads.append(version)
        self._call("read_catalog")
        seen = self._seen
        pointer = seen if version is not None and seen and seen.version == version else None
        pointer = pointer or self.pointer
        try:
            return self._contents(pointer)
        except CatalogIncomplete:
            if self.pointer == pointer:
                raise
            return self._contents(self.pointer)

    def _contents(self, pointer: Pointer | None) -> CatalogContents | None:
        return published_contents(pointer, self._document, where="memory")

    # -- write side --------------------------------------------------------------------------

    def read_pointer(self) -> Pointer | None:
        self._call("read_pointer")
        return self.pointer

    def read_document(self, pointer: Pointer) -> CatalogDocument:
        self._call("read_document")
        return self._document(pointer)

    def _document(self, pointer: Pointer) -> CatalogDocument:
        if pointer.digest is None:
            raise CatalogCorrupt(f"catalog version {pointer.version} has no document to read")
        pieces: list[bytes] = []
        for index in range(pointer.chunks):
            chunk = self.chunks.get((pointer.digest, index))
            if chunk is None:
                raise CatalogIncomplete(f"chunk {index} of {pointer.digest[:12]} is missing")
            pieces.append(chunk.data)
        return verified_document(b"".join(pieces), pointer.digest, count=pointer.count)

    def write_version(self, document: CatalogDocument, *, version: int) -> WrittenVersion:
        self._call("write_version")
        pieces = self._pieces(document)
        for index, piece in enumerate(pieces):
            self._write(f"put {document.digest[:8]}#{index}")
            self.chunks[document.digest, index] = Chunk(piece, version)
        return WrittenVersion(
            version=version,
            digest=document.digest,
            chunks=len(pieces),
            count=document.count,
            writes=len(pieces),
        )

    def move_pointer(self, expected: Pointer | None, written: WrittenVersion) -> Pointer:
        self._call("move_pointer")
        expected_version = None if expected is None else expected.version
        if written.version != (expected_version or 0) + 1:
            raise ValueError(f"version {written.version} cannot follow {expected_version}")
        self._write(f"move {written.version}")
        current = None if self.pointer is None else self.pointer.version
        if current != expected_version:
            raise VersionConflict(expected_version)
        previous = expected if expected is not None and expected.readable else None
        self.pointer = Pointer(
            version=written.version,
            digest=written.digest,
            chunks=written.chunks,
            count=written.count,
            previous_digest=None if previous is None else previous.digest,
        )
        return self.pointer

    def clean_up(self, published: Pointer) -> int:
        self._call("clean_up")
        keep = {published.digest, published.previous_digest}
        doomed = [
            key
            for key, chunk in self.chunks.items()
            if key[0] not in keep and chunk.for_version <= published.version
        ]
        for key in doomed:
            self._write(f"delete {key[0][:8]}#{key[1]}")
            del self.chunks[key]
        return len(doomed)

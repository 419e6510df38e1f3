"""The catalog store port in memory: what the domain tests (cache, sync) run against.

It keeps the DynamoDB store's contract (catalog.store): entries by id with their curated
position, a meta record with the published version and digest, a conditional version move, and
`CatalogUnavailable` for any failure, so the sync's diff, guard and repair logic is tested in
milliseconds without moto. The DynamoDB adapter has its own tests against moto, and
tests/catalog/test_store_contract.py runs the same contract against both.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import ValidationError

from catalog.errors import CatalogUnavailable, VersionConflict
from catalog.schema import Model
from catalog.store import CatalogContents, CatalogMeta, StoredEntry, catalog_digest


class InMemoryCatalogStore:
    """A `CatalogStore` in a dict. Tests may set `unavailable`, `unavailable_for` or
    `accept_writes` to fail it, and read `calls` (method names, in order) and `catalog_reads`
    (the `version` argument of every `read_catalog`) to see what a caller asked for."""

    def __init__(self) -> None:
        self.entries: dict[str, StoredEntry] = {}
        self.meta: CatalogMeta | None = None
        self.calls: list[str] = []
        self.catalog_reads: list[int | None] = []
        # True: every call raises CatalogUnavailable, as an unreachable or throttled table does.
        self.unavailable = False
        # Names of the methods that raise CatalogUnavailable (e.g. {"advance_version"}: a run
        # that dies between its writes and its version bump).
        self.unavailable_for: set[str] = set()
        # How many more write requests succeed before the rest raise (None: all of them).
        self.accept_writes: int | None = None
        self.write_requests = 0

    def publish(self, docs: Sequence[Mapping[str, Any]], *, version: int | None = None) -> int:
        """Set the published catalog directly, as a finished sync leaves it (not logged in
        `calls`): `docs` in this order, at `version` (default: the next one)."""
        self.entries = {
            doc["id"]: StoredEntry(position, copy.deepcopy(dict(doc)))
            for position, doc in enumerate(docs)
        }
        if version is None:
            version = (0 if self.meta is None else self.meta.version) + 1
        self.meta = CatalogMeta(version=version, digest=catalog_digest(self.entries))
        return version

    def _call(self, name: str) -> None:
        self.calls.append(name)
        if self.unavailable or name in self.unavailable_for:
            raise CatalogUnavailable(f"in-memory store: {name} failed")

    # -- read side ---------------------------------------------------------------------------

    def read_version(self) -> int | None:
        self._call("read_version")
        return None if self.meta is None else self.meta.version

    def read_catalog(self, *, version: int | None = None) -> CatalogContents | None:
        self.catalog_reads.append(version)
        self._call("read_catalog")
        if version is None:
            version = None if self.meta is None else self.meta.version
        if version is None:
            return None
        ordered = sorted(self.entries.items(), key=lambda item: (item[1].position, item[0]))
        models: list[Model] = []
        for model_id, entry in ordered:
            try:
                model = Model.model_validate(dict(entry.document))
            except ValidationError:
                continue  # as the DynamoDB store does: skipped, never fatal
            if model.id == model_id:
                models.append(model)
        return CatalogContents(version=version, models=models)

    # -- write side --------------------------------------------------------------------------

    def read_meta(self) -> CatalogMeta | None:
        self._call("read_meta")
        return self.meta

    def read_entries(self) -> dict[str, StoredEntry]:
        self._call("read_entries")
        # Copies, as a read from a table is: a caller changing them changes nothing stored.
        return {model_id: _copy(entry) for model_id, entry in self.entries.items()}

    def write_entries(self, puts: Mapping[str, StoredEntry], deletes: Sequence[str]) -> int:
        self._call("write_entries")
        requests: list[tuple[str, StoredEntry | None]] = list(puts.items())
        requests += [(model_id, None) for model_id in deletes]
        for model_id, entry in requests:
            if self.accept_writes is not None:
                if self.accept_writes <= 0:
                    raise CatalogUnavailable("in-memory store: writes throttled")
                self.accept_writes -= 1
            self.write_requests += 1
            if entry is None:
                self.entries.pop(model_id, None)
            else:
                self.entries[model_id] = _copy(entry)
        return len(requests)

    def advance_version(self, expected: int | None, *, count: int, digest: str) -> int:
        self._call("advance_version")
        current = None if self.meta is None else self.meta.version
        if current != expected:
            raise VersionConflict(expected)
        self.meta = CatalogMeta(version=(expected or 0) + 1, digest=digest)
        return self.meta.version


def _copy(entry: StoredEntry) -> StoredEntry:
    return StoredEntry(entry.position, copy.deepcopy(dict(entry.document)))

"""The per-container read cache: the one place that decides what to serve when DynamoDB fails.

fresh for TTL   -> serve the snapshot, no I/O
TTL expired     -> read the version (one GetItem): unchanged -> extend; changed -> read all
store fails     -> warn, serve the last good snapshot (stale) or the bundled catalog,
                   and try again after a short backoff rather than on every request
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from catalog.bundled import bundled_snapshot
from catalog.errors import CatalogUnavailable
from catalog.snapshot import CatalogSnapshot
from catalog.store import CatalogStore

logger = logging.getLogger(__name__)


class CatalogSource(StrEnum):
    """Where the snapshot being served came from (shown by /health)."""

    DYNAMODB = "dynamodb"
    STALE = "stale"  # read from DynamoDB earlier; the latest revalidation failed
    BUNDLED = "bundled"


@dataclass(frozen=True, slots=True)
class CatalogView:
    """What the cache serves now: a snapshot and where it came from."""

    snapshot: CatalogSnapshot
    source: CatalogSource


class CatalogCache:
    """Serves a prebuilt snapshot per container, revalidating against the store every TTL.

    With no store (MODELS_TABLE unset) it serves the bundled catalog and never does I/O.
    Not thread-safe by design: a Lambda container serves one request at a time, and the local
    server runs every request on one event loop.
    """

    def __init__(
        self,
        store: CatalogStore | None,
        *,
        bundled_snapshot: Callable[[], CatalogSnapshot] = bundled_snapshot,
        ttl: float,
        failure_backoff: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if ttl < 0:
            raise ValueError("ttl must be >= 0")
        self._store = store
        self._bundled_snapshot = bundled_snapshot
        self._ttl = ttl
        self._failure_backoff = min(failure_backoff, ttl) if ttl else 0.0
        self._clock = clock
        self._view: CatalogView | None = None
        self._next_check = float("-inf")

    def current(self) -> CatalogView:
        """The view to serve now, revalidated first if its TTL has run out."""
        now = self._clock()
        if self._view is None or now >= self._next_check:
            self._revalidate(now)
        assert self._view is not None
        return self._view

    def _revalidate(self, now: float) -> None:
        if self._store is None:
            if self._view is None:
                self._view = CatalogView(self._bundled_snapshot(), CatalogSource.BUNDLED)
            self._next_check = float("inf")
            return
        try:
            self._view = self._read(self._store)
        except CatalogUnavailable as exc:
            self._view = self._degraded(exc)
            self._next_check = now + self._failure_backoff
            return
        self._next_check = now + self._ttl

    def _read(self, store: CatalogStore) -> CatalogView:
        view = self._view
        version = None
        if view is not None and view.source is not CatalogSource.BUNDLED:
            version = store.read_version()
            if version == view.snapshot.version:
                return CatalogView(view.snapshot, CatalogSource.DYNAMODB)
        contents = store.read_catalog(version=version)
        if contents is None:
            logger.warning("catalog table has no published catalog yet; serving the bundled one")
            return self._bundled_view()
        if not contents.models:
            logger.warning(
                "catalog version %d has no valid model; serving the bundled one", contents.version
            )
            return self._bundled_view()
        logger.info("loaded catalog version %d (%d models)", contents.version, len(contents.models))
        return CatalogView(
            CatalogSnapshot.build(contents.version, contents.models), CatalogSource.DYNAMODB
        )

    def _bundled_view(self) -> CatalogView:
        view = self._view
        if view is not None and view.source is CatalogSource.BUNDLED:
            return view
        return CatalogView(self._bundled_snapshot(), CatalogSource.BUNDLED)

    def _degraded(self, exc: CatalogUnavailable) -> CatalogView:
        view = self._view
        if view is not None and view.source is not CatalogSource.BUNDLED:
            logger.warning(
                "catalog store failed, serving cached version %d: %s", view.snapshot.version, exc
            )
            return CatalogView(view.snapshot, CatalogSource.STALE)
        logger.warning("catalog store failed, serving the bundled catalog: %s", exc)
        return self._bundled_view()

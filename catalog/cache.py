"""The per-container read cache: the one place that decides what to serve when DynamoDB fails.

fresh for TTL   -> serve the snapshot, no I/O
TTL expired     -> read the version (one GetItem): unchanged -> extend; changed -> read all
store fails     -> warn, serve the last good snapshot (stale) or the bundled catalog,
                   and try again after a short backoff rather than on every request
cannot serve it -> (a version whose stored content breaks a rule: a pointer of the wrong types,
                   too many chunks, a bomb, a wrong digest, too deep, too many models, no
                   valid model, too large to serve) the same, and that version is
                   remembered: later revalidations read its number (one GetItem), never its
                   chunks again, until a new version is published
not arrived yet -> (a replica holds the pointer, not yet all its chunks, or a clean-up raced:
                   CatalogIncomplete) the same as a failure, never remembered, read again
                   after the backoff; a cold container serves the version the pointer
                   replaced if this replica holds it whole, else the bundled one
a model's date  -> (wall clock at the snapshot's `valid_until`) rebuild the snapshot from the
                   same models, no I/O: a lifecycle status changes at its date, not at the
                   next sync or deploy

Both the TTL and the backoff (awsclients.backoff, the one the key verifier uses too) count from
the moment the read ENDED: a read that hung for its whole time budget must not leave a backoff
that has already run out, or every request during an outage would pay the budget again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from awsclients.backoff import FailureBackoff
from catalog.bundled import bundled_snapshot
from catalog.errors import (
    CatalogIncomplete,
    CatalogUnavailable,
    CatalogUnreadable,
    CatalogUnservable,
)
from catalog.snapshot import CatalogSnapshot
from catalog.store import CatalogContents, CatalogReader

logger = logging.getLogger(__name__)


class ServedFrom(StrEnum):
    """Where the snapshot being served came from (/health shows it as `catalog.source`)."""

    DYNAMODB = "dynamodb"
    STALE = "stale"  # read from DynamoDB earlier; the latest revalidation failed
    BUNDLED = "bundled"


@dataclass(frozen=True, slots=True)
class ServedCatalog:
    """What the cache serves now: one version's snapshot, and where that snapshot came from."""

    snapshot: CatalogSnapshot
    served_from: ServedFrom


class CatalogCache:
    """Serves a prebuilt snapshot per container, revalidating against the store every TTL.

    With no store (MODELS_TABLE unset) it serves the bundled catalog and never does I/O.
    Not thread-safe by design: a Lambda container serves one request at a time, and the local
    server runs every request on one event loop.
    """

    def __init__(
        self,
        store: CatalogReader | None,
        *,
        bundled_snapshot: Callable[[], CatalogSnapshot] = bundled_snapshot,
        ttl: float,
        failure_backoff: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        on_revalidated: Callable[[ServedCatalog], None] | None = None,
    ) -> None:
        """`clock` times the TTL and the backoff; `wall_clock` (epoch seconds) is the time the
        lifecycle statuses are served at. `on_revalidated` is told what is served after every
        read of the store (a metric)."""
        if ttl < 0:
            raise ValueError("ttl must be >= 0")
        self._store = store
        self._bundled_snapshot = bundled_snapshot
        self._ttl = ttl
        # Never longer than the TTL: a failure must not keep the cache from the store longer
        # than a success would.
        self._backoff = FailureBackoff(min(failure_backoff, ttl) if ttl else 0.0, clock=clock)
        self._clock = clock
        self._wall_clock = wall_clock
        self._on_revalidated = on_revalidated
        self._served: ServedCatalog | None = None
        self._fresh_until = float("-inf")  # the TTL of the last successful read
        # The published version the store holds that cannot be served, once seen.
        self._unservable: int | None = None

    def current(self) -> ServedCatalog:
        """The catalog to serve now, revalidated first if its TTL has run out."""
        now = self._clock()
        if self._served is None or (now >= self._fresh_until and self._backoff.ready(now)):
            self._revalidate()
        served = self._served
        assert served is not None
        wall = self._wall_clock()
        if not served.snapshot.built_at <= wall < served.snapshot.valid_until:
            # A model's deprecation or shutdown date has come (or the clock went back, or the
            # snapshot was built at another moment, as the bundled one at init): the same
            # models, served with the statuses of now (no I/O; the bodies and ETags follow).
            served = self._served = ServedCatalog(served.snapshot.at(wall), served.served_from)
        return served

    def _revalidate(self) -> None:
        if self._store is None:
            if self._served is None:
                self._served = ServedCatalog(self._bundled_snapshot(), ServedFrom.BUNDLED)
            self._fresh_until = float("inf")
            return
        try:
            self._served = self._read(self._store)
            self._fresh_until = self._clock() + self._ttl
            self._backoff.succeeded()
        except CatalogUnavailable as exc:
            self._served = self._degraded(exc)
            # After `_degraded`: it may have read the previous version, another call that ended.
            self._backoff.failed()
        if self._on_revalidated is not None:
            self._on_revalidated(self._served)

    def _read(self, store: CatalogReader) -> ServedCatalog:
        served = self._served
        version = None
        from_store = served is not None and served.served_from is not ServedFrom.BUNDLED
        if from_store or self._unservable is not None:
            version = store.read_version()
            if from_store and served is not None and version == served.snapshot.version:
                return ServedCatalog(served.snapshot, ServedFrom.DYNAMODB)
            if version is not None and version == self._unservable:
                # Reading and validating it again (up to the 8 MiB cap) would fail the same way.
                raise CatalogUnservable(f"catalog version {version} cannot be served (seen before)")
        try:
            contents = store.read_catalog(version=version)
            if contents is None:
                logger.warning(
                    "catalog table has no published catalog yet; serving the bundled one"
                )
                return self._bundled()
            if not contents.models:
                raise CatalogUnservable(
                    f"catalog version {contents.version} has no valid model",
                    version=contents.version,
                )
            try:
                snapshot = CatalogSnapshot.build(
                    contents.version, contents.models, now=self._wall_clock()
                )
            except CatalogUnservable as exc:
                exc.version = contents.version
                raise
        except (CatalogUnreadable, CatalogUnservable) as exc:
            # Its bytes never change: what failed once fails again. A missing chunk is not
            # this (CatalogIncomplete): it may arrive, so it is read again after the backoff.
            if exc.version is not None:
                self._unservable = exc.version
            raise
        logger.info("loaded catalog version %d (%d models)", contents.version, len(contents.models))
        return ServedCatalog(snapshot, ServedFrom.DYNAMODB)

    def _bundled(self) -> ServedCatalog:
        served = self._served
        if served is not None and served.served_from is ServedFrom.BUNDLED:
            return served
        return ServedCatalog(self._bundled_snapshot(), ServedFrom.BUNDLED)

    def _degraded(self, exc: CatalogUnavailable) -> ServedCatalog:
        served = self._served
        if served is not None and served.served_from is not ServedFrom.BUNDLED:
            logger.warning(
                "catalog store failed, serving cached version %d: %s", served.snapshot.version, exc
            )
            return ServedCatalog(served.snapshot, ServedFrom.STALE)
        if isinstance(exc, CatalogIncomplete) and exc.read_previous is not None:
            previous = self._previous(exc.read_previous)
            if previous is not None:
                logger.warning(
                    "catalog not whole here yet (%s); serving version %d, the one it replaced",
                    exc,
                    previous.snapshot.version,
                )
                return previous
        logger.warning("catalog store failed, serving the bundled catalog: %s", exc)
        return self._bundled()

    def _previous(self, read: Callable[[], CatalogContents | None]) -> ServedCatalog | None:
        """The version a still-arriving one replaced, if it can be read and served; STALE:
        it is not the published version, and the next revalidation comes after the backoff."""
        try:
            contents = read()
            if contents is None or not contents.models:
                return None
            snapshot = CatalogSnapshot.build(
                contents.version, contents.models, now=self._wall_clock()
            )
        except CatalogUnavailable as exc:
            logger.warning("the version it replaced cannot be served either: %s", exc)
            return None
        return ServedCatalog(snapshot, ServedFrom.STALE)

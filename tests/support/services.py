"""The API's services over test doubles: an in-memory catalog, fake keys, a clock tests move."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from apikeys.verifier import KeyVerifier
from catalog.cache import CatalogCache
from handler.deps import Services
from tests.support.http import DEV_KEY
from tests.support.memory_store import InMemoryCatalogStore

if TYPE_CHECKING:
    from apikeys.store import KeyLookup
    from catalog.snapshot import CatalogSnapshot
    from catalog.store import CatalogReader


def memory_catalog(docs: list[dict[str, Any]]) -> InMemoryCatalogStore:
    """An in-memory store with `docs` published, in this order, as version 1."""
    store = InMemoryCatalogStore()
    store.publish(docs)
    return store


def make_services(
    catalog: CatalogReader | None = None,
    *,
    keys: KeyLookup | None = None,
    dev_key: str | None = DEV_KEY,
    ttl: float = 60.0,
    clock: Callable[[], float] = time.monotonic,
    wall_clock: Callable[[], float] = time.time,
) -> Services:
    """Services over these stores (None: bundled catalog, no keys table), on one clock; the
    lifecycle statuses are served at `wall_clock` (epoch seconds)."""
    return Services(
        CatalogCache(catalog, ttl=ttl, clock=clock, wall_clock=wall_clock),
        KeyVerifier(keys, dev_key=dev_key, clock=clock),
    )


def broken_services() -> Services:
    """Services whose catalog raises something unexpected (ZeroDivisionError "boom") on every
    request: how a bug of ours reaches a client."""

    def broken_catalog() -> CatalogSnapshot:
        raise ZeroDivisionError("boom")

    return Services(
        CatalogCache(None, bundled_snapshot=broken_catalog, ttl=60),
        KeyVerifier(None, dev_key=DEV_KEY),
    )

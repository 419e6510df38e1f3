"""The curated catalog packaged with the code: the source of the sync and the last fallback."""

from __future__ import annotations

import time
from functools import cache
from pathlib import Path

from catalog.document import parse_catalog_json
from catalog.schema import Model
from catalog.snapshot import CatalogSnapshot

BUNDLED_CATALOG_PATH = Path(__file__).with_name("models.json")

# The bundled catalog is not published anywhere, so it has no version of its own.
BUNDLED_VERSION = 0


@cache
def bundled_models() -> tuple[Model, ...]:
    """The packaged catalog. Read once per process: it cannot change while we run."""
    return tuple(
        parse_catalog_json(BUNDLED_CATALOG_PATH.read_bytes(), origin=str(BUNDLED_CATALOG_PATH))
    )


@cache
def bundled_snapshot() -> CatalogSnapshot:
    """The packaged catalog, serialised once per process, its statuses those of the moment it
    is built (the cache serves it rebuilt at the next lifecycle date, `valid_until`)."""
    return CatalogSnapshot.build(BUNDLED_VERSION, bundled_models(), now=time.time())

"""The curated catalog packaged with the code: the source of the sync and the last fallback."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from catalog.schema import Model, parse_catalog
from catalog.snapshot import CatalogSnapshot

BUNDLED_CATALOG_PATH = Path(__file__).with_name("models.json")

# The bundled catalog is not published anywhere, so it has no version of its own.
BUNDLED_VERSION = 0


def load_catalog_file(path: Path) -> list[Model]:
    """Read and validate a catalog file (raises InvalidCatalog listing every problem)."""
    return parse_catalog(json.loads(path.read_text(encoding="utf-8")))


@cache
def bundled_models() -> tuple[Model, ...]:
    """The packaged catalog. Read once per process: it cannot change while we run."""
    return tuple(load_catalog_file(BUNDLED_CATALOG_PATH))


@cache
def bundled_snapshot() -> CatalogSnapshot:
    """The packaged catalog, serialised once per process."""
    return CatalogSnapshot.build(BUNDLED_VERSION, bundled_models())

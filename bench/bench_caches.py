"""Benchmark of the per-snapshot caches' memory: one client walking 17,000 distinct filter queries
(`owned_by` x `capability` x `status` x `min_context_length`) on a 1,000-model catalog, each
answered in both encodings (plain and gzip) and in both dialects (an OpenAI list, an Anthropic
page of up to 1,000), as a client with a valid key could. Issue 18 measured 845 MB after 56 s
of such a walk before the caches had a byte bound.

Run: .venv/bin/python bench/bench_caches.py [--unbounded]
`--unbounded` lifts the bounds (what the caches held before them), for comparison. Figures go in
README's "Reliability" section. Not a test: nothing here asserts a time (the walk takes minutes
under tracemalloc on a shared machine).
"""

from __future__ import annotations

import argparse
import itertools
import random
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))

import catalog.anthropic  # noqa: E402 - needs the path above
import catalog.snapshot  # noqa: E402
from catalog.cache_bounds import FILTERED_LISTS_BYTES, SELECTIONS_BYTES  # noqa: E402
from catalog.schema import CAPABILITY_NAMES, LIFECYCLE_STATUSES, Model  # noqa: E402
from catalog.snapshot import CatalogSnapshot  # noqa: E402

MODELS = 1_000
QUERIES = 17_000
PROVIDERS = [f"provider-{index}" for index in range(12)]
MB = 2**20


def catalog_of(n: int) -> list[Model]:
    """`n` models about the size of the bundled ones, varied in every filtered field."""
    rng = random.Random(n)  # noqa: S311 - a reproducible catalog, not a secret
    models = []
    for index in range(n):
        deprecated = rng.random() < 0.3
        retired = deprecated and rng.random() < 0.5
        lifecycle: dict[str, Any] = {}
        if deprecated:
            lifecycle = {"deprecated_at": "2025-01-01"}
            if retired:
                lifecycle["shutdown_at"] = "2025-06-01"
        doc: dict[str, Any] = {
            "id": f"model-{index:04}",
            "created": rng.randrange(1_600_000_000, 1_760_000_000),
            "owned_by": rng.choice(PROVIDERS),
            "context_length": rng.randrange(4, 400) * 1_000,
            "display_name": f"Model {index:04}",
            "capabilities": {name: rng.random() < 0.6 for name in CAPABILITY_NAMES},
            "modalities": {"input": ["text", "image"], "output": ["text"]},
        }
        if lifecycle:
            doc["lifecycle"] = lifecycle
        models.append(Model.model_validate(doc))
    return models


def queries(snapshot: CatalogSnapshot, n: int) -> list[tuple[Any, ...]]:
    """`n` distinct filter combinations, as normalised keys, in a random order."""
    capability_sets = [
        combo for size in range(3) for combo in itertools.combinations(CAPABILITY_NAMES, size)
    ]
    status_sets = [
        combo for size in (1, 2) for combo in itertools.combinations(LIFECYCLE_STATUSES, size)
    ]
    lengths = snapshot.context_lengths[1::3]
    every = list(itertools.product([None, *PROVIDERS], capability_sets, status_sets, lengths))
    random.Random(0).shuffle(every)  # noqa: S311 - a reproducible order
    assert len(every) >= n, len(every)
    return every[:n]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--unbounded", action="store_true", help="lift the caches' bounds")
    args = parser.parse_args()
    if args.unbounded:
        catalog.snapshot.FILTERED_LISTS_BYTES = 2**62  # type: ignore[attr-defined]
        catalog.anthropic.SELECTIONS_BYTES = 2**62  # type: ignore[attr-defined]
        catalog.anthropic.PAGE_CACHE_BYTES = 2**62

    snapshot = CatalogSnapshot.build(1, catalog_of(MODELS), now=time.time())
    walk = queries(snapshot, QUERIES)
    view = snapshot.anthropic
    tracemalloc.start()
    baseline = tracemalloc.get_traced_memory()[0]
    started = time.perf_counter()
    for owned_by, capabilities, statuses, floor in walk:
        body = snapshot.list_body_for(owned_by, capabilities, statuses, floor)
        body.gzipped()
        page = snapshot.anthropic_page(owned_by, capabilities, statuses, floor, limit=1000)
        page.gzipped()
    elapsed = time.perf_counter() - started
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    filtered, selections, pages = snapshot._filtered, view._selections, view._pages
    bound = filtered.max_bytes + selections.max_bytes + pages.max_bytes
    print(
        f"{QUERIES:,} distinct filter queries on {MODELS:,} models, both encodings, both dialects"
    )
    print(f"  walked in {elapsed:.1f} s (under tracemalloc)")
    print(f"  {'cache':<28}{'entries':>8}{'held MB':>10}{'bound MB':>10}")
    for name, cache in (
        ("filtered lists (+ gzip)", filtered),
        ("Anthropic selections", selections),
        ("Anthropic pages (+ gzip)", pages),
    ):
        shown = "none" if cache.max_bytes > 2**40 else f"{cache.max_bytes / MB:.0f}"
        print(f"  {name:<28}{len(cache):>8,}{cache.size / MB:>10.1f}{shown:>10}")
    print(f"  memory traced above the built snapshot: now {(current - baseline) / MB:.1f} MB, ")
    print(f"  at peak {(peak - baseline) / MB:.1f} MB (the caches' bounds: {bound / MB:.0f} MB)")
    print(f"  defaults: FILTERED_LISTS_BYTES={FILTERED_LISTS_BYTES // MB} MiB, ", end="")
    print(f"SELECTIONS_BYTES={SELECTIONS_BYTES // MB} MiB, ", end="")
    print(f"PAGE_CACHE_BYTES={catalog.anthropic.PAGE_CACHE_BYTES // MB} MiB")


if __name__ == "__main__":
    main()

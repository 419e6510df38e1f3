"""The bounds of a snapshot's caches, and how their entries are measured, in bytes.

Every per-snapshot cache (the filtered list bodies, the Anthropic view's selections and pages)
is the one LRU (awsclients/bounded_cache.py) bounded by bytes: their keys are bounded by what
the catalog holds, but a client walking every filter combination of a large catalog would
otherwise keep a body for each, hundreds of MB. What is evicted is rebuilt on demand, the same
bytes.
"""

from __future__ import annotations

from typing import Any

from awsclients.bounded_cache import BoundedCache
from catalog.body import Body

# The bounds of each snapshot's caches (README, "Reliability"). A filtered list is at most the
# whole list (4 MiB, catalog.limits.MAX_LIST_BYTES) and its gzip copy: the largest fit twice.
FILTERED_LISTS_BYTES = 16 * 2**20
# The Anthropic view's selections: the positions a filter selects, ~36 bytes each (a tuple slot
# and its int): 2 MiB holds about 5 selections of every model of a 10,000-model catalog.
SELECTIONS_BYTES = 2 * 2**20


def body_cache(max_bytes: int) -> BoundedCache[Any, Body]:
    """A cache of response bodies, each counted with its gzip encoding once made."""
    return BoundedCache(max_bytes, size_of=_held_bytes)


def positions_bytes(positions: tuple[int, ...]) -> int:
    """What a tuple of positions holds: the tuple (56 bytes and 8 a slot) and its ints (28)."""
    return 56 + 36 * len(positions)


def _held_bytes(body: Body) -> int:
    return body.held_bytes

"""A cache bounded by bytes: entries least recently used first, evicted past the bound.

Every per-snapshot cache uses it (the filtered list bodies, the Anthropic view's selections and
pages): their keys are bounded by what the catalog holds, but a client walking every filter
combination of a large catalog would otherwise keep a body for each, hundreds of MB. What is
evicted is rebuilt on demand, the same bytes.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

from catalog.body import Body

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class BoundedCache(Generic[K, V]):
    """Values by key, bounded by their total size (`size_of`, in bytes), least recently used
    evicted first.

    An entry is measured when kept, and again whenever it is found: a value that grows after it
    was kept (a body whose gzip encoding is made on first use) is accounted for at its next use,
    and the oldest entries make way. Not thread-safe, as the snapshot it belongs to.
    """

    def __init__(self, max_bytes: int, *, size_of: Callable[[V], int]) -> None:
        if max_bytes < 0:
            raise ValueError("max_bytes must be >= 0")
        self.max_bytes = max_bytes
        self.size = 0
        self._size_of = size_of
        self._entries: OrderedDict[K, tuple[V, int]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def get(self, key: K) -> V | None:
        """The value kept under `key` (now the most recent), or None."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        value, counted = entry
        self._entries.move_to_end(key)
        size = self._size_of(value)
        if size != counted:
            self._entries[key] = (value, size)
            self.size += size - counted
            self._evict()
        return value

    def keep(self, key: K, value: V) -> V:
        """Keep `value` under `key` (unless it alone is over the bound), evicting the least
        recently used entries to make room; returns `value`."""
        size = self._size_of(value)
        if size > self.max_bytes:
            return value
        previous = self._entries.pop(key, None)
        if previous is not None:
            self.size -= previous[1]
        self._entries[key] = (value, size)
        self.size += size
        self._evict()
        return value

    def _evict(self) -> None:
        """Drop the least recently used entries until the total is within the bound (the one
        just used too, if it alone has grown past it: its caller still has the value)."""
        while self.size > self.max_bytes:
            _, (_, size) = self._entries.popitem(last=False)
            self.size -= size


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

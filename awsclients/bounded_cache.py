"""The one LRU cache, bounded by size: entries least recently used first, evicted past the bound.

Every cache of the request path uses it: each catalog snapshot's (the filtered list bodies, the
Anthropic view's selections and pages, bounded by bytes: catalog/cache_bounds.py), the key
verifier's verdicts and the API's parsed list queries (bounded by count: a size of 1 each).
Their keys come from clients: without a bound, a client walking every filter combination of a
large catalog, or a flood of made-up keys, would keep an entry for each.

Here, beside the backoff (awsclients/backoff.py) and for the same reason: both domains use it,
and this is the one package both import that imports neither of them.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def one(_value: object) -> int:
    """`size_of` for a cache bounded by its number of entries."""
    return 1


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
        value = self.peek(key)
        if value is not None:
            self.touch(key)
        return value

    def peek(self, key: K) -> V | None:
        """The value kept under `key`, or None, leaving the order as it is (a caller that may
        find it too old to use touches it only if it does)."""
        entry = self._entries.get(key)
        return None if entry is None else entry[0]

    def touch(self, key: K) -> None:
        """Mark `key` as the most recently used, measuring its value again (a value that grew
        since it was kept is counted now, and the oldest entries make way)."""
        entry = self._entries.get(key)
        if entry is None:
            return
        value, counted = entry
        self._entries.move_to_end(key)
        size = self._size_of(value)
        if size != counted:
            self._entries[key] = (value, size)
            self.size += size - counted
            self._evict()

    def discard(self, key: K) -> None:
        """Forget `key`, if kept."""
        entry = self._entries.pop(key, None)
        if entry is not None:
            self.size -= entry[1]

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

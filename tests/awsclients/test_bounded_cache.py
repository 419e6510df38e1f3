"""awsclients/bounded_cache.py: the one LRU, bounded by size (bytes, or a count of entries)."""

from __future__ import annotations

from awsclients.bounded_cache import BoundedCache, one


def test_its_size_stays_within_its_bound_whatever_the_sizes() -> None:
    cache: BoundedCache[int, bytes] = BoundedCache(100, size_of=len)
    for index, size in enumerate([60, 30, 50, 100, 1, 99, 40, 40, 40, 60]):
        cache.keep(index % 4, b"x" * size)  # keys come back: a value replaced is not counted twice
        assert cache.size <= 100
        assert cache.size == sum(
            len(value) for key in range(4) if (value := cache.get(key)) is not None
        )


def test_peek_leaves_the_order_and_touch_makes_an_entry_the_most_recent() -> None:
    cache: BoundedCache[str, int] = BoundedCache(2, size_of=one)
    cache.keep("a", 1)
    cache.keep("b", 2)
    assert cache.peek("a") == 1  # looked at, not used: still the oldest
    cache.keep("c", 3)
    assert (cache.peek("a"), cache.peek("b"), cache.peek("c")) == (None, 2, 3)
    cache.touch("b")  # used: now "c" is the oldest
    cache.keep("d", 4)
    assert (cache.peek("b"), cache.peek("c"), cache.peek("d")) == (2, None, 4)
    cache.touch("missing")  # nothing to touch: no error, nothing kept
    assert len(cache) == 2


def test_discard_forgets_an_entry_and_its_size() -> None:
    cache: BoundedCache[str, bytes] = BoundedCache(100, size_of=len)
    cache.keep("a", b"x" * 40)
    cache.keep("b", b"y" * 50)
    cache.discard("a")
    cache.discard("never kept")
    assert ("a" in cache, "b" in cache, cache.size) == (False, True, 50)
    cache.keep("c", b"z" * 50)  # fits only because "a" no longer counts
    assert ("b" in cache, "c" in cache, cache.size) == (True, True, 100)


def test_a_cache_bounded_by_count_keeps_that_many_entries() -> None:
    cache: BoundedCache[int, str] = BoundedCache(3, size_of=one)
    for n in range(10):
        cache.keep(n, "x" * n)  # sizes do not matter: each entry counts 1
    assert [n for n in range(10) if n in cache] == [7, 8, 9]
    assert (len(cache), cache.size) == (3, 3)
    empty: BoundedCache[int, str] = BoundedCache(0, size_of=one)
    assert empty.keep(1, "x") == "x"  # served, never kept
    assert len(empty) == 0

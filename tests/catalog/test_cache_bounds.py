"""The snapshot caches' bounds and measures: bodies counted with their gzip copies."""

from __future__ import annotations

from catalog.body import Body
from catalog.cache_bounds import body_cache


def test_it_evicts_the_least_recently_used_first() -> None:
    cache = body_cache(25)
    a, b, c = (Body.of_bytes(bytes([letter]) * 10) for letter in b"abc")
    assert cache.keep("a", a) is a
    cache.keep("b", b)
    assert cache.get("a") is a  # a is now the most recent
    cache.keep("c", c)
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (a, None, c)
    assert (len(cache), cache.size) == (2, 20)
    big = Body.of_bytes(b"x" * 26)
    assert cache.keep("big", big) is big  # served, not kept
    assert cache.get("big") is None
    assert (len(cache), cache.size) == (2, 20)  # nothing kept made way for it


def test_a_body_s_gzip_copy_counts_once_made_and_the_oldest_make_way() -> None:
    """A body's gzip encoding is made after it was kept (by the first gzip request): its bytes
    are counted at the body's next use, and the least recently used bodies go."""
    text = b'{"object":"list","data":[' + b'{"id":"m"},' * 400 + b'{"id":"m"}]}'
    cache = body_cache(3 * len(text) + 3)
    first, second, third = (Body.of_bytes(text + b" " * n) for n in range(3))
    for index, body in enumerate((first, second, third)):
        cache.keep(index, body)
    assert cache.size == sum(len(body.content) for body in (first, second, third))
    gzipped = third.gzipped()
    assert gzipped is not None
    assert cache.get(2) is third
    assert cache.size == third.held_bytes + len(second.content) <= cache.max_bytes
    assert (cache.get(0), cache.get(1)) == (None, second)  # the oldest made way

"""The read cache: no I/O while fresh, O(1) revalidation, re-read on change, degrade on failure."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from catalog.cache import CatalogCache, CatalogSource
from catalog.dynamodb import DynamoDBCatalogStore
from catalog.errors import CatalogUnavailable
from catalog.store import CatalogContents
from tests.factories import CallCounter, FakeClock, make_model, model_doc, publish

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

    from catalog.schema import Model


class FakeStore:
    """A store whose contents and failures tests control; it counts every call."""

    def __init__(self, version: int | None, models: list[Model]) -> None:
        self.version = version
        self.models = models
        self.failing = False
        self.calls: list[str] = []

    def read_version(self) -> int | None:
        self.calls.append("read_version")
        if self.failing:
            raise CatalogUnavailable("throttled")
        return self.version

    def read_catalog(self, *, version: int | None = None) -> CatalogContents | None:
        self.calls.append("read_catalog" if version is None else f"read_catalog({version})")
        if self.failing:
            raise CatalogUnavailable("throttled")
        return None if self.version is None else CatalogContents(self.version, self.models)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(now=1000.0)


@pytest.fixture
def store() -> FakeStore:
    return FakeStore(1, [make_model("one")])


def served_ids(cache: CatalogCache) -> list[str]:
    return [model.id for model in cache.current().snapshot.models]


def test_fresh_cache_does_no_io(store: FakeStore, clock: FakeClock) -> None:
    cache = CatalogCache(store, ttl=60, clock=clock)
    first = cache.current()
    for _ in range(100):
        clock.now += 0.5
        assert cache.current().snapshot is first.snapshot
    assert store.calls == ["read_catalog"]
    assert first.source is CatalogSource.DYNAMODB


def test_expired_ttl_with_same_version_costs_one_version_read(
    store: FakeStore, clock: FakeClock
) -> None:
    cache = CatalogCache(store, ttl=60, clock=clock)
    snapshot = cache.current().snapshot
    clock.now += 60
    assert cache.current().snapshot is snapshot  # same object: nothing rebuilt
    assert store.calls == ["read_catalog", "read_version"]
    clock.now += 30
    cache.current()
    assert store.calls == ["read_catalog", "read_version"]  # extended by a full TTL


def test_new_version_is_read_and_served_after_ttl(store: FakeStore, clock: FakeClock) -> None:
    cache = CatalogCache(store, ttl=60, clock=clock)
    assert served_ids(cache) == ["one"]
    store.version, store.models = 2, [make_model("one"), make_model("two")]
    clock.now += 59
    assert served_ids(cache) == ["one"]
    clock.now += 1
    assert served_ids(cache) == ["one", "two"]
    assert cache.current().snapshot.version == 2
    # The version read by the revalidation is handed on, not read a second time.
    assert store.calls == ["read_catalog", "read_version", "read_catalog(2)"]


def test_failure_before_any_read_serves_bundled(store: FakeStore, clock: FakeClock) -> None:
    store.failing = True
    cache = CatalogCache(store, ttl=60, clock=clock)
    view = cache.current()
    assert view.source is CatalogSource.BUNDLED
    assert "gpt-4o" in view.snapshot.model_bodies


def test_failure_after_a_read_serves_stale_then_recovers(
    store: FakeStore, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    cache = CatalogCache(store, ttl=60, failure_backoff=5, clock=clock)
    good = cache.current().snapshot
    store.failing = True
    clock.now += 60
    view = cache.current()
    assert (view.source, view.snapshot) == (CatalogSource.STALE, good)
    assert "serving cached version 1" in caplog.text
    calls = len(store.calls)
    clock.now += 4
    cache.current()
    assert len(store.calls) == calls  # backing off: no call on every request
    store.failing = False
    clock.now += 1
    assert cache.current().source is CatalogSource.DYNAMODB


def test_empty_table_serves_bundled_until_a_catalog_is_published(
    clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    store = FakeStore(None, [])
    cache = CatalogCache(store, ttl=60, clock=clock)
    assert cache.current().source is CatalogSource.BUNDLED
    assert "no published catalog" in caplog.text
    store.version, store.models = 1, [make_model("published")]
    clock.now += 60
    assert served_ids(cache) == ["published"]


def test_a_version_with_no_valid_model_serves_bundled(clock: FakeClock) -> None:
    cache = CatalogCache(FakeStore(4, []), ttl=60, clock=clock)
    assert cache.current().source is CatalogSource.BUNDLED


def test_without_a_store_the_bundled_catalog_is_served_without_io(clock: FakeClock) -> None:
    cache = CatalogCache(None, ttl=60, clock=clock)
    view = cache.current()
    clock.now += 10_000
    assert cache.current() is view
    assert view.source is CatalogSource.BUNDLED


def test_negative_ttl_is_refused() -> None:
    with pytest.raises(ValueError, match="ttl"):
        CatalogCache(None, ttl=-1)


def test_revalidation_against_dynamodb_is_one_get_item(
    dynamodb: DynamoDBClient, models_table: str, clock: FakeClock
) -> None:
    """Counted on the wire (moto): what the warm path really costs."""
    publish(dynamodb, models_table, [model_doc("a"), model_doc("b")])
    operations = CallCounter(dynamodb).calls
    cache = CatalogCache(DynamoDBCatalogStore(models_table, client=dynamodb), ttl=60, clock=clock)
    cache.current()
    assert operations == ["GetItem", "Query"]
    for _ in range(50):
        cache.current()
    clock.now += 61
    cache.current()
    assert operations == ["GetItem", "Query", "GetItem"]
    publish(dynamodb, models_table, [model_doc("a")])
    operations.clear()
    clock.now += 61
    assert served_ids(cache) == ["a"]
    assert operations == ["GetItem", "Query"]  # the version is read once, not twice

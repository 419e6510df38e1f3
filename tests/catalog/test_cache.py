"""The read cache: no I/O while fresh, O(1) revalidation, re-read on change, degrade on failure.

Against the store port in memory, but for the last test: what revalidation costs on the wire.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from catalog.bundled import bundled_snapshot
from catalog.cache import CatalogCache, ServedFrom
from catalog.dynamodb import DynamoDBCatalogStore
from tests.support.factories import model_doc, publish
from tests.support.fakes import CallCounter, FakeClock
from tests.support.memory_store import InMemoryCatalogStore

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

    from awsclients import AwsClients
    from catalog.snapshot import CatalogSnapshot


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(now=1000.0)


@pytest.fixture
def store() -> InMemoryCatalogStore:
    store = InMemoryCatalogStore()
    store.publish([model_doc("one")])
    return store


def served_ids(cache: CatalogCache) -> list[str]:
    return [model.id for model in cache.current().snapshot.models]


def test_fresh_cache_does_no_io(store: InMemoryCatalogStore, clock: FakeClock) -> None:
    cache = CatalogCache(store, ttl=60, clock=clock)
    first = cache.current()
    for _ in range(100):
        clock.now += 0.5
        assert cache.current().snapshot is first.snapshot
    assert store.calls == ["read_catalog"]
    assert first.served_from is ServedFrom.DYNAMODB
    assert (first.snapshot.version, served_ids(cache)) == (1, ["one"])


def test_expired_ttl_with_same_version_costs_one_version_read(
    store: InMemoryCatalogStore, clock: FakeClock
) -> None:
    cache = CatalogCache(store, ttl=60, clock=clock)
    snapshot = cache.current().snapshot
    clock.now += 60
    assert cache.current().snapshot is snapshot  # same object: nothing rebuilt
    assert store.calls == ["read_catalog", "read_version"]
    clock.now += 30
    cache.current()
    assert store.calls == ["read_catalog", "read_version"]  # extended by a full TTL


def test_new_version_is_read_and_served_after_ttl(
    store: InMemoryCatalogStore, clock: FakeClock
) -> None:
    cache = CatalogCache(store, ttl=60, clock=clock)
    assert served_ids(cache) == ["one"]
    assert store.publish([model_doc("one"), model_doc("two")]) == 2
    clock.now += 59
    assert served_ids(cache) == ["one"]
    clock.now += 1
    assert served_ids(cache) == ["one", "two"]
    assert cache.current().snapshot.version == 2
    assert store.calls == ["read_catalog", "read_version", "read_catalog"]
    # The version read by the revalidation is handed on, not read a second time.
    assert store.catalog_reads == [None, 2]


def test_failure_before_any_read_serves_bundled(
    store: InMemoryCatalogStore, clock: FakeClock
) -> None:
    store.unavailable = True
    cache = CatalogCache(store, ttl=60, clock=clock)
    served = cache.current()
    assert served.served_from is ServedFrom.BUNDLED
    assert "gpt-4o" in served.snapshot.model_bodies


def test_failure_after_a_read_serves_stale_then_recovers(
    store: InMemoryCatalogStore, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    cache = CatalogCache(store, ttl=60, failure_backoff=5, clock=clock)
    good = cache.current().snapshot
    store.unavailable = True
    clock.now += 60
    served = cache.current()
    assert (served.served_from, served.snapshot) == (ServedFrom.STALE, good)
    assert "serving cached version 1" in caplog.text
    calls = len(store.calls)
    clock.now += 4
    cache.current()
    assert len(store.calls) == calls  # backing off: no call on every request
    store.unavailable = False
    clock.now += 1
    assert cache.current().served_from is ServedFrom.DYNAMODB


def test_empty_store_serves_bundled_until_a_catalog_is_published(
    clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    store = InMemoryCatalogStore()
    cache = CatalogCache(store, ttl=60, clock=clock)
    assert cache.current().served_from is ServedFrom.BUNDLED
    assert "no published catalog" in caplog.text
    store.publish([model_doc("published")])
    clock.now += 60
    assert served_ids(cache) == ["published"]
    assert cache.current().served_from is ServedFrom.DYNAMODB


def test_the_bundled_catalog_is_not_rebuilt_while_the_store_stays_empty(clock: FakeClock) -> None:
    built: list[CatalogSnapshot] = []

    def bundled() -> CatalogSnapshot:
        built.append(bundled_snapshot())
        return built[-1]

    store = InMemoryCatalogStore()
    cache = CatalogCache(store, bundled_snapshot=bundled, ttl=60, clock=clock)
    first = cache.current()
    clock.now += 60
    assert cache.current() is first
    assert store.calls == ["read_catalog", "read_catalog"]  # revalidated, found nothing again
    assert len(built) == 1


def test_a_version_with_no_valid_model_serves_bundled(
    clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    store = InMemoryCatalogStore()
    store.publish([{"id": "broken"}], version=4)
    cache = CatalogCache(store, ttl=60, clock=clock)
    assert cache.current().served_from is ServedFrom.BUNDLED
    assert "catalog version 4 has no valid model" in caplog.text


def test_without_a_store_the_bundled_catalog_is_served_without_io(clock: FakeClock) -> None:
    cache = CatalogCache(None, ttl=60, clock=clock)
    served = cache.current()
    clock.now += 10_000
    assert cache.current() is served
    assert served.served_from is ServedFrom.BUNDLED


def test_negative_ttl_is_refused() -> None:
    with pytest.raises(ValueError, match="ttl"):
        CatalogCache(None, ttl=-1)


def test_revalidation_against_dynamodb_is_one_get_item(
    aws: AwsClients, dynamodb: DynamoDBClient, models_table: str, clock: FakeClock
) -> None:
    """Counted on the wire (moto): what the warm path really costs."""
    publish(dynamodb, models_table, [model_doc("a"), model_doc("b")])
    operations = CallCounter(dynamodb).calls
    cache = CatalogCache(
        DynamoDBCatalogStore(models_table, dynamodb=aws.dynamodb), ttl=60, clock=clock
    )
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

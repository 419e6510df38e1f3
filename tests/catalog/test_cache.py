"""The read cache: no I/O while fresh, O(1) revalidation, re-read on change, degrade on failure.

Against the store port in memory, but for the last test: what revalidation costs on the wire.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from catalog.bundled import bundled_snapshot
from catalog.cache import CatalogCache, ServedFrom
from catalog.dynamodb import DynamoDBCatalogStore
from catalog.errors import CatalogUnavailable
from catalog.store import CatalogContents
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


@pytest.mark.parametrize("first_read", [True, False], ids=["at-first-read", "after-a-good-one"])
def test_a_version_that_cannot_be_served_is_not_read_again_until_a_new_one(
    store: InMemoryCatalogStore,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
    first_read: bool,
) -> None:
    """A version too large to serve fails the same way every time: after the first try the
    cache reads only the version number (one GetItem), never the contents again, and serves
    what it served (stale, or bundled when nothing was read yet) until a new version."""
    cache = CatalogCache(store, ttl=60, failure_backoff=5, clock=clock)
    if not first_read:
        cache.current()
        clock.now += 60
    store.publish([model_doc("one"), model_doc("two"), model_doc("three")])
    monkeypatch.setattr("catalog.snapshot.MAX_LIST_BYTES", 200)  # version 2 is too large
    store.calls.clear()
    served = cache.current()
    assert served.served_from is (ServedFrom.BUNDLED if first_read else ServedFrom.STALE)
    assert store.calls.count("read_catalog") == 1
    tried = len(store.calls)
    for _ in range(10):  # ten backoffs
        clock.now += 5
        assert cache.current().served_from is served.served_from
    assert store.calls[tried:] == ["read_version"] * 10
    store.publish([model_doc("one")])  # version 3: servable
    clock.now += 5
    fixed = cache.current()
    assert (fixed.served_from, fixed.snapshot.version) == (ServedFrom.DYNAMODB, 3)
    assert store.calls.count("read_catalog") == 2


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


class HangingStore:
    """A store whose every call hangs for `hang` seconds of the clock, then fails."""

    def __init__(self, clock: FakeClock, hang: float) -> None:
        self.clock = clock
        self.hang = hang
        self.calls = 0

    def _fail(self) -> None:
        self.calls += 1
        self.clock.now += self.hang
        raise CatalogUnavailable("read timed out")

    def read_version(self) -> int | None:
        self._fail()
        return None  # pragma: no cover - never reached

    def read_catalog(self, *, version: int | None = None) -> CatalogContents | None:
        self._fail()
        return None  # pragma: no cover - never reached


def test_the_failure_backoff_counts_from_the_end_of_the_failed_read(clock: FakeClock) -> None:
    """A read that hangs for its whole budget must not leave a backoff that already ran out."""
    store = HangingStore(clock, hang=1.4)
    cache = CatalogCache(store, ttl=60, failure_backoff=5, clock=clock)
    assert cache.current().served_from is ServedFrom.BUNDLED
    assert store.calls == 1
    failed_at = clock.now  # the end of the failed read
    clock.now = failed_at + 4.9  # counted from the start, the backoff would be over
    for _ in range(100):
        cache.current()
    assert store.calls == 1
    clock.now = failed_at + 5
    cache.current()
    assert store.calls == 2


def test_every_revalidation_is_reported_with_what_it_serves(
    store: InMemoryCatalogStore, clock: FakeClock
) -> None:
    seen: list[ServedFrom] = []
    cache = CatalogCache(
        store, ttl=60, clock=clock, on_revalidated=lambda served: seen.append(served.served_from)
    )
    cache.current()
    cache.current()  # fresh: no revalidation, nothing reported
    store.unavailable = True
    clock.now += 60
    cache.current()
    store.unavailable = False
    clock.now += 60
    cache.current()
    assert seen == [ServedFrom.DYNAMODB, ServedFrom.STALE, ServedFrom.DYNAMODB]


def test_without_a_store_nothing_is_reported(clock: FakeClock) -> None:
    seen: list[object] = []
    CatalogCache(None, ttl=60, clock=clock, on_revalidated=seen.append).current()
    assert seen == []


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
    assert operations == ["GetItem", "BatchGetItem"]
    for _ in range(50):
        cache.current()
    clock.now += 61
    cache.current()
    assert operations == ["GetItem", "BatchGetItem", "GetItem"]
    publish(dynamodb, models_table, [model_doc("a")])
    operations.clear()
    clock.now += 61
    assert served_ids(cache) == ["a"]
    assert operations == ["GetItem", "BatchGetItem"]  # the pointer is read once, not twice


def test_a_snapshot_built_at_another_moment_is_served_with_the_statuses_of_now() -> None:
    """The bundled snapshot is built once per process (at init, or by an earlier test): a cache
    whose clock reads another date serves that date's statuses, not the build's."""
    jan_1_2024 = 1704067200.0
    served = CatalogCache(None, ttl=60, wall_clock=lambda: jan_1_2024).current()
    body = json.loads(served.snapshot.list_body.content)
    # Every model was active then (those released later too: the catalog holds no history).
    assert {model.get("lifecycle", {}).get("status") for model in body["data"]} <= {"active", None}
    assert len(body["data"]) == len(served.snapshot.models)

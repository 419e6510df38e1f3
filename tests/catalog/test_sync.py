"""The catalog sync against moto: publish, diff, guard, partial failures, races, announcements."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pytest
from botocore.exceptions import ClientError

from catalog.bundled import bundled_models
from catalog.dynamodb import DynamoDBCatalogStore
from catalog.errors import CatalogUnavailable, EventPublishFailed, RemovalRefused, VersionConflict
from catalog.schema import Model
from catalog.store import StoredEntry
from catalog.sync import CatalogSync, diff_entries
from tests.factories import CallCounter, make_model

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

SOURCE = "test"


class RecordingPublisher:
    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    def publish(self, detail: Mapping[str, Any]) -> None:
        self.events.append(dict(detail))


class FailingPublisher:
    def publish(self, detail: Mapping[str, Any]) -> None:
        raise EventPublishFailed("bus is gone")


def catalog_of(n: int) -> list[Model]:
    return [make_model(f"model-{i:02}", context_length=1000 + i) for i in range(n)]


def published(client: DynamoDBClient, table: str) -> tuple[int | None, list[Model]]:
    """What an API container would read now: version and models in order."""
    contents = DynamoDBCatalogStore(table, client=client).read_catalog()
    return (None, []) if contents is None else (contents.version, contents.models)


@pytest.fixture
def store(dynamodb: DynamoDBClient, models_table: str) -> DynamoDBCatalogStore:
    return DynamoDBCatalogStore(models_table, client=dynamodb, sleep=lambda _: None)


@pytest.fixture
def calls(dynamodb: DynamoDBClient) -> CallCounter:
    return CallCounter(dynamodb)


def test_first_publish_writes_every_model_and_version_1(
    store: DynamoDBCatalogStore, dynamodb: DynamoDBClient, models_table: str, calls: CallCounter
) -> None:
    models = list(bundled_models())
    report = CatalogSync(store).run(models, source="bundled")
    assert report.added == [m.id for m in models]
    assert (report.updated, report.removed, report.unchanged) == ([], [], 0)
    assert (report.version, report.writes, report.dry_run) == (1, 8, False)
    assert calls.count("BatchWriteItem") == 1  # 8 puts fit one batch
    assert calls.count("UpdateItem") == 1
    version, served = published(dynamodb, models_table)
    assert version == 1
    assert served == models  # same documents, same curated order


def test_a_second_run_with_the_same_source_writes_nothing(
    store: DynamoDBCatalogStore, calls: CallCounter
) -> None:
    sync = CatalogSync(store, publisher=(publisher := RecordingPublisher()))
    sync.run(catalog_of(30), source=SOURCE)
    calls.reset()
    publisher.events.clear()

    report = sync.run(catalog_of(30), source=SOURCE)

    assert calls.writes == []  # counted on the wire: no BatchWrite, Put, Update or Delete
    assert calls.calls == ["GetItem", "Query"]  # one meta read, one page of items
    assert (report.added, report.updated, report.removed) == ([], [], [])
    assert (report.unchanged, report.version, report.writes) == (30, 1, 0)
    assert publisher.events == []


def test_more_than_25_changes_go_in_batches_of_25(
    store: DynamoDBCatalogStore, calls: CallCounter
) -> None:
    report = CatalogSync(store).run(catalog_of(60), source=SOURCE)
    assert report.writes == 60
    assert calls.count("BatchWriteItem") == 3  # 25 + 25 + 10


def test_changing_one_model_writes_one_item_and_advances_the_version(
    store: DynamoDBCatalogStore, dynamodb: DynamoDBClient, models_table: str, calls: CallCounter
) -> None:
    sync = CatalogSync(store)
    models = catalog_of(5)
    sync.run(models, source=SOURCE)
    calls.reset()

    models[2] = make_model("model-02", context_length=2_000_000)
    report = sync.run(models, source=SOURCE)

    assert (report.added, report.updated, report.removed) == ([], ["model-02"], [])
    assert (report.unchanged, report.writes, report.version) == (4, 1, 2)
    assert calls.writes == ["BatchWriteItem", "UpdateItem"]
    version, served = published(dynamodb, models_table)
    assert version == 2
    assert served[2].context_length == 2_000_000


def test_reordering_counts_as_an_update_and_is_served_in_the_new_order(
    store: DynamoDBCatalogStore, dynamodb: DynamoDBClient, models_table: str
) -> None:
    sync = CatalogSync(store)
    models = catalog_of(3)
    sync.run(models, source=SOURCE)
    report = sync.run([models[2], models[0], models[1]], source=SOURCE)
    assert sorted(report.updated) == ["model-00", "model-01", "model-02"]
    assert [m.id for m in published(dynamodb, models_table)[1]] == [
        "model-02",
        "model-00",
        "model-01",
    ]


def test_removing_a_model_within_the_guard_deletes_its_item(
    store: DynamoDBCatalogStore, dynamodb: DynamoDBClient, models_table: str
) -> None:
    sync = CatalogSync(store, max_remove_fraction=0.2)
    models = catalog_of(5)
    sync.run(models, source=SOURCE)
    report = sync.run(models[:4], source=SOURCE)  # 1 of 5 = 20%: allowed
    assert report.removed == ["model-04"]
    assert (report.writes, report.version) == (1, 2)
    assert [m.id for m in published(dynamodb, models_table)[1]] == [m.id for m in models[:4]]


def test_removal_guard_refuses_and_leaves_the_table_untouched(
    store: DynamoDBCatalogStore, dynamodb: DynamoDBClient, models_table: str, calls: CallCounter
) -> None:
    sync = CatalogSync(store, max_remove_fraction=0.2)
    models = catalog_of(10)
    sync.run(models, source=SOURCE)
    calls.reset()

    with pytest.raises(RemovalRefused) as refused:
        sync.run(models[:7], source=SOURCE)  # 3 of 10 = 30%

    assert "remove 3 of 10" in str(refused.value)
    assert "model-07, model-08, model-09" in str(refused.value)
    assert refused.value.removed == ["model-07", "model-08", "model-09"]
    assert calls.writes == []
    assert published(dynamodb, models_table) == (1, models)


def test_forced_removal_goes_through(
    store: DynamoDBCatalogStore, dynamodb: DynamoDBClient, models_table: str
) -> None:
    sync = CatalogSync(store, max_remove_fraction=0.2)
    models = catalog_of(10)
    sync.run(models, source=SOURCE)
    report = sync.run(models[:2], source=SOURCE, force=True)
    assert len(report.removed) == 8
    assert published(dynamodb, models_table) == (2, models[:2])


def test_an_empty_source_is_refused_unless_forced(
    store: DynamoDBCatalogStore, dynamodb: DynamoDBClient, models_table: str
) -> None:
    sync = CatalogSync(store, max_remove_fraction=1.0)  # even with no fraction limit
    sync.run(catalog_of(3), source=SOURCE)
    with pytest.raises(RemovalRefused, match="would empty the catalog"):
        sync.run([], source=SOURCE)
    assert len(published(dynamodb, models_table)[1]) == 3
    report = sync.run([], source=SOURCE, force=True)
    assert (len(report.removed), report.version) == (3, 2)
    assert published(dynamodb, models_table) == (2, [])


def test_dry_run_reports_the_change_and_writes_nothing(
    store: DynamoDBCatalogStore, dynamodb: DynamoDBClient, models_table: str, calls: CallCounter
) -> None:
    sync = CatalogSync(store, publisher=(publisher := RecordingPublisher()))
    models = catalog_of(5)
    sync.run(models, source=SOURCE)
    calls.reset()
    publisher.events.clear()

    changed = [make_model("model-00", owned_by="x"), *models[1:], make_model("model-new")]
    report = sync.run(changed, source=SOURCE, dry_run=True)

    assert report.dry_run is True
    assert (report.added, report.updated, report.removed) == (["model-new"], ["model-00"], [])
    assert (report.version, report.writes) == (1, 0)
    assert calls.writes == []
    assert publisher.events == []
    assert published(dynamodb, models_table) == (1, models)


def test_dry_run_on_an_empty_table_reports_no_version(store: DynamoDBCatalogStore) -> None:
    report = CatalogSync(store).run(catalog_of(2), source=SOURCE, dry_run=True)
    assert (report.added, report.version) == (["model-00", "model-01"], None)


def test_dry_run_applies_the_removal_guard_too(store: DynamoDBCatalogStore) -> None:
    sync = CatalogSync(store)
    sync.run(catalog_of(4), source=SOURCE)
    with pytest.raises(RemovalRefused):
        sync.run(catalog_of(1), source=SOURCE, dry_run=True)


def test_catalog_changed_event_lists_what_changed(store: DynamoDBCatalogStore) -> None:
    publisher = RecordingPublisher()
    sync = CatalogSync(store, publisher=publisher)
    models = catalog_of(5)
    sync.run(models, source="s3://bucket/models.json")
    report = sync.run(
        [make_model("model-00", context_length=7), *models[1:4], make_model("model-xl")],
        source="s3://bucket/models.json",
    )
    assert report.event_published is True
    assert publisher.events[-1] == {
        "version": 2,
        "source": "s3://bucket/models.json",
        "added": ["model-xl"],
        "updated": ["model-00"],
        "removed": ["model-04"],
    }


def test_an_undeliverable_event_fails_the_run_after_the_catalog_is_published(
    store: DynamoDBCatalogStore,
    dynamodb: DynamoDBClient,
    models_table: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with pytest.raises(EventPublishFailed):
        CatalogSync(store, publisher=FailingPublisher()).run(catalog_of(2), source=SOURCE)
    assert published(dynamodb, models_table)[0] == 1  # the catalog itself is right
    (logged,) = [r for r in caplog.records if r.levelname == "ERROR"]
    assert json.loads(logged.getMessage())["added"] == ["model-00", "model-01"]


def test_the_report_is_logged_as_one_json_line(
    store: DynamoDBCatalogStore, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO", logger="catalog.sync")
    report = CatalogSync(store).run(catalog_of(2), source=SOURCE)
    (line,) = [r.getMessage() for r in caplog.records if r.name == "catalog.sync"]
    assert "\n" not in line
    logged = json.loads(line)
    assert logged == report.to_dict()
    assert set(logged) >= {
        "source",
        "dry_run",
        "added",
        "updated",
        "removed",
        "unchanged",
        "version",
        "duration_ms",
    }
    assert isinstance(logged["duration_ms"], int)


class PartialBatches:
    """A DynamoDB client whose BatchWriteItem processes only `accept` requests per call and
    returns the rest as UnprocessedItems, as DynamoDB does under load."""

    def __init__(self, client: DynamoDBClient, accept: int) -> None:
        self._client = client
        self._accept = accept
        self.batch_sizes: list[int] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def batch_write_item(self, RequestItems: dict[str, list[Any]]) -> dict[str, Any]:
        ((table, requests),) = RequestItems.items()
        self.batch_sizes.append(len(requests))
        if self._accept:
            self._client.batch_write_item(RequestItems={table: requests[: self._accept]})
        rest = requests[self._accept :]
        return {"UnprocessedItems": {table: rest} if rest else {}}


def test_unprocessed_items_are_retried_with_backoff_until_done(
    dynamodb: DynamoDBClient, models_table: str
) -> None:
    client = PartialBatches(dynamodb, accept=10)
    sleeps: list[float] = []
    store = DynamoDBCatalogStore(models_table, client=client, sleep=sleeps.append)  # type: ignore[arg-type]
    models = catalog_of(25)
    report = CatalogSync(store).run(models, source=SOURCE)
    assert client.batch_sizes == [25, 15, 5]
    assert sleeps == sorted(sleeps)
    assert len(sleeps) == 2
    assert sleeps[0] > 0
    assert report.version == 1
    assert published(dynamodb, models_table) == (1, models)


def test_items_still_unprocessed_after_every_attempt_fail_the_run_loudly(
    dynamodb: DynamoDBClient, models_table: str
) -> None:
    store = DynamoDBCatalogStore(
        models_table,
        client=PartialBatches(dynamodb, accept=0),  # type: ignore[arg-type]
        sleep=lambda _: None,
        max_batch_attempts=3,
    )
    with pytest.raises(CatalogUnavailable, match="still unprocessed after 3 attempts"):
        CatalogSync(store).run(catalog_of(3), source=SOURCE)
    assert published(dynamodb, models_table) == (None, [])  # no version: nothing announced


class ThrottledAfter:
    """A DynamoDB client that throttles every BatchWriteItem after the first `ok` calls."""

    def __init__(self, client: DynamoDBClient, ok: int) -> None:
        self._client = client
        self._ok = ok

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def batch_write_item(self, **kwargs: Any) -> Any:
        if self._ok <= 0:
            raise ClientError(
                {"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "slow"}},
                "BatchWriteItem",
            )
        self._ok -= 1
        return self._client.batch_write_item(**kwargs)


def test_throttling_mid_run_is_repaired_by_the_next_run(
    store: DynamoDBCatalogStore, dynamodb: DynamoDBClient, models_table: str
) -> None:
    CatalogSync(store).run(catalog_of(10), source=SOURCE)
    new = [make_model(f"model-{i:02}", context_length=5) for i in range(60)]
    throttled = DynamoDBCatalogStore(
        models_table,
        client=ThrottledAfter(dynamodb, ok=1),  # type: ignore[arg-type]
        sleep=lambda _: None,
    )

    with pytest.raises(CatalogUnavailable):
        CatalogSync(throttled).run(new, source=SOURCE)

    # One batch landed, the version did not move: warm containers keep serving version 1.
    version, half = published(dynamodb, models_table)
    assert version == 1
    assert sum(m.context_length == 5 for m in half) == 25

    report = CatalogSync(store).run(new, source=SOURCE)
    assert report.version == 2
    assert len(report.updated) + len(report.added) == 35  # only what the failed run missed
    assert published(dynamodb, models_table) == (2, new)


class CrashBeforeVersionBump(DynamoDBCatalogStore):
    def advance_version(self, expected: int | None, *, count: int, digest: str) -> int:
        raise CatalogUnavailable("the function timed out")


def test_items_written_but_never_announced_are_announced_by_the_next_run(
    store: DynamoDBCatalogStore, dynamodb: DynamoDBClient, models_table: str, calls: CallCounter
) -> None:
    CatalogSync(store).run(catalog_of(3), source=SOURCE)
    changed = [make_model("model-00", context_length=9), *catalog_of(3)[1:]]
    with pytest.raises(CatalogUnavailable):
        CatalogSync(CrashBeforeVersionBump(models_table, client=dynamodb)).run(
            changed, source=SOURCE
        )
    assert published(dynamodb, models_table)[0] == 1
    calls.reset()

    publisher = RecordingPublisher()
    report = CatalogSync(store, publisher=publisher).run(changed, source=SOURCE)

    assert (report.updated, report.writes, report.version) == ([], 0, 2)
    assert calls.writes == ["UpdateItem"]  # no item rewritten, only the version advanced
    assert publisher.events == [
        {"version": 2, "source": SOURCE, "added": [], "updated": [], "removed": []}
    ]
    assert CatalogSync(store).run(changed, source=SOURCE).version == 2  # and then it is stable


class RacedStore(DynamoDBCatalogStore):
    """Another sync run finishes while this one is writing."""

    rival: Sequence[Model] = ()

    def write_entries(self, puts: Mapping[str, StoredEntry], deletes: Sequence[str]) -> int:
        CatalogSync(DynamoDBCatalogStore(self.table_name, client=self.client)).run(
            self.rival, source="rival"
        )
        return super().write_entries(puts, deletes)


def test_a_run_that_loses_the_version_race_fails_cleanly_and_the_next_converges(
    store: DynamoDBCatalogStore, dynamodb: DynamoDBClient, models_table: str
) -> None:
    CatalogSync(store).run(catalog_of(4), source=SOURCE)
    mine = [*catalog_of(4), make_model("model-mine")]
    raced = RacedStore(models_table, client=dynamodb)
    raced.rival = [*catalog_of(4), make_model("model-rival")]

    with pytest.raises(VersionConflict):
        CatalogSync(raced).run(mine, source=SOURCE)

    assert published(dynamodb, models_table)[0] == 2  # the rival's bump, not overwritten
    report = CatalogSync(store).run(mine, source=SOURCE)
    assert report.removed == ["model-rival"]
    assert published(dynamodb, models_table) == (3, mine)


def test_malformed_items_in_the_table_are_rewritten(
    store: DynamoDBCatalogStore, dynamodb: DynamoDBClient, models_table: str
) -> None:
    models = catalog_of(3)
    CatalogSync(store).run(models, source=SOURCE)
    dynamodb.put_item(
        TableName=models_table,
        Item={"pk": {"S": "catalog"}, "sk": {"S": "model#model-01"}, "model": {"S": "garbage"}},
    )
    report = CatalogSync(store).run(models, source=SOURCE)
    assert report.updated == ["model-01"]
    assert published(dynamodb, models_table) == (2, models)


def test_diff_of_identical_entries_is_empty() -> None:
    entries = {"a": StoredEntry(0, {"id": "a"}), "b": StoredEntry(1, {"id": "b"})}
    diff = diff_entries(entries, dict(entries))
    assert not diff.changed
    assert diff.unchanged == 2


@pytest.mark.parametrize("fraction", [-0.1, 1.5])
def test_remove_fraction_must_be_a_fraction(store: DynamoDBCatalogStore, fraction: float) -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
        CatalogSync(store, max_remove_fraction=fraction)

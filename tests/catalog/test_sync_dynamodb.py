"""The catalog sync through the DynamoDB adapter, on moto: what it costs and survives on the wire.

Batches of 25, UnprocessedItems retried with backoff, throttling, zero writes when nothing
changed, malformed items rewritten, and a first publish read back as the API reads it. The
sync's logic (diff, guard, versions, announcements) is tested in memory in test_sync.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from botocore.exceptions import ClientError

from catalog.bundled import bundled_models
from catalog.dynamodb import DynamoDBCatalogStore
from catalog.errors import CatalogUnavailable
from catalog.schema import Model
from catalog.sync import CatalogSync
from tests.support.factories import make_model
from tests.support.fakes import CallCounter, RecordingPublisher

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

    from awsclients import AwsClients

SOURCE = "test"
MAX_REMOVE_FRACTION = 0.2


def catalog_of(n: int) -> list[Model]:
    return [make_model(f"model-{i:02}", context_length=1000 + i) for i in range(n)]


def sync_of(
    store: DynamoDBCatalogStore, publisher: RecordingPublisher | None = None
) -> CatalogSync:
    return CatalogSync(store, publisher=publisher, max_remove_fraction=MAX_REMOVE_FRACTION)


def published(client: DynamoDBClient, table: str) -> tuple[int | None, list[Model]]:
    """What an API container would read now: version and models in order."""
    contents = DynamoDBCatalogStore(table, dynamodb=lambda: client).read_catalog()
    return (None, []) if contents is None else (contents.version, contents.models)


@pytest.fixture
def store(aws: AwsClients, models_table: str) -> DynamoDBCatalogStore:
    return DynamoDBCatalogStore(models_table, dynamodb=aws.dynamodb, sleep=lambda _: None)


@pytest.fixture
def calls(dynamodb: DynamoDBClient) -> CallCounter:
    return CallCounter(dynamodb)


def test_first_publish_writes_every_model_and_version_1(
    store: DynamoDBCatalogStore, dynamodb: DynamoDBClient, models_table: str, calls: CallCounter
) -> None:
    models = list(bundled_models())
    report = sync_of(store).run(models, source="bundled")
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
    sync = sync_of(store, publisher=(publisher := RecordingPublisher()))
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
    report = sync_of(store).run(catalog_of(60), source=SOURCE)
    assert report.writes == 60
    assert calls.count("BatchWriteItem") == 3  # 25 + 25 + 10


def test_changing_one_model_is_one_batch_write_and_one_update_on_the_wire(
    store: DynamoDBCatalogStore, dynamodb: DynamoDBClient, models_table: str, calls: CallCounter
) -> None:
    models = catalog_of(5)
    sync_of(store).run(models, source=SOURCE)
    calls.reset()

    models[2] = make_model("model-02", context_length=2_000_000)
    report = sync_of(store).run(models, source=SOURCE)

    assert (report.updated, report.writes, report.version) == (["model-02"], 1, 2)
    assert calls.writes == ["BatchWriteItem", "UpdateItem"]
    assert published(dynamodb, models_table) == (2, models)


def test_removals_are_deleted_from_the_table(
    store: DynamoDBCatalogStore, dynamodb: DynamoDBClient, models_table: str
) -> None:
    models = catalog_of(10)
    sync_of(store).run(models, source=SOURCE)
    report = sync_of(store).run(models[:2], source=SOURCE, force=True)
    assert len(report.removed) == 8
    assert published(dynamodb, models_table) == (2, models[:2])
    assert sorted(store.read_entries()) == ["model-00", "model-01"]


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


def wrapped(client: PartialBatches | ThrottledAfter) -> DynamoDBClient:
    """A wrapper as the client it stands in for (it forwards everything it does not change)."""
    return client  # type: ignore[return-value]


def test_unprocessed_items_are_retried_with_backoff_until_done(
    dynamodb: DynamoDBClient, models_table: str
) -> None:
    client = PartialBatches(dynamodb, accept=10)
    sleeps: list[float] = []
    store = DynamoDBCatalogStore(
        models_table, dynamodb=lambda: wrapped(client), sleep=sleeps.append
    )
    models = catalog_of(25)
    report = sync_of(store).run(models, source=SOURCE)
    assert client.batch_sizes == [25, 15, 5]
    assert sleeps == sorted(sleeps)
    assert len(sleeps) == 2
    assert sleeps[0] > 0
    assert report.version == 1
    assert published(dynamodb, models_table) == (1, models)


def test_items_still_unprocessed_after_every_attempt_fail_the_run_loudly(
    dynamodb: DynamoDBClient, models_table: str
) -> None:
    client = PartialBatches(dynamodb, accept=0)
    store = DynamoDBCatalogStore(
        models_table,
        dynamodb=lambda: wrapped(client),
        sleep=lambda _: None,
        max_batch_attempts=3,
    )
    with pytest.raises(CatalogUnavailable, match="still unprocessed after 3 attempts"):
        sync_of(store).run(catalog_of(3), source=SOURCE)
    assert client.batch_sizes == [3, 3, 3]
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
    sync_of(store).run(catalog_of(10), source=SOURCE)
    new = [make_model(f"model-{i:02}", context_length=5) for i in range(60)]
    client = ThrottledAfter(dynamodb, ok=1)
    throttled = DynamoDBCatalogStore(
        models_table, dynamodb=lambda: wrapped(client), sleep=lambda _: None
    )

    with pytest.raises(CatalogUnavailable) as failed:
        sync_of(throttled).run(new, source=SOURCE)
    assert isinstance(failed.value.__cause__, ClientError)

    # One batch landed, the version did not move: warm containers keep serving version 1.
    version, half = published(dynamodb, models_table)
    assert version == 1
    assert sum(m.context_length == 5 for m in half) == 25

    report = sync_of(store).run(new, source=SOURCE)
    assert report.version == 2
    assert len(report.updated) + len(report.added) == 35  # only what the failed run missed
    assert published(dynamodb, models_table) == (2, new)


def test_malformed_items_in_the_table_are_rewritten(
    store: DynamoDBCatalogStore, dynamodb: DynamoDBClient, models_table: str
) -> None:
    models = catalog_of(3)
    sync_of(store).run(models, source=SOURCE)
    dynamodb.put_item(
        TableName=models_table,
        Item={"pk": {"S": "catalog"}, "sk": {"S": "model#model-01"}, "model": {"S": "garbage"}},
    )
    assert [m.id for m in published(dynamodb, models_table)[1]] == ["model-00", "model-02"]
    report = sync_of(store).run(models, source=SOURCE)
    assert report.updated == ["model-01"]
    assert published(dynamodb, models_table) == (2, models)

"""The catalog sync through the DynamoDB adapter, on moto: what it costs and survives on the wire.

Calls counted on the wire (a first publish, an unchanged run, a 1% change at 10,000 models),
batches of 25, UnprocessedItems retried with backoff, and the failures the issue names: a write
refused or throttled past the retries, a crash or a timeout between any two calls, a lost race.
Whatever happens, a reader (a cold container: a new store object; a warm one: its cache) sees
exactly the previous version or, once the pointer moved, exactly the new one, and the next run
converges. The sync's logic (diff, guard, announcements) is tested in memory in test_sync.py.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
from botocore.exceptions import ClientError

from catalog.bundled import bundled_models
from catalog.cache import CatalogCache, ServedFrom
from catalog.document import document_of
from catalog.dynamodb import DynamoDBCatalogStore
from catalog.errors import CatalogCorrupt, CatalogUnavailable, VersionConflict
from catalog.schema import Model
from catalog.store import Pointer
from catalog.sync import CatalogSync
from tests.support.factories import make_model
from tests.support.fakes import CallCounter, FakeClock, RecordingPublisher

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

    from awsclients import AwsClients

SOURCE = "test"
MAX_REMOVE_FRACTION = 0.2
PROVIDERS = ["openai", "anthropic", "google", "meta", "mistral", "cohere", "xai", "deepseek"]


class Crash(BaseException):
    """The run dies here (a Lambda timeout, an OOM kill): nothing after it runs, no handler."""


def catalog_of(n: int, *, context_length: int = 1000) -> list[Model]:
    return [make_model(f"model-{i:02}", context_length=context_length + i) for i in range(n)]


def realistic_catalog(n: int) -> list[Model]:
    """`n` models the size of the bundled ones (about 170 bytes of JSON each), varied."""
    rng = random.Random(n)
    models = []
    for i in range(n):
        provider = rng.choice(PROVIDERS)
        models.append(
            make_model(
                f"{provider}/model-{i:05}-{rng.choice(['mini', 'pro', 'large', 'flash'])}",
                owned_by=provider,
                created=rng.randrange(1_600_000_000, 1_760_000_000),
                context_length=rng.choice([8192, 32768, 128000, 200000, 1000000]),
                capabilities={"vision": rng.random() < 0.5, "function_calling": rng.random() < 0.7},
            )
        )
    return models


def sync_of(
    store: DynamoDBCatalogStore, publisher: RecordingPublisher | None = None
) -> CatalogSync:
    return CatalogSync(store, publisher=publisher, max_remove_fraction=MAX_REMOVE_FRACTION)


def published(client: DynamoDBClient, table: str) -> tuple[int | None, list[Model]]:
    """What a cold API container would read now (a store of its own): version and models."""
    contents = DynamoDBCatalogStore(table, dynamodb=lambda: client, chunk_size=CHUNK).read_catalog()
    return (None, []) if contents is None else (contents.version, contents.models)


def stored_keys(client: DynamoDBClient, table: str) -> list[str]:
    pages = client.get_paginator("query").paginate(
        TableName=table,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": "catalog"}},
        ProjectionExpression="sk",
    )
    return [item["sk"]["S"] for page in pages for item in page["Items"]]


def chunk_digests(client: DynamoDBClient, table: str) -> set[str]:
    return {sk.split("#")[1] for sk in stored_keys(client, table) if sk.startswith("chunk#")}


def digest_of(models: list[Model]) -> str:
    return document_of([m.to_wire() for m in models]).digest


@pytest.fixture
def store(aws: AwsClients, models_table: str) -> DynamoDBCatalogStore:
    return DynamoDBCatalogStore(models_table, dynamodb=aws.dynamodb, sleep=lambda _: None)


@pytest.fixture
def calls(dynamodb: DynamoDBClient) -> CallCounter:
    return CallCounter(dynamodb)


def test_first_publish_is_one_batch_write_and_one_update(
    store: DynamoDBCatalogStore, dynamodb: DynamoDBClient, models_table: str, calls: CallCounter
) -> None:
    models = list(bundled_models())
    report = sync_of(store).run(models, source="bundled")
    assert report.added == [m.id for m in models]
    assert (report.updated, report.removed, report.unchanged) == ([], [], 0)
    assert (report.version, report.writes, report.dry_run) == (1, 1, False)  # one chunk
    assert calls.calls == ["GetItem", "BatchWriteItem", "UpdateItem", "Query"]
    assert published(dynamodb, models_table) == (1, models)  # same documents, same order


def test_a_second_run_with_the_same_source_writes_nothing(
    store: DynamoDBCatalogStore, calls: CallCounter
) -> None:
    sync = sync_of(store, publisher=(publisher := RecordingPublisher()))
    sync.run(catalog_of(30), source=SOURCE)
    calls.reset()
    publisher.events.clear()

    report = sync.run(catalog_of(30), source=SOURCE)

    assert calls.writes == []  # counted on the wire: no BatchWrite, Put, Update or Delete
    # The pointer, the document it names (read back whole), the keys (nothing to clean up).
    assert calls.calls == ["GetItem", "BatchGetItem", "Query"]
    assert (report.added, report.updated, report.removed) == ([], [], [])
    assert (report.unchanged, report.version, report.writes) == (30, 1, 0)
    assert publisher.events == []


def test_many_chunks_go_in_batches_of_25(
    aws: AwsClients, models_table: str, calls: CallCounter
) -> None:
    store = DynamoDBCatalogStore(models_table, dynamodb=aws.dynamodb, chunk_size=4)
    report = sync_of(store).run(catalog_of(30), source=SOURCE)
    assert report.writes > 50
    assert calls.count("BatchWriteItem") == -(-report.writes // 25)


def test_at_10000_models_a_1_percent_change_is_3_write_calls_and_no_change_is_none(
    store: DynamoDBCatalogStore, dynamodb: DynamoDBClient, models_table: str, calls: CallCounter
) -> None:
    """The budgets of the issue, counted on the wire: at most 10 write calls for a 1% change,
    none for an unchanged run; the cold read stays 2 calls."""
    models = realistic_catalog(10_000)
    sync_of(store).run(models, source=SOURCE)
    for run in (1, 2):  # the second change also cleans up the first version's chunks
        for i in range(run, 10_000, 100):  # 100 models: 1%
            models[i] = make_model(models[i].id, owned_by=models[i].owned_by, context_length=run)
        calls.reset()
        report = sync_of(store).run(models, source=SOURCE)
        assert (len(report.updated), report.version) == (100, run + 1)
    assert calls.writes == ["BatchWriteItem", "UpdateItem", "DeleteItem"]
    assert report.writes == 2  # one chunk put, one chunk deleted

    calls.reset()
    assert sync_of(store).run(models, source=SOURCE).writes == 0
    assert calls.writes == []

    calls.reset()
    assert published(dynamodb, models_table) == (3, models)
    assert calls.calls == ["GetItem", "BatchGetItem"]


# -- failures: a reader only ever sees one complete published version ------------------------

# The scenario the issue names: 40 models published, then a run changing all 40. The version
# before the published one is there too, so the run has a clean-up to do. Small chunks make
# every step several calls: chunk puts in 2 batches, then one conditional delete per chunk.
OLDER = catalog_of(40, context_length=100)
OLD = catalog_of(40, context_length=1000)
NEW = catalog_of(40, context_length=5000)
CHUNK = 8


def _chunks(models: list[Model]) -> int:
    document = document_of([m.to_wire() for m in models])
    return -(-len(zlib.compress(document.body, 9)) // CHUNK)


def _batches(n: int) -> int:
    return -(-n // 25)


# Every call of the scenario's run, in order.
SCENARIO_CALLS = [
    "GetItem",  # the pointer
    "BatchGetItem",  # the published document
    *["BatchWriteItem"] * _batches(_chunks(NEW)),  # the new chunks
    "UpdateItem",  # the pointer moves
    "Query",  # the keys, for the clean-up
    *["DeleteItem"] * _chunks(OLDER),  # the version before the previous one, a chunk a call
]
POINTER_MOVE = SCENARIO_CALLS.index("UpdateItem")
# The calls a run may fail at: every one, except the deletes between the first and the last
# (each fails the same way as those two).
FAIL_AT = [
    at
    for at in range(1, len(SCENARIO_CALLS) + 1)
    if SCENARIO_CALLS[at - 1] != "DeleteItem"
    or at in (SCENARIO_CALLS.index("DeleteItem") + 1, len(SCENARIO_CALLS))
]


class FailingAt:
    """A DynamoDB client whose `at`-th call (from 1, any operation) raises `failure`."""

    OPERATIONS = frozenset(
        {"get_item", "batch_get_item", "batch_write_item", "update_item", "query", "delete_item"}
    )

    def __init__(self, client: DynamoDBClient, at: int, failure: BaseException) -> None:
        self._client = client
        self._at = at
        self._failure = failure
        self.made = 0

    def __getattr__(self, name: str) -> Any:
        real = getattr(self._client, name)
        if name not in self.OPERATIONS:
            return real

        def call(**kwargs: Any) -> Any:
            self.made += 1
            if self.made == self._at:
                raise self._failure
            return real(**kwargs)

        return call


def wrapped(
    client: FailingAt | PartialBatches | RefusingItems | RacingClient | PausingBeforeDeletes,
) -> DynamoDBClient:
    """A wrapper as the client it stands in for (it forwards everything it does not change)."""
    return client  # type: ignore[return-value]


class WarmContainer:
    """An API container's catalog cache that has served the catalog before the run."""

    def __init__(self, client: DynamoDBClient, table: str) -> None:
        self.clock = FakeClock()
        store = DynamoDBCatalogStore(table, dynamodb=lambda: client, chunk_size=CHUNK)
        self.cache = CatalogCache(store, ttl=60, clock=self.clock)
        self.cache.current()


def scenario_table(client: DynamoDBClient, table: str) -> WarmContainer:
    """OLDER then OLD published; returns a warm container serving OLD."""
    store = DynamoDBCatalogStore(table, dynamodb=lambda: client, chunk_size=CHUNK)
    sync_of(store).run(OLDER, source=SOURCE)
    sync_of(store).run(OLD, source=SOURCE)
    warm = WarmContainer(client, table)
    assert warm.cache.current().snapshot.version == 2
    return warm


def assert_served(warm: WarmContainer, client: DynamoDBClient, table: str, expected: Any) -> None:
    """A cold container and a warm one (after its TTL) both serve exactly `expected`."""
    assert published(client, table) == expected
    warm.clock.now += 60
    served = warm.cache.current()
    assert served.served_from is ServedFrom.DYNAMODB
    assert (served.snapshot.version, list(served.snapshot.models)) == expected


def assert_converges(client: DynamoDBClient, table: str) -> None:
    """The next good run publishes NEW and leaves only NEW's and OLD's chunks."""
    store = DynamoDBCatalogStore(table, dynamodb=lambda: client, chunk_size=CHUNK)
    assert sync_of(store).run(NEW, source=SOURCE).version == 3
    assert published(client, table) == (3, NEW)
    assert chunk_digests(client, table) == {digest_of(NEW), digest_of(OLD)}
    assert sync_of(store).run(NEW, source=SOURCE).writes == 0


def test_the_scenario_s_run_makes_these_calls(dynamodb: DynamoDBClient, models_table: str) -> None:
    scenario_table(dynamodb, models_table)
    calls = CallCounter(dynamodb)
    store = DynamoDBCatalogStore(models_table, dynamodb=lambda: dynamodb, chunk_size=CHUNK)
    sync_of(store).run(NEW, source=SOURCE)
    assert calls.calls == SCENARIO_CALLS
    assert SCENARIO_CALLS.count("BatchWriteItem") >= 2  # 2 batches before the move
    assert SCENARIO_CALLS.count("DeleteItem") >= 2


FAILURES = {
    "refused": ClientError({"Error": {"Code": "InternalServerError", "Message": "no"}}, "op"),
    "crash": Crash(),
}


@pytest.mark.parametrize("kind", FAILURES)
@pytest.mark.parametrize("at", FAIL_AT, ids=lambda n: f"{n}-{SCENARIO_CALLS[n - 1]}")
def test_a_run_that_fails_at_any_call_leaves_one_whole_version_and_the_next_converges(
    dynamodb: DynamoDBClient, models_table: str, at: int, kind: str
) -> None:
    """The `at`-th call of the run fails (refused) or the run dies there (crash, timeout)."""
    warm = scenario_table(dynamodb, models_table)
    client = FailingAt(dynamodb, at, FAILURES[kind])
    store = DynamoDBCatalogStore(
        models_table, dynamodb=lambda: wrapped(client), sleep=lambda _: None, chunk_size=CHUNK
    )
    moved = at > POINTER_MOVE + 1

    if kind == "refused" and moved:
        assert sync_of(store).run(NEW, source=SOURCE).version == 3  # a failed clean-up is logged
    else:
        with pytest.raises((CatalogUnavailable, Crash)):
            sync_of(store).run(NEW, source=SOURCE)

    assert_served(warm, dynamodb, models_table, (3, NEW) if moved else (2, OLD))
    assert_converges(dynamodb, models_table)


class RefusingItems:
    """A DynamoDB client that writes its first `ok` BatchWriteItem calls, then refuses one:
    an item over 400 KB (ValidationException) or throttling past botocore's retries."""

    def __init__(self, client: DynamoDBClient, ok: int, code: str) -> None:
        self._client = client
        self._ok = ok
        self._code = code

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def batch_write_item(self, **kwargs: Any) -> Any:
        if self._ok <= 0:
            raise ClientError({"Error": {"Code": self._code, "Message": "no"}}, "BatchWriteItem")
        self._ok -= 1
        return self._client.batch_write_item(**kwargs)


@pytest.mark.parametrize("code", ["ValidationException", "ProvisionedThroughputExceededException"])
def test_the_issue_s_scenario_a_write_refused_midway_changes_nothing_a_reader_sees(
    dynamodb: DynamoDBClient, models_table: str, code: str
) -> None:
    """40 models published; a run changing all 40 has its second batch refused. Before, the
    first batch was served under the old version number; now nothing of it is visible."""
    warm = scenario_table(dynamodb, models_table)
    client = RefusingItems(dynamodb, ok=1, code=code)
    store = DynamoDBCatalogStore(
        models_table, dynamodb=lambda: wrapped(client), sleep=lambda _: None, chunk_size=CHUNK
    )
    with pytest.raises(CatalogUnavailable, match=code) as failed:
        sync_of(store).run(NEW, source=SOURCE)
    assert isinstance(failed.value.__cause__, ClientError)
    assert digest_of(NEW) in chunk_digests(dynamodb, models_table)  # written, not published
    assert_served(warm, dynamodb, models_table, (2, OLD))
    assert_converges(dynamodb, models_table)


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
    store = DynamoDBCatalogStore(
        models_table, dynamodb=lambda: wrapped(client), sleep=sleeps.append, chunk_size=CHUNK
    )
    models = catalog_of(25)
    report = sync_of(store).run(models, source=SOURCE)
    # 36 chunks: a batch of 25 in 3 calls, backing off longer each time, then one of 11 in 2.
    assert client.batch_sizes == [25, 15, 5, 11, 1]
    assert sleeps[0] > 0
    assert sleeps[1] > sleeps[0]
    assert len(sleeps) == 3
    assert report.version == 1
    assert published(dynamodb, models_table) == (1, models)


def test_throttling_past_the_retries_leaves_the_old_version_served(
    dynamodb: DynamoDBClient, models_table: str
) -> None:
    """UnprocessedItems on every attempt: the run fails loudly, readers keep the old version."""
    warm = scenario_table(dynamodb, models_table)
    client = PartialBatches(dynamodb, accept=0)
    store = DynamoDBCatalogStore(
        models_table,
        dynamodb=lambda: wrapped(client),
        sleep=lambda _: None,
        max_batch_attempts=3,
        chunk_size=CHUNK,
    )
    with pytest.raises(CatalogUnavailable, match="still unprocessed after 3 attempts"):
        sync_of(store).run(NEW, source=SOURCE)
    assert client.batch_sizes == [25, 25, 25]
    assert_served(warm, dynamodb, models_table, (2, OLD))
    assert_converges(dynamodb, models_table)


class RacingClient:
    """A DynamoDB client that lets a rival sync publish before its first BatchWriteItem."""

    def __init__(self, client: DynamoDBClient, rival: Any) -> None:
        self._client = client
        self._rival = rival

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def batch_write_item(self, **kwargs: Any) -> Any:
        rival, self._rival = self._rival, None
        if rival is not None:
            rival()
        return self._client.batch_write_item(**kwargs)


class PausingBeforeDeletes:
    """A DynamoDB client that runs `pause` once, just before the first delete it sends: in a
    clean-up, between its Query (what it decided to delete) and its deletes."""

    def __init__(self, client: DynamoDBClient, pause: Callable[[], object]) -> None:
        self._client = client
        self._pause: Callable[[], object] | None = pause

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def _before_a_delete(self) -> None:
        pause, self._pause = self._pause, None
        if pause is not None:
            pause()

    def delete_item(self, **kwargs: Any) -> Any:
        self._before_a_delete()
        return self._client.delete_item(**kwargs)

    def batch_write_item(self, **kwargs: Any) -> Any:
        requests = [r for batch in kwargs["RequestItems"].values() for r in batch]
        if any("DeleteRequest" in request for request in requests):
            self._before_a_delete()
        return self._client.batch_write_item(**kwargs)


def test_a_clean_up_racing_a_revert_never_deletes_the_chunks_the_pointer_names(
    dynamodb: DynamoDBClient, models_table: str
) -> None:
    """The revert race: a run publishes NEW and its clean-up reads OLDER's chunks as doomed;
    before its deletes, another run reverts to OLDER, whose chunks (content-addressed: the same
    keys) it rewrites and publishes. The deletes that follow must leave them: the reverted
    version stays whole, for warm and cold containers alike."""
    plain = DynamoDBCatalogStore(models_table, dynamodb=lambda: dynamodb, chunk_size=CHUNK)
    warm = scenario_table(dynamodb, models_table)  # OLDER (1), then OLD (2)
    reverts: list[int | None] = []

    def revert() -> None:
        reverts.append(sync_of(plain).run(OLDER, source="revert").version)

    client = PausingBeforeDeletes(dynamodb, revert)
    racing = DynamoDBCatalogStore(models_table, dynamodb=lambda: wrapped(client), chunk_size=CHUNK)
    assert sync_of(racing).run(NEW, source=SOURCE).version == 3

    assert reverts == [4]  # the revert ran in the pause, and published
    assert_served(warm, dynamodb, models_table, (4, OLDER))
    # The next run publishes over it and cleans up what the race left behind.
    assert sync_of(plain).run(NEW, source=SOURCE).version == 5
    assert chunk_digests(dynamodb, models_table) == {digest_of(NEW), digest_of(OLDER)}


def test_a_lost_race_raises_and_the_loser_s_chunks_never_become_visible(
    dynamodb: DynamoDBClient, models_table: str
) -> None:
    warm = scenario_table(dynamodb, models_table)
    rival_models = catalog_of(40, context_length=7000)
    honest = DynamoDBCatalogStore(models_table, dynamodb=lambda: dynamodb, chunk_size=CHUNK)
    client = RacingClient(dynamodb, lambda: sync_of(honest).run(rival_models, source="rival"))
    loser = DynamoDBCatalogStore(models_table, dynamodb=lambda: wrapped(client), chunk_size=CHUNK)
    publisher = RecordingPublisher()

    with pytest.raises(VersionConflict):
        sync_of(loser, publisher).run(NEW, source=SOURCE)

    assert publisher.events == []
    assert digest_of(NEW) in chunk_digests(dynamodb, models_table)
    assert_served(warm, dynamodb, models_table, (3, rival_models))
    store = DynamoDBCatalogStore(models_table, dynamodb=lambda: dynamodb, chunk_size=CHUNK)
    report = sync_of(store).run(NEW, source=SOURCE)
    assert (len(report.updated), report.version) == (40, 4)
    assert published(dynamodb, models_table) == (4, NEW)
    assert chunk_digests(dynamodb, models_table) == {digest_of(NEW), digest_of(rival_models)}


def test_the_first_sync_over_the_legacy_layout_publishes_and_removes_its_items(
    store: DynamoDBCatalogStore, dynamodb: DynamoDBClient, models_table: str
) -> None:
    """A table the code before chunks wrote: one item per model, a meta item with no chunks."""
    for position, model in enumerate(catalog_of(3)):
        dynamodb.put_item(
            TableName=models_table,
            Item={
                "pk": {"S": "catalog"},
                "sk": {"S": f"model#{model.id}"},
                "position": {"N": str(position)},
                "model": {"M": {"id": {"S": model.id}}},
            },
        )
    dynamodb.put_item(
        TableName=models_table,
        Item={
            "pk": {"S": "catalog"},
            "sk": {"S": "meta"},
            "version": {"N": "4"},
            "count": {"N": "3"},
            "digest": {"S": "an-entries-hash"},
        },
    )
    assert published(dynamodb, models_table) == (None, [])  # containers serve the bundled one

    report = sync_of(store).run(catalog_of(3), source=SOURCE)

    assert (len(report.added), report.version, report.writes) == (3, 5, 1 + 3)
    assert published(dynamodb, models_table) == (5, catalog_of(3))
    assert [sk for sk in stored_keys(dynamodb, models_table) if sk.startswith("model#")] == []


def test_a_lost_chunk_is_rewritten_by_the_next_run(
    store: DynamoDBCatalogStore, dynamodb: DynamoDBClient, models_table: str
) -> None:
    models = catalog_of(5)
    sync_of(store).run(models, source=SOURCE)
    (sk,) = [sk for sk in stored_keys(dynamodb, models_table) if sk.startswith("chunk#")]
    dynamodb.delete_item(TableName=models_table, Key={"pk": {"S": "catalog"}, "sk": {"S": sk}})
    with pytest.raises(CatalogUnavailable):
        published(dynamodb, models_table)
    report = sync_of(store).run(models, source=SOURCE)
    assert (report.version, report.writes) == (1, 1)
    assert published(dynamodb, models_table) == (1, models)


def test_the_clean_up_waits_for_the_grace_period_after_the_pointer_moved(
    dynamodb: DynamoDBClient, models_table: str
) -> None:
    """A replica may still serve an older version: with `cleanup_grace`, a document that is
    neither published nor the previous one goes only once the pointer moved that long ago."""
    now = [1_790_000_000.0]
    store = DynamoDBCatalogStore(
        models_table, dynamodb=lambda: dynamodb, cleanup_grace=600.0, wall_clock=lambda: now[0]
    )
    pointer = None
    digests = []
    for version in (1, 2, 3):
        now[0] += 60
        document = document_of([make_model(f"m{version}").to_wire()])
        digests.append(document.digest)
        pointer = store.move_pointer(pointer, store.write_version(document, version=version))
        assert store.clean_up(pointer) == 0
    assert pointer is not None
    now[0] += 599  # since version 3 was published
    assert store.clean_up(pointer) == 0
    assert store.read_document(Pointer(1, digests[0], chunks=1, count=1)).digest == digests[0]
    now[0] += 1
    assert store.clean_up(pointer) == 1  # version 1's one chunk; 2 (previous) and 3 stay
    with pytest.raises(CatalogCorrupt):
        store.read_document(Pointer(1, digests[0], chunks=1, count=1))
    assert store.read_catalog() is not None


def test_without_a_grace_period_the_clean_up_deletes_at_once(
    dynamodb: DynamoDBClient, models_table: str
) -> None:
    store = DynamoDBCatalogStore(models_table, dynamodb=lambda: dynamodb)
    pointer = None
    deleted = []
    for version in (1, 2, 3):
        document = document_of([make_model(f"m{version}").to_wire()])
        pointer = store.move_pointer(pointer, store.write_version(document, version=version))
        deleted.append(store.clean_up(pointer))
    assert deleted == [0, 0, 1]

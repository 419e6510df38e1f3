"""Global tables, simulated: two moto servers stand for two regions, a replicator in between.

DynamoDB global tables replicate item by item, in any order, with no bound on the lag. Here the
writer region publishes with the real sync (chunks, then the pointer, then the clean-up), and a
test replicator copies what differs to the reader region's table one item at a time, in
adversarial orders. After every single item, readers of the second region (the real read path:
the API app over CatalogCache over DynamoDBCatalogStore, on a fake clock stepped past the TTL
and the backoff) answer GET /v1/models with the whole old version or the whole new one: never a
mix, never an error, and the new one once replication is complete. A warm reader is one
container kept across the steps; a cold one is a new container at every step.
"""

from __future__ import annotations

import random
import socket
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pytest
from moto.server import ThreadedMotoServer

from apikeys.verifier import KeyVerifier
from awsclients import AwsClients, Credentials, Profile
from catalog.cache import CatalogCache, ServedFrom
from catalog.document import document_of
from catalog.dynamodb import DynamoDBCatalogStore
from catalog.errors import CatalogCorrupt, CatalogIncomplete
from catalog.store import CatalogContents
from catalog.sync import CatalogSync
from devtools.template_tables import table_definitions
from handler.deps import Services
from tests.support.factories import make_model, model_doc
from tests.support.fakes import FakeClock
from tests.support.http import DEV_KEY, api_client

if TYPE_CHECKING:
    from fastapi.testclient import TestClient
    from mypy_boto3_dynamodb import DynamoDBClient

WRITER_REGION, READER_REGION = "us-east-1", "eu-west-1"
TABLE = "prod-models"
LOCAL = Credentials("testing", "testing")
TTL, BACKOFF = 60.0, 5.0
STEP = TTL + BACKOFF + 1  # past both: every request after a copied item revalidates
CHUNK_SIZE = 64  # bytes: each version is several chunk items
WALL = 1_790_000_000.0  # epoch seconds the lifecycle statuses are served at (fixed)
GRACE = 15 * 60.0


def catalog(version: int) -> list[dict[str, Any]]:
    """A different catalog per version (different models, context lengths, order)."""
    ids = [f"sim-model-{i}" for i in range(version, version + 6)]
    return [
        model_doc(model_id, context_length=1000 * (version + index))
        for index, model_id in enumerate(ids)
    ]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Region:
    """One region: its own moto server (127.0.0.1), clients and catalog table."""

    name: str
    port: int
    server: ThreadedMotoServer | None = None
    wall: list[float] = field(default_factory=lambda: [WALL])

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
        self.server.start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None

    def clients(self, profile: Profile = Profile.REQUEST) -> AwsClients:
        return AwsClients(
            profile=profile, endpoint_url=self.endpoint, region=self.name, credentials=LOCAL
        )

    @property
    def client(self) -> DynamoDBClient:
        return self.clients(Profile.BACKGROUND).dynamodb()

    def items(self) -> dict[str, dict[str, Any]]:
        """Every item of the catalog table, by sort key."""
        found: dict[str, dict[str, Any]] = {}
        kwargs: dict[str, Any] = {"TableName": TABLE, "ConsistentRead": True}
        client = self.client
        while True:
            page = client.scan(**kwargs)
            found.update({item["sk"]["S"]: dict(item) for item in page["Items"]})
            if "LastEvaluatedKey" not in page:
                return found
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def publish(self, version: int, *, grace: float) -> None:
        """A sync run in this region (the writer), at this region's wall clock."""
        store = DynamoDBCatalogStore(
            TABLE,
            dynamodb=self.clients(Profile.BACKGROUND).dynamodb,
            chunk_size=CHUNK_SIZE,
            cleanup_grace=grace,
            wall_clock=lambda: self.wall[0],
        )
        models = [make_model(doc["id"], **doc) for doc in catalog(version)]
        CatalogSync(store, max_remove_fraction=1.0, wall_clock=lambda: WALL).run(
            models, source="simulation"
        )


@pytest.fixture
def regions() -> Iterator[tuple[Region, Region]]:
    """The writer region and a reader region, each a moto server with the catalog table."""
    writer, reader = Region(WRITER_REGION, free_port()), Region(READER_REGION, free_port())
    for region in (writer, reader):
        region.start()
    try:
        # The servers run in this process and share moto's state, kept apart by region as in
        # AWS; what an earlier test left goes first.
        urllib.request.urlopen(
            urllib.request.Request(f"{writer.endpoint}/moto-api/reset", method="POST")
        ).close()
        definition = table_definitions()["ModelsTable"]
        for region in (writer, reader):
            region.client.create_table(TableName=TABLE, **definition)
        yield writer, reader
    finally:
        writer.stop()
        reader.stop()


# -- the replicator -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One item to replicate: its new value (a put), or None (a delete)."""

    sk: str
    item: dict[str, Any] | None

    @property
    def kind(self) -> str:
        if self.item is None:
            return "delete"
        return "pointer" if self.sk == "meta" else "chunk"


def pending(source: Region, target: Region) -> list[Change]:
    """What the target lacks of the source, item by item, in the order the writer wrote it."""
    wanted, held = source.items(), target.items()
    changes = [Change(sk, item) for sk, item in sorted(wanted.items()) if held.get(sk) != item]
    changes += [Change(sk, None) for sk in sorted(held) if sk not in wanted]
    # The writer's own order: chunks, then the pointer, then the clean-up's deletes.
    rank = {"chunk": 0, "pointer": 1, "delete": 2}
    return sorted(changes, key=lambda change: rank[change.kind])


def apply(target: Region, change: Change) -> None:
    if change.item is None:
        target.client.delete_item(
            TableName=TABLE, Key={"pk": {"S": "catalog"}, "sk": {"S": change.sk}}
        )
    else:
        target.client.put_item(TableName=TABLE, Item=change.item)


def replicate(source: Region, target: Region) -> None:
    for change in pending(source, target):
        apply(target, change)


def of_kind(changes: list[Change], *kinds: str) -> list[Change]:
    return [change for kind in kinds for change in changes if change.kind == kind]


def shuffled(changes: list[Change], seed: int) -> list[Change]:
    copy = list(changes)
    random.Random(seed).shuffle(copy)
    return copy


Order = Callable[[list[Change]], list[Change]]


def random_order(seed: int) -> Order:
    return lambda changes: shuffled(changes, seed)


def repeated(seed: int) -> Order:
    """Every item delivered twice (replication retries), each pass in its own random order."""
    return lambda changes: shuffled(changes, seed) + shuffled(changes, seed + 100)


ORDERS: dict[str, Order] = {
    "write order": lambda changes: changes,
    "pointer first": lambda changes: of_kind(changes, "pointer", "delete", "chunk"),
    "chunks last, reversed": lambda changes: [
        *of_kind(changes, "delete", "pointer"),
        *reversed(of_kind(changes, "chunk")),
    ],
    "deletes first": lambda changes: of_kind(changes, "delete", "pointer", "chunk"),
    **{f"random {seed}": random_order(seed) for seed in range(4)},
    **{f"repeated {seed}": repeated(seed) for seed in range(2)},
}


# -- the readers --------------------------------------------------------------------------------


class Readers:
    """The reader region's API: one warm container, and a cold one made for every request."""

    def __init__(self, region: Region) -> None:
        self.region = region
        self.clock = FakeClock(now=1000.0)
        self.warm = self._container()

    def _container(self) -> TestClient:
        store = DynamoDBCatalogStore(
            TABLE, dynamodb=self.region.clients().dynamodb, read_attempts=2
        )
        cache = CatalogCache(
            store, ttl=TTL, failure_backoff=BACKOFF, clock=self.clock, wall_clock=lambda: WALL
        )
        return api_client(services=Services(cache, KeyVerifier(None, dev_key=DEV_KEY)))

    def step(self) -> tuple[bytes, bytes]:
        """The list bodies a warm and a cold container answer, past the TTL and the backoff."""
        self.clock.now += STEP
        return self.body(self.warm), self.body(self._container())

    def health(self, client: TestClient | None = None) -> dict[str, Any]:
        response = (client or self.warm).get("/health")
        assert response.status_code == 200
        catalog_health: dict[str, Any] = response.json()["catalog"]
        return catalog_health

    @staticmethod
    def body(client: TestClient) -> bytes:
        response = client.get("/v1/models")
        assert response.status_code == 200, response.text
        return response.content


def list_body(region: Region) -> bytes:
    """What a container of `region` serves now (read whole: the reference)."""
    return Readers.body(Readers(region).warm)


def whole(region: Region, sk_prefix: str) -> bool:
    return any(sk.startswith(sk_prefix) for sk in region.items())


# -- replication of a new version ---------------------------------------------------------------


@pytest.mark.parametrize("order", list(ORDERS))
def test_after_every_replicated_item_a_reader_serves_a_whole_version(
    regions: tuple[Region, Region], order: str
) -> None:
    writer, reader = regions
    writer.publish(1, grace=GRACE)
    replicate(writer, reader)
    readers = Readers(reader)
    old = readers.body(readers.warm)
    assert old == list_body(writer)

    writer.wall[0] += 60
    writer.publish(2, grace=GRACE)
    new = list_body(writer)
    assert new != old
    changes = ORDERS[order](pending(writer, reader))
    assert {change.kind for change in changes} >= {"chunk", "pointer"}

    served = []
    for change in changes:
        apply(reader, change)
        warm, cold = readers.step()
        assert warm in (old, new), f"after {change}: a mix or another catalog"
        assert cold in (old, new), f"after {change}: a cold reader served neither"
        served.append(warm)
    # Replication is complete: the new version within the TTL (and stays).
    readers.clock.now += TTL
    assert readers.body(readers.warm) == new
    assert readers.health() == {"source": "dynamodb", "version": 2, "models": 6}
    assert served[-1] == new


def test_a_pointer_ahead_of_its_chunks_is_transient_for_warm_and_cold_readers(
    regions: tuple[Region, Region],
) -> None:
    writer, reader = regions
    writer.publish(1, grace=GRACE)
    replicate(writer, reader)
    readers = Readers(reader)
    old = readers.body(readers.warm)
    writer.publish(2, grace=GRACE)
    changes = pending(writer, reader)
    (pointer,) = of_kind(changes, "pointer")
    chunks = of_kind(changes, "chunk")
    assert len(chunks) > 1

    apply(reader, pointer)
    # Warm: keeps its version, marked stale, and tries again after the backoff only.
    assert readers.step()[0] == old
    assert readers.health() == {"source": "stale", "version": 1, "models": 6}
    # Cold: the previous version the pointer names, read whole from this replica.
    cold = readers._container()
    assert readers.body(cold) == old
    assert readers.health(cold) == {"source": "stale", "version": 1, "models": 6}

    for chunk in chunks[:-1]:  # all but one: still incomplete, still transient
        apply(reader, chunk)
        assert readers.step() == (old, old)
    apply(reader, chunks[-1])
    # The new version once the chunks are there: at the backoff for the container that was
    # serving the previous version, never remembered as a version it cannot serve.
    readers.clock.now += BACKOFF
    new = list_body(writer)
    assert readers.body(readers.warm) == new
    assert readers.body(cold) == new
    assert readers.health(cold)["version"] == 2


# -- the clean-up while a replica lags ----------------------------------------------------------


def lagging_replica(writer: Region, reader: Region) -> tuple[Readers, bytes, bytes]:
    """The reader region holds version 1; the writer publishes 2, then 3 (each run cleans up)."""
    writer.publish(1, grace=GRACE)
    replicate(writer, reader)
    readers = Readers(reader)
    old = readers.body(readers.warm)
    for version in (2, 3):
        writer.wall[0] += 60
        writer.publish(version, grace=GRACE)
    return readers, old, list_body(writer)


@pytest.mark.parametrize("order", ["deletes first", "pointer first", "random 0", "repeated 1"])
def test_a_version_cleaned_up_while_a_replica_lags_is_kept_for_the_grace_period(
    regions: tuple[Region, Region], order: str
) -> None:
    writer, reader = regions
    readers, old, new = lagging_replica(writer, reader)
    changes = ORDERS[order](pending(writer, reader))
    # Within the grace period, the clean-up deleted nothing the replica's readers use.
    assert of_kind(changes, "delete") == []
    for change in changes:
        apply(reader, change)
        warm, cold = readers.step()
        assert warm in (old, new), f"after {change}"
        pointer = reader.items()["meta"]
        if pointer["version"]["N"] == "1":
            assert cold == old, f"after {change}: version 1 is still the replica's, and whole"
    readers.clock.now += TTL
    assert readers.body(readers.warm) == new

    # Past the grace period, the next run deletes version 1; replicated in any order, the
    # readers keep serving version 3.
    writer.wall[0] += GRACE + 1
    writer.publish(3, grace=GRACE)
    deletes = of_kind(pending(writer, reader), "delete")
    assert deletes
    assert all(change.kind == "delete" for change in pending(writer, reader))
    for change in ORDERS[order](pending(writer, reader)):
        apply(reader, change)
        assert readers.step() == (new, new)


def test_without_the_grace_period_a_lagging_replica_loses_the_version_it_serves(
    regions: tuple[Region, Region],
) -> None:
    """Why the grace period: the same lag, a clean-up that deletes at once, the deletes
    replicated first: a cold reader of the replica finds its version gone."""
    writer, reader = regions
    writer.publish(1, grace=0.0)
    replicate(writer, reader)
    readers = Readers(reader)
    old = readers.body(readers.warm)
    for version in (2, 3):
        writer.publish(version, grace=0.0)
    deletes = of_kind(pending(writer, reader), "delete")
    assert deletes
    for change in deletes:
        apply(reader, change)
    assert reader.items()["meta"]["version"]["N"] == "1"
    warm, cold = readers.step()
    assert warm == old  # a warm container keeps what it read
    assert cold not in (old, list_body(writer))  # a cold one: the bundled catalog
    assert readers.health(readers._container())["source"] == "bundled"


# -- the replica's endpoint going down ----------------------------------------------------------


def test_the_replicas_endpoint_going_down_is_served_stale_then_recovers(
    regions: tuple[Region, Region],
) -> None:
    writer, reader = regions
    writer.publish(1, grace=GRACE)
    replicate(writer, reader)
    readers = Readers(reader)
    old = readers.body(readers.warm)

    reader.stop()
    assert readers.step()[0] == old
    assert readers.health() == {"source": "stale", "version": 1, "models": 6}
    assert readers.health(readers._container())["source"] == "bundled"  # as today: cold
    writer.publish(2, grace=GRACE)  # the writer region carries on

    reader.start()  # same port, same (moto) state: the region is back
    replicate(writer, reader)
    readers.clock.now += BACKOFF
    assert readers.body(readers.warm) == list_body(writer)
    assert readers.health() == {"source": "dynamodb", "version": 2, "models": 6}


# -- the store's side: missing chunks (transient) are not bad content ---------------------------


def test_missing_chunks_are_incomplete_and_offer_the_previous_version(
    dynamodb: DynamoDBClient, models_table: str
) -> None:
    store = DynamoDBCatalogStore(models_table, dynamodb=lambda: dynamodb, chunk_size=CHUNK_SIZE)
    pointer = None
    for version in (1, 2):
        document = document_of(catalog(version))
        pointer = store.move_pointer(pointer, store.write_version(document, version=version))
    assert pointer is not None
    dynamodb.delete_item(
        TableName=models_table,
        Key={"pk": {"S": "catalog"}, "sk": {"S": f"chunk#{pointer.digest}#0001"}},
    )
    with pytest.raises(CatalogIncomplete) as incomplete:
        store.read_catalog()
    assert incomplete.value.read_previous is not None
    previous = incomplete.value.read_previous()
    assert previous is not None
    assert previous.version == 1
    assert [model.id for model in previous.models] == [doc["id"] for doc in catalog(1)]


def test_chunks_that_are_all_there_but_wrong_are_bad_content_not_incomplete(
    dynamodb: DynamoDBClient, models_table: str
) -> None:
    store = DynamoDBCatalogStore(models_table, dynamodb=lambda: dynamodb, chunk_size=CHUNK_SIZE)
    written = store.write_version(document_of(catalog(1)), version=1)
    pointer = store.move_pointer(None, written)
    dynamodb.put_item(
        TableName=models_table,
        Item={
            "pk": {"S": "catalog"},
            "sk": {"S": f"chunk#{pointer.digest}#0000"},
            "data": {"B": b"not these bytes"},
            "for_version": {"N": "1"},
        },
    )
    with pytest.raises(CatalogCorrupt) as corrupt:
        store.read_catalog()
    assert not isinstance(corrupt.value, CatalogIncomplete)


class _ArrivingStore:
    """A reader whose published version (2) is still arriving; `previous` reads version 1."""

    def __init__(self, previous: Callable[[], CatalogContents | None] | None) -> None:
        self.previous = previous
        self.reads = 0

    def read_version(self) -> int | None:
        return 2

    def read_catalog(self, *, version: int | None = None) -> CatalogContents | None:
        self.reads += 1
        raise CatalogIncomplete("version 2: chunk 1 is missing", read_previous=self.previous)


def _version_one() -> CatalogContents:
    return CatalogContents(1, [make_model(doc["id"], **doc) for doc in catalog(1)])


def _gone() -> CatalogContents | None:
    raise CatalogCorrupt("version 1: its chunks do not decompress")


@pytest.mark.parametrize(
    ("previous", "source", "version"),
    [
        (_version_one, ServedFrom.STALE, 1),
        (None, ServedFrom.BUNDLED, None),  # the pointer names no previous version
        (lambda: None, ServedFrom.BUNDLED, None),
        (_gone, ServedFrom.BUNDLED, None),  # the previous one cannot be read either
    ],
    ids=["previous whole", "no previous", "previous empty", "previous unreadable"],
)
def test_a_cold_cache_serves_the_previous_version_or_bundled_and_retries_after_the_backoff(
    previous: Callable[[], CatalogContents | None] | None,
    source: ServedFrom,
    version: int | None,
) -> None:
    clock = FakeClock(now=1000.0)
    store = _ArrivingStore(previous)
    cache = CatalogCache(
        store, ttl=TTL, failure_backoff=BACKOFF, clock=clock, wall_clock=lambda: WALL
    )
    served = cache.current()
    assert served.served_from is source
    if version is not None:
        assert served.snapshot.version == version
    clock.now += BACKOFF - 0.1
    cache.current()
    assert store.reads == 1  # within the backoff: no read
    clock.now += 0.1
    cache.current()
    assert store.reads == 2  # never remembered as unservable: its contents are read again

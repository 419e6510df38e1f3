"""The DynamoDB store against moto: what is particular to it (item layout, compression, chunk
sizes, calls on the wire, retries, corrupt and legacy items, SDK errors). What every store must
do is in test_store.py."""

from __future__ import annotations

import hashlib
import json
import random
import string
import zlib
from typing import TYPE_CHECKING, Any

import pytest
from botocore.exceptions import ClientError

from catalog.document import document_of
from catalog.dynamodb import CHUNK_SIZE, DynamoDBCatalogStore
from catalog.errors import CatalogCorrupt, CatalogUnavailable, VersionConflict
from tests.support.factories import model_doc, publish
from tests.support.fakes import CallCounter

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

    from awsclients import AwsClients


def items(client: DynamoDBClient, table: str) -> dict[str, dict[str, Any]]:
    """Every item of the catalog partition, by sort key."""
    paginator = client.get_paginator("query")
    pages = paginator.paginate(
        TableName=table,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": "catalog"}},
    )
    return {item["sk"]["S"]: dict(item) for page in pages for item in page["Items"]}


def store_of(client: DynamoDBClient, table: str, **options: Any) -> DynamoDBCatalogStore:
    return DynamoDBCatalogStore(table, dynamodb=lambda: client, sleep=lambda _: None, **options)


def test_the_layout_is_a_pointer_and_compressed_content_addressed_chunks(
    dynamodb: DynamoDBClient, models_table: str
) -> None:
    docs = [model_doc("gpt-4o"), model_doc("claude", owned_by="anthropic", note="é")]
    publish(dynamodb, models_table, docs)

    body = json.dumps(
        {"object": "list", "data": docs}, separators=(",", ":"), ensure_ascii=False
    ).encode()
    digest = hashlib.sha256(body).hexdigest()
    stored = items(dynamodb, models_table)
    assert sorted(stored) == [f"chunk#{digest}#0000", "meta"]
    meta = stored["meta"]
    assert {name: meta[name] for name in ("version", "digest", "chunks", "count")} == {
        "version": {"N": "1"},
        "digest": {"S": digest},
        "chunks": {"N": "1"},
        "count": {"N": "2"},
    }
    assert "updated_at" in meta
    assert "previous_digest" not in meta
    chunk = stored[f"chunk#{digest}#0000"]
    assert zlib.decompress(chunk["data"]["B"]) == body
    assert chunk["for_version"] == {"N": "1"}

    publish(dynamodb, models_table, docs[:1])
    meta = items(dynamodb, models_table)["meta"]
    assert (meta["previous_digest"], meta["previous_chunks"]) == ({"S": digest}, {"N": "1"})


def test_a_large_catalog_is_split_into_chunks_under_the_item_limit(
    dynamodb: DynamoDBClient, models_table: str
) -> None:
    """Incompressible extra fields: about 1.2 MB compressed, four chunks of at most 350,000
    bytes, each accepted by DynamoDB's 400 KB item limit and read back whole."""
    rng = random.Random(7)
    noise = string.ascii_letters + string.digits
    docs = [
        model_doc(f"model-{n:04}", blurb="".join(rng.choices(noise, k=1500))) for n in range(1000)
    ]
    publish(dynamodb, models_table, docs)
    chunks = [item for sk, item in items(dynamodb, models_table).items() if sk != "meta"]
    sizes = sorted(len(item["data"]["B"]) for item in chunks)
    assert len(sizes) == 4
    assert sizes[-1] == CHUNK_SIZE
    contents = DynamoDBCatalogStore(models_table, dynamodb=lambda: dynamodb).read_catalog()
    assert contents is not None
    assert [m.to_wire() for m in contents.models] == docs


def test_floats_and_extra_fields_survive_the_round_trip(
    dynamodb: DynamoDBClient, models_table: str
) -> None:
    publish(
        dynamodb, models_table, [model_doc("m", pricing_notes={"input": 2.5, "tiers": [1, 0.5]})]
    )
    contents = DynamoDBCatalogStore(models_table, dynamodb=lambda: dynamodb).read_catalog()
    assert contents is not None
    assert contents.models[0].to_wire()["pricing_notes"] == {"input": 2.5, "tiers": [1, 0.5]}


def test_reads_on_the_wire(dynamodb: DynamoDBClient, models_table: str) -> None:
    """Revalidation: one eventually consistent GetItem. A cold read: GetItem, BatchGetItem.
    A read after a revalidation saw a new version: the BatchGetItem only."""
    publish(dynamodb, models_table, [model_doc(f"model-{n}") for n in range(8)])
    requests: list[tuple[str, dict[str, Any]]] = []

    def record(model: Any, params: dict[str, Any], **_: Any) -> None:
        requests.append((model.name, params))

    dynamodb.meta.events.register("before-parameter-build.dynamodb", record)
    store = DynamoDBCatalogStore(models_table, dynamodb=lambda: dynamodb)

    assert store.read_catalog() is not None
    assert [name for name, _ in requests] == ["GetItem", "BatchGetItem"]
    assert requests[1][1]["RequestItems"][models_table]["ConsistentRead"] is True
    requests.clear()

    assert store.read_version() == 1
    ((name, params),) = requests
    assert (name, params["ConsistentRead"]) == ("GetItem", False)
    requests.clear()

    publish(dynamodb, models_table, [model_doc("new")])
    requests.clear()
    assert store.read_version() == 2
    contents = store.read_catalog(version=2)
    assert contents is not None
    assert [m.id for m in contents.models] == ["new"]
    assert [name for name, _ in requests] == ["GetItem", "BatchGetItem"]


class Flaky:
    """A DynamoDB client whose named operation fails `times` times, then works."""

    def __init__(self, client: DynamoDBClient, operation: str, times: int, code: str) -> None:
        self._client = client
        self._operation = operation
        self._left = times
        self._code = code
        self.calls = 0

    def __getattr__(self, name: str) -> Any:
        real = getattr(self._client, name)
        if name != self._operation:
            return real

        def call(**kwargs: Any) -> Any:
            self.calls += 1
            if self._left > 0:
                self._left -= 1
                raise ClientError({"Error": {"Code": self._code, "Message": "no"}}, name)
            return real(**kwargs)

        return call


def flaky_store(client: Flaky, table: str, **options: Any) -> DynamoDBCatalogStore:
    return DynamoDBCatalogStore(table, dynamodb=lambda: client, **options)  # type: ignore[arg-type, return-value]


@pytest.mark.parametrize("operation", ["get_item", "batch_get_item"])
def test_api_reads_try_a_transient_failure_once_more(
    dynamodb: DynamoDBClient, models_table: str, operation: str
) -> None:
    publish(dynamodb, models_table, [model_doc("a")])
    client = Flaky(dynamodb, operation, times=1, code="ThrottlingException")
    contents = flaky_store(client, models_table, read_attempts=2).read_catalog()
    assert contents is not None
    assert client.calls == 2

    client = Flaky(dynamodb, operation, times=1, code="ThrottlingException")
    with pytest.raises(CatalogUnavailable, match="ThrottlingException"):
        flaky_store(client, models_table).read_catalog()  # one attempt by default
    assert client.calls == 1


def test_a_read_that_is_refused_for_good_is_not_tried_again(
    dynamodb: DynamoDBClient, models_table: str
) -> None:
    client = Flaky(dynamodb, "get_item", times=1, code="AccessDeniedException")
    with pytest.raises(CatalogUnavailable, match="AccessDenied"):
        flaky_store(client, models_table, read_attempts=2).read_version()
    assert client.calls == 1


class UnprocessedReads:
    """A DynamoDB client whose BatchGetItem leaves every key unprocessed `times` times."""

    def __init__(self, client: DynamoDBClient, times: int) -> None:
        self._client = client
        self._left = times
        self.calls = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def batch_get_item(self, RequestItems: dict[str, Any]) -> Any:
        self.calls += 1
        if self._left > 0:
            self._left -= 1
            return {"Responses": {}, "UnprocessedKeys": RequestItems}
        return self._client.batch_get_item(RequestItems=RequestItems)


def test_unprocessed_keys_are_asked_again_then_give_up(
    dynamodb: DynamoDBClient, models_table: str
) -> None:
    publish(dynamodb, models_table, [model_doc("a")])
    slow = UnprocessedReads(dynamodb, times=2)
    sleeps: list[float] = []
    store = DynamoDBCatalogStore(models_table, dynamodb=lambda: slow, sleep=sleeps.append)  # type: ignore[arg-type, return-value]
    assert store.read_catalog() is not None
    assert slow.calls == 3
    assert len(sleeps) == 2

    stuck = UnprocessedReads(dynamodb, times=99)
    store = DynamoDBCatalogStore(models_table, dynamodb=lambda: stuck, sleep=lambda _: None)  # type: ignore[arg-type, return-value]
    with pytest.raises(CatalogUnavailable, match="still unprocessed after 3 attempts"):
        store.read_catalog()


def test_many_chunks_are_read_100_keys_a_call(dynamodb: DynamoDBClient, models_table: str) -> None:
    store = store_of(dynamodb, models_table, chunk_size=1)
    document = document_of([model_doc(f"model-{n}") for n in range(8)])
    written = store.write_version(document, version=1)
    store.move_pointer(None, written)
    calls = CallCounter(dynamodb)
    assert written.chunks > 100
    contents = store.read_catalog()
    assert contents is not None
    assert len(contents.models) == 8
    assert calls.count("BatchGetItem") == -(-written.chunks // 100)


def test_a_chunk_whose_bytes_changed_is_corrupt_not_served(
    dynamodb: DynamoDBClient, models_table: str
) -> None:
    publish(dynamodb, models_table, [model_doc("a"), model_doc("b")])
    (sk,) = [sk for sk in items(dynamodb, models_table) if sk.startswith("chunk#")]
    tampered = zlib.compress(json.dumps({"object": "list", "data": [model_doc("a")]}).encode())
    dynamodb.put_item(
        TableName=models_table,
        Item={"pk": {"S": "catalog"}, "sk": {"S": sk}, "data": {"B": tampered}},
    )
    store = DynamoDBCatalogStore(models_table, dynamodb=lambda: dynamodb)
    with pytest.raises(CatalogCorrupt, match="read back as"):
        store.read_catalog()

    dynamodb.put_item(
        TableName=models_table,
        Item={"pk": {"S": "catalog"}, "sk": {"S": sk}, "data": {"B": b"not zlib"}},
    )
    with pytest.raises(CatalogCorrupt, match="do not decompress"):
        store.read_catalog()

    dynamodb.delete_item(TableName=models_table, Key={"pk": {"S": "catalog"}, "sk": {"S": sk}})
    with pytest.raises(CatalogCorrupt, match="missing"):
        store.read_catalog()


def test_a_meta_item_of_the_legacy_layout_reads_as_nothing_published(
    dynamodb: DynamoDBClient, models_table: str
) -> None:
    """One item per model and a meta item without chunks: what the code before chunks wrote."""
    dynamodb.put_item(
        TableName=models_table,
        Item={
            "pk": {"S": "catalog"},
            "sk": {"S": "meta"},
            "version": {"N": "5"},
            "count": {"N": "1"},
            "digest": {"S": "an-entries-hash"},
        },
    )
    dynamodb.put_item(
        TableName=models_table,
        Item={"pk": {"S": "catalog"}, "sk": {"S": "model#a"}, "position": {"N": "0"}},
    )
    store = DynamoDBCatalogStore(models_table, dynamodb=lambda: dynamodb)
    assert store.read_catalog() is None
    assert store.read_version() == 5
    assert store.read_catalog(version=5) is None
    pointer = store.read_pointer()
    assert pointer is not None
    assert (pointer.version, pointer.readable) == (5, False)

    assert publish(dynamodb, models_table, [model_doc("b")]) == 6  # numbering goes on
    assert sorted(sk.split("#")[0] for sk in items(dynamodb, models_table)) == ["chunk", "meta"]
    contents = store.read_catalog()
    assert contents is not None
    assert (contents.version, [m.id for m in contents.models]) == (6, ["b"])
    assert "previous_digest" not in items(dynamodb, models_table)["meta"]


def test_store_errors_become_catalog_unavailable(aws: AwsClients) -> None:
    store = DynamoDBCatalogStore("no-such-table", dynamodb=aws.dynamodb)
    with pytest.raises(CatalogUnavailable, match="no-such-table") as caught:
        store.read_version()
    assert isinstance(caught.value.__cause__, ClientError)


def test_a_lost_version_race_is_a_version_conflict_caused_by_the_condition(
    dynamodb: DynamoDBClient, models_table: str
) -> None:
    publish(dynamodb, models_table, [model_doc("a")])
    store = DynamoDBCatalogStore(models_table, dynamodb=lambda: dynamodb)
    written = store.write_version(document_of([model_doc("b")]), version=1)
    with pytest.raises(VersionConflict) as caught:
        store.move_pointer(None, written)
    cause = caught.value.__cause__
    assert isinstance(cause, ClientError)
    assert cause.response["Error"]["Code"] == "ConditionalCheckFailedException"


def test_the_client_is_asked_for_on_use_not_at_construction(
    dynamodb: DynamoDBClient, models_table: str
) -> None:
    asked: list[str] = []

    def provider() -> DynamoDBClient:
        asked.append("dynamodb")
        return dynamodb

    store = DynamoDBCatalogStore(models_table, dynamodb=provider)
    assert asked == []
    assert store.read_version() is None
    assert asked == ["dynamodb"]


def test_a_table_name_is_required(aws: AwsClients) -> None:
    with pytest.raises(ValueError, match="table_name"):
        DynamoDBCatalogStore("", dynamodb=aws.dynamodb)
    with pytest.raises(ValueError, match="read_attempts"):
        DynamoDBCatalogStore("t", dynamodb=aws.dynamodb, read_attempts=0)


def test_a_document_that_hashes_right_but_is_no_catalog_is_corrupt(
    dynamodb: DynamoDBClient, models_table: str
) -> None:
    body = b'{"object":"list","data":{}}'
    digest = hashlib.sha256(body).hexdigest()
    dynamodb.put_item(
        TableName=models_table,
        Item={
            "pk": {"S": "catalog"},
            "sk": {"S": f"chunk#{digest}#0000"},
            "data": {"B": zlib.compress(body)},
        },
    )
    dynamodb.put_item(
        TableName=models_table,
        Item={
            "pk": {"S": "catalog"},
            "sk": {"S": "meta"},
            "version": {"N": "1"},
            "digest": {"S": digest},
            "chunks": {"N": "1"},
            "count": {"N": "0"},
        },
    )
    store = DynamoDBCatalogStore(models_table, dynamodb=lambda: dynamodb)
    with pytest.raises(CatalogCorrupt, match="not a catalog document"):
        store.read_catalog()


@pytest.mark.parametrize(
    "change",
    [
        {"version": {"N": "1.5"}},
        {"version": {"N": "1E+3"}},
        {"version": {"S": "1"}},
        {"version": {"B": b"\x01"}},
        {"chunks": {"S": "1"}},
        {"chunks": {"N": "0.5"}},
        {"chunks": {"N": "-1"}},
        {"chunks": {"N": "100000"}},
        {"digest": {"B": b"x"}},
        {"digest": {"S": "not-the-digest"}},
        {"count": {"N": "1.5"}},
    ],
)
def test_a_pointer_edited_by_hand_is_never_a_crash(
    dynamodb: DynamoDBClient, models_table: str, change: dict[str, Any]
) -> None:
    """Whatever a hand edit leaves in the meta item, a reader gets a catalog, nothing
    published, or CatalogUnavailable (the cache then serves its last good or the bundled one)."""
    publish(dynamodb, models_table, [model_doc("a")])
    key = {"pk": {"S": "catalog"}, "sk": {"S": "meta"}}
    meta = dynamodb.get_item(TableName=models_table, Key=key)["Item"]
    dynamodb.put_item(TableName=models_table, Item={**meta, **change})
    store = store_of(dynamodb, models_table)
    try:
        store.read_version()
        contents = store.read_catalog()
    except CatalogUnavailable:
        return
    assert contents is None or [m.id for m in contents.models] == ["a"]

"""What is read back from the catalog table is untrusted: one bad item never takes the API down.

Each case writes a bad version (as a bug, a hand edit or a wrong backup would) straight into the
moto table, then drives the deployed `handler.api.lambda_handler`: a warm container goes on
serving the version it had (`stale`), a cold one the bundled catalog, `/health` answers, the bad
version's chunks are read at most once (it is remembered until the pointer moves), memory stays
bounded where memory is the point, and the sync publishes over it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import tracemalloc
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest

from apikeys.verifier import KeyVerifier
from catalog.cache import CatalogCache
from catalog.document import DOCUMENT_PREFIX, DOCUMENT_SUFFIX, document_of
from catalog.dynamodb import CHUNK_SIZE, DynamoDBCatalogStore, chunk_sk
from catalog.limits import MAX_DOCUMENT_BYTES, MAX_MODELS
from catalog.schema import Model
from catalog.sync import CatalogSync
from handler.api import lambda_handler
from handler.deps import Services
from tests.support.events import load
from tests.support.factories import model_doc, publish
from tests.support.fakes import CallCounter, FakeClock
from tests.support.http import LambdaContext, lambda_body

if TYPE_CHECKING:
    from fastapi import FastAPI
    from mypy_boto3_dynamodb import DynamoDBClient

    from awsclients import AwsClients

TTL = 60.0
GOOD = [model_doc("gpt-4o"), model_doc("gpt-4o-mini")]
EVENT_KEY = "ar-dev-local-key"  # the key the events in events/ carry


@dataclass
class Container:
    """One API container (the deployed handler) over the moto table, on a clock moved by hand."""

    clock: FakeClock
    calls: CallCounter

    def list_ids(self) -> list[str]:
        response = lambda_handler(load("list-models.json"), LambdaContext())
        assert response["statusCode"] == 200, response
        return [model["id"] for model in json.loads(lambda_body(response))["data"]]

    def health(self) -> dict[str, Any]:
        response = lambda_handler(load("health.json"), LambdaContext())
        assert response["statusCode"] == 200, response
        catalog: dict[str, Any] = json.loads(lambda_body(response))["catalog"]
        return catalog

    def after_ttl(self) -> None:
        self.clock.now += TTL


@pytest.fixture
def container(
    deployed_app: FastAPI, aws: AwsClients, dynamodb: DynamoDBClient, models_table: str
) -> Callable[[], Container]:
    """Starts a container (as many as a test wants, each with its own cache) on the table."""

    def start() -> Container:
        clock = FakeClock()
        store = DynamoDBCatalogStore(models_table, dynamodb=lambda: dynamodb, read_attempts=2)
        cache = CatalogCache(store, ttl=TTL, clock=clock)
        deployed_app.state.services = Services(cache, KeyVerifier(None, dev_key=EVENT_KEY))
        return Container(clock, CallCounter(dynamodb))

    return start


def write_version(
    dynamodb: DynamoDBClient,
    table: str,
    version: int,
    pieces: list[bytes],
    *,
    digest: str | None = None,
    chunks: dict[str, str] | None = None,
) -> None:
    """A version as a hand edit leaves it: these chunk bytes under `digest`, then the pointer
    (`chunks`: the pointer's attribute as given, default the number of pieces)."""
    digest = digest or hashlib.sha256(b"".join(pieces)).hexdigest()
    for index, piece in enumerate(pieces):
        dynamodb.put_item(
            TableName=table,
            Item={
                "pk": {"S": "catalog"},
                "sk": {"S": chunk_sk(digest, index)},
                "data": {"B": piece},
                "for_version": {"N": str(version)},
            },
        )
    dynamodb.put_item(
        TableName=table,
        Item={
            "pk": {"S": "catalog"},
            "sk": {"S": "meta"},
            "version": {"N": str(version)},
            "digest": {"S": digest},
            "chunks": chunks or {"N": str(len(pieces))},
            "count": {"N": "1"},
        },
    )


def write_body(dynamodb: DynamoDBClient, table: str, version: int, body: bytes) -> None:
    """A document of these bytes, compressed and chunked as the sync does, its digest right."""
    data = zlib.compress(body, 9)
    pieces = [data[start : start + CHUNK_SIZE] for start in range(0, len(data), CHUNK_SIZE)]
    write_version(dynamodb, table, version, pieces, digest=hashlib.sha256(body).hexdigest())


def zlib_bomb(inflated: int) -> bytes:
    """A zlib stream of `inflated` zero bytes (about 1,000 times smaller), made without ever
    holding them."""
    deflater = zlib.compressobj(9)
    step = bytes(2**20)
    parts = [deflater.compress(step) for _ in range(inflated // len(step))]
    return b"".join([*parts, deflater.flush()])


def peak_bytes(call: Callable[[], object]) -> int:
    """The most memory Python held during `call`, above what it held before."""
    tracemalloc.start()
    try:
        call()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def sync_over(dynamodb: DynamoDBClient, table: str) -> int | None:
    """A sync run publishing GOOD over whatever the table holds; the version it leaves."""
    store = DynamoDBCatalogStore(table, dynamodb=lambda: dynamodb)
    models = [Model.model_validate(doc) for doc in GOOD]
    return CatalogSync(store, max_remove_fraction=1.0).run(models, source="test").version


BAD_DOCUMENTS = {
    # A document nested 10,000 levels deep, its digest right: every request was a 500.
    "nested-10000-deep": DOCUMENT_PREFIX + b"[" * 10_000 + b"]" * 10_000 + DOCUMENT_SUFFIX,
    # A million junk entries: validated one by one, a warning each, for 30 s.
    "a-million-junk-entries": DOCUMENT_PREFIX + b",".join([b"0"] * 1_000_000) + DOCUMENT_SUFFIX,
    # More valid models than a source may hold: not served beyond the cap.
    "over-the-model-cap": document_of(
        [model_doc(f"m-{index}") for index in range(MAX_MODELS + 1)]
    ).body,
    # Models, none of them valid: read and validated again at every TTL.
    "no-valid-model": document_of([{"id": "broken"}, {"id": 1}]).body,
    # Not the document the sync writes (a key beside the list), its digest right.
    "not-a-catalog-document": b'{"object":"list","data":[],"more":[1]}',
}


@pytest.mark.parametrize("case", sorted(BAD_DOCUMENTS))
def test_a_bad_stored_document_is_served_stale_or_bundled_and_read_once(
    container: Callable[[], Container],
    dynamodb: DynamoDBClient,
    models_table: str,
    caplog: pytest.LogCaptureFixture,
    case: str,
) -> None:
    publish(dynamodb, models_table, GOOD)
    warm = container()
    assert warm.list_ids() == ["gpt-4o", "gpt-4o-mini"]
    write_body(dynamodb, models_table, 2, BAD_DOCUMENTS[case])
    caplog.clear()

    # GIVEN a container that served version 1, WHEN the bad version 2 is published
    warm.after_ttl()
    warm.calls.reset()
    assert warm.list_ids() == ["gpt-4o", "gpt-4o-mini"]  # THEN version 1, stale
    assert warm.health() == {"source": "stale", "version": 1, "models": 2}
    assert warm.calls.count("BatchGetItem") <= 1  # its chunks read once
    # One warning or two, never one per entry.
    assert len([r for r in caplog.records if r.levelno >= logging.WARNING]) <= 2
    # AND after every later backoff: its number only, never its chunks again.
    for _ in range(3):
        warm.after_ttl()
        warm.calls.reset()
        assert warm.health()["source"] == "stale"
        assert warm.calls.calls == ["GetItem"]

    # A container that starts now serves the bundled catalog, and remembers too.
    cold = container()
    assert cold.health()["source"] == "bundled"
    cold.after_ttl()
    cold.calls.reset()
    assert cold.health()["source"] == "bundled"
    assert cold.calls.calls == ["GetItem"]

    # The sync reads the bad version back without crashing, and publishes over it.
    assert sync_over(dynamodb, models_table) == 3
    cold.after_ttl()
    assert cold.health() == {"source": "dynamodb", "version": 3, "models": 2}


def test_a_decompression_bomb_is_refused_while_inflating_in_bounded_memory(
    container: Callable[[], Container], dynamodb: DynamoDBClient, models_table: str
) -> None:
    """Three items that inflate to 1.1 GB killed 512 MB containers in a loop; the repairing
    sync needed over 1 GB. A 256 MiB bomb, 32 times the document cap, shows the bound."""
    publish(dynamodb, models_table, GOOD)
    warm = container()
    warm.list_ids()
    bomb = zlib_bomb(256 * 2**20)
    write_version(dynamodb, models_table, 2, [bomb[:CHUNK_SIZE], bomb[CHUNK_SIZE:]])
    warm.after_ttl()

    peak = peak_bytes(warm.health)
    assert warm.health()["source"] == "stale"
    # Not even the document cap is held: the bomb is measured, never kept.
    assert peak < MAX_DOCUMENT_BYTES, f"{peak:,} bytes at peak"
    warm.after_ttl()
    warm.calls.reset()
    assert warm.health()["source"] == "stale"
    assert warm.calls.calls == ["GetItem"]  # remembered: not inflated again

    sync_peak = peak_bytes(lambda: sync_over(dynamodb, models_table))
    assert sync_peak < MAX_DOCUMENT_BYTES, f"the sync: {sync_peak:,} bytes at peak"
    warm.after_ttl()
    assert warm.health() == {"source": "dynamodb", "version": 3, "models": 2}


@pytest.mark.parametrize(
    "chunks",
    [
        {"N": "100000"},  # 1,000 sequential BatchGetItem calls per revalidation
        {"N": "1E+9"},  # allocated until a MemoryError: 500 everywhere
        {"N": "0"},
        {"N": "-3"},
        {"N": "2.5"},
        {"S": "3"},  # a hand edit of the wrong type
    ],
    ids=["100000", "1E+9", "zero", "negative", "fraction", "string"],
)
def test_a_pointer_s_chunk_count_beyond_what_the_cap_needs_is_unreadable_not_an_allocation(
    container: Callable[[], Container],
    dynamodb: DynamoDBClient,
    models_table: str,
    caplog: pytest.LogCaptureFixture,
    chunks: dict[str, str],
) -> None:
    publish(dynamodb, models_table, GOOD)
    warm = container()
    warm.list_ids()
    write_version(dynamodb, models_table, 2, [b"x"], chunks=chunks)
    warm.after_ttl()
    warm.calls.reset()

    peak = peak_bytes(warm.health)
    assert peak < 2 * 2**20, f"{peak:,} bytes at peak"
    assert warm.calls.count("BatchGetItem") == 0  # refused from the pointer alone
    assert warm.health() == {"source": "stale", "version": 1, "models": 2}
    assert "sk='meta'" in caplog.text
    assert "`chunks`" in caplog.text
    warm.after_ttl()
    warm.calls.reset()
    warm.health()
    assert warm.calls.calls == ["GetItem"]

    assert sync_over(dynamodb, models_table) == 3
    warm.after_ttl()
    assert warm.health() == {"source": "dynamodb", "version": 3, "models": 2}


def test_chunks_whose_bytes_do_not_match_the_digest_are_remembered(
    container: Callable[[], Container], dynamodb: DynamoDBClient, models_table: str
) -> None:
    publish(dynamodb, models_table, GOOD)
    warm = container()
    warm.list_ids()
    body = document_of([model_doc("evil")]).body
    write_version(
        dynamodb, models_table, 2, [zlib.compress(body)], digest=hashlib.sha256(b"x").hexdigest()
    )
    warm.after_ttl()
    assert warm.list_ids() == ["gpt-4o", "gpt-4o-mini"]
    warm.after_ttl()
    warm.calls.reset()
    assert warm.health()["source"] == "stale"
    assert warm.calls.calls == ["GetItem"]


def test_a_version_with_no_valid_model_is_reported_in_one_line_with_a_count(
    container: Callable[[], Container],
    dynamodb: DynamoDBClient,
    models_table: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Invalid entries among valid ones: the valid ones are served, the others named in one
    warning with their count and the first few reasons."""
    docs: list[Any] = [model_doc("gpt-4o"), *({"id": f"broken-{i}"} for i in range(500))]
    publish(dynamodb, models_table, docs)
    cold = container()
    assert cold.list_ids() == ["gpt-4o"]
    skipped = [r.getMessage() for r in caplog.records if "invalid model" in r.getMessage()]
    assert len(skipped) == 1
    assert skipped[0].startswith("skipping 500 invalid model(s) of 501 in catalog version 1")
    assert "model 1 (broken-0): created: Field required" in skipped[0]
    assert "broken-3" not in skipped[0]


@pytest.mark.parametrize(
    "version",
    [{"S": "5"}, {"N": "1.5"}, {"N": "9.9E+125"}, {"L": [{"N": "1"}]}],
    ids=["string", "fraction", "huge", "list"],
)
def test_a_pointer_whose_version_has_the_wrong_type_is_named_and_published_over(
    container: Callable[[], Container],
    dynamodb: DynamoDBClient,
    models_table: str,
    caplog: pytest.LogCaptureFixture,
    version: dict[str, Any],
) -> None:
    """A hand edit of the meta item used to wedge every later sync ("another sync won the
    race", forever); the API serves stale or bundled meanwhile, never a 500."""
    publish(dynamodb, models_table, GOOD)
    warm = container()
    warm.list_ids()
    dynamodb.update_item(
        TableName=models_table,
        Key={"pk": {"S": "catalog"}, "sk": {"S": "meta"}},
        UpdateExpression="SET version = :v",
        ExpressionAttributeValues={":v": version},
    )
    warm.after_ttl()
    assert warm.health()["source"] == "stale"

    published = sync_over(dynamodb, models_table)
    assert published is not None
    assert "its pointer (item sk='meta' of test-models) cannot be read: `version` is" in caplog.text
    warm.after_ttl()
    assert warm.health() == {"source": "dynamodb", "version": published, "models": 2}
    assert sync_over(dynamodb, models_table) == published  # and the next run is a no-op


def test_a_404_for_a_10_kb_id_quotes_at_most_100_characters_of_it(
    container: Callable[[], Container], dynamodb: DynamoDBClient, models_table: str
) -> None:
    publish(dynamodb, models_table, GOOD)
    container()
    event = load("retrieve-model.json")
    long_id = "x" * 10_000
    event["rawPath"] = event["requestContext"]["http"]["path"] = f"/v1/models/{long_id}"
    event["pathParameters"] = {"proxy": long_id}
    response = lambda_handler(event, LambdaContext())
    assert response["statusCode"] == 404
    message = json.loads(lambda_body(response))["error"]["message"]
    assert message == f"The model '{'x' * 100}...' does not exist"


def test_chunks_that_have_not_arrived_yet_are_transient_not_remembered(
    container: Callable[[], Container], dynamodb: DynamoDBClient, models_table: str
) -> None:
    """A replica can hold the new pointer before its chunks (issue 17): the container keeps its
    version, reads the chunks again after its backoff, and serves the new version once they
    are there. Bad content is remembered; a missing chunk is not."""
    publish(dynamodb, models_table, GOOD)
    warm = container()
    warm.list_ids()
    body = document_of([model_doc("gpt-5")]).body
    data = zlib.compress(body, 9)
    digest = hashlib.sha256(body).hexdigest()
    dynamodb.put_item(
        TableName=models_table,
        Item={
            "pk": {"S": "catalog"},
            "sk": {"S": "meta"},
            "version": {"N": "2"},
            "digest": {"S": digest},
            "chunks": {"N": "1"},
            "count": {"N": "1"},
        },
    )
    for _ in range(2):
        warm.after_ttl()
        warm.calls.reset()
        assert warm.list_ids() == ["gpt-4o", "gpt-4o-mini"]
        assert warm.calls.count("BatchGetItem") >= 1  # tried again, every time
    write_version(dynamodb, models_table, 2, [data], digest=digest)  # the chunk arrives
    warm.after_ttl()
    assert warm.list_ids() == ["gpt-5"]
    assert warm.health() == {"source": "dynamodb", "version": 2, "models": 1}

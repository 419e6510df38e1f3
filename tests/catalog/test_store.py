"""The catalog store's contract (catalog.store), run against every implementation of it.

The domain tests run against InMemoryCatalogStore; these keep it from drifting away from the
DynamoDB adapter (on moto) that production runs. Both stores are built with small chunks, so a
catalog takes several of them, as a large one does in production.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from catalog.document import document_entries, document_of
from catalog.dynamodb import DynamoDBCatalogStore
from catalog.errors import CatalogCorrupt, CatalogUnavailable, VersionConflict
from catalog.store import CatalogStore, Pointer, WrittenVersion
from tests.support.factories import make_model, model_doc
from tests.support.memory_store import InMemoryCatalogStore

if TYPE_CHECKING:
    from awsclients import AwsClients

BACKENDS = ["memory", "dynamodb"]
CHUNK_SIZE = 200  # bytes: a few models' worth (compressed in DynamoDB, raw in memory)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


@pytest.fixture
def store(backend: str, request: pytest.FixtureRequest) -> CatalogStore:
    if backend == "memory":
        return InMemoryCatalogStore(chunk_size=CHUNK_SIZE)
    aws: AwsClients = request.getfixturevalue("aws")
    table: str = request.getfixturevalue("models_table")
    return DynamoDBCatalogStore(
        table, dynamodb=aws.dynamodb, sleep=lambda _: None, chunk_size=CHUNK_SIZE
    )


@pytest.fixture
def unavailable_store(backend: str, request: pytest.FixtureRequest) -> CatalogStore:
    """A store that cannot answer: switched off in memory, a table that does not exist."""
    if backend == "memory":
        store = InMemoryCatalogStore()
        store.unavailable = True
        return store
    aws: AwsClients = request.getfixturevalue("aws")
    request.getfixturevalue("models_table")  # other tables exist; this one does not
    return DynamoDBCatalogStore("no-such-table", dynamodb=aws.dynamodb)


def docs_of(n: int, **overrides: Any) -> list[dict[str, Any]]:
    return [model_doc(f"model-{i:02}", context_length=1000 + i, **overrides) for i in range(n)]


def publish(store: CatalogStore, docs: list[dict[str, Any]]) -> Pointer:
    """Write, move the pointer, clean up: as a sync does."""
    pointer = store.read_pointer()
    document = document_of(docs)
    written = store.write_version(document, version=(pointer.version if pointer else 0) + 1)
    published = store.move_pointer(pointer, written)
    store.clean_up(published)
    return published


def served(store: CatalogStore) -> tuple[int, list[str]] | None:
    contents = store.read_catalog()
    return None if contents is None else (contents.version, [m.id for m in contents.models])


def test_nothing_published_reads_as_none(store: CatalogStore) -> None:
    assert store.read_version() is None
    assert store.read_catalog() is None
    assert store.read_pointer() is None
    assert store.clean_up(Pointer(version=1, digest="d", chunks=1, count=1)) == 0


def test_a_published_document_is_read_back_whole_in_curated_order(store: CatalogStore) -> None:
    docs = [
        make_model("zeta").to_wire(),
        make_model("meta/x:1", owned_by="meta").to_wire(),
        model_doc("alpha", owned_by="anthropic", pricing_notes={"input": 2.5, "tiers": [1, 0.5]}),
        *docs_of(20),
    ]
    document = document_of(docs)
    written = store.write_version(document, version=1)
    assert written.chunks > 1  # the small chunks split it
    assert (written.version, written.digest, written.count) == (1, document.digest, 23)
    assert written.writes == written.chunks
    assert store.read_catalog() is None  # written is not published

    pointer = store.move_pointer(None, written)

    assert pointer == Pointer(1, document.digest, written.chunks, 23, previous_digest=None)
    assert store.read_pointer() == pointer
    assert store.read_version() == 1
    assert store.read_document(pointer) == document
    contents = store.read_catalog()
    assert contents is not None
    assert contents.version == 1
    assert [m.to_wire() for m in contents.models] == docs


def test_read_catalog_carries_the_version_it_really_read(store: CatalogStore) -> None:
    publish(store, docs_of(2))
    contents = store.read_catalog(version=7)  # a caller that is wrong about the version
    assert contents is not None
    assert (contents.version, len(contents.models)) == (1, 2)


def test_a_version_read_then_changed_is_still_read_whole(store: CatalogStore) -> None:
    """read_version, then two publishes (the first version's chunks cleaned up), then
    read_catalog with the version read first: the catalog as it is now, never a part."""
    publish(store, docs_of(3))
    assert store.read_version() == 1
    publish(store, docs_of(4))
    publish(store, docs_of(5))
    assert served(store) == (3, [f"model-{i:02}" for i in range(5)])
    contents = store.read_catalog(version=1)
    assert contents is not None
    assert (contents.version, len(contents.models)) == (3, 5)


def test_models_that_are_not_valid_are_skipped_by_read_catalog_only(
    store: CatalogStore, caplog: pytest.LogCaptureFixture
) -> None:
    docs: list[Any] = [model_doc("good"), {"id": "broken"}, "not a model", model_doc("good")]
    pointer = publish(store, docs)
    assert served(store) == (1, ["good"])  # the duplicate is skipped too
    skipped = [r.getMessage() for r in caplog.records if "skipping" in r.getMessage()]
    assert len(skipped) == 1  # one line for them all, with a count and the first reasons
    assert skipped[0].startswith("skipping 3 invalid model(s) of 4 in catalog version 1")
    assert "model 1 (broken)" in skipped[0]
    assert "duplicate id 'good'" in skipped[0]
    assert document_entries(store.read_document(pointer)) == docs  # the sync sees them as they are


def test_move_pointer_keeps_the_replaced_document_as_previous(store: CatalogStore) -> None:
    first = publish(store, docs_of(2))
    second = publish(store, docs_of(3))
    assert (second.version, second.previous_digest) == (2, first.digest)
    assert store.read_document(first) == document_of(docs_of(2))  # still readable


@pytest.mark.parametrize(("published", "expected"), [(0, 3), (1, None), (2, 1), (2, 3)])
def test_moving_from_a_stale_pointer_is_a_conflict_that_changes_nothing(
    store: CatalogStore, published: int, expected: int | None
) -> None:
    for n in range(published):
        publish(store, docs_of(n + 1))
    before = store.read_pointer()
    stale = None if expected is None else Pointer(expected, "stale", 1, 1)
    written = store.write_version(document_of(docs_of(9)), version=(expected or 0) + 1)
    with pytest.raises(VersionConflict) as caught:
        store.move_pointer(stale, written)
    assert caught.value.expected == expected
    assert store.read_pointer() == before
    ids = [doc["id"] for doc in docs_of(published)]
    assert served(store) == ((published, ids) if published else None)


def test_a_pointer_only_moves_to_the_next_version(store: CatalogStore) -> None:
    written = store.write_version(document_of(docs_of(1)), version=2)
    with pytest.raises(ValueError, match="cannot follow"):
        store.move_pointer(None, written)


def test_writing_the_same_document_again_is_harmless(store: CatalogStore) -> None:
    document = document_of(docs_of(10))
    first = store.write_version(document, version=1)
    again = store.write_version(document, version=1)
    assert (again.digest, again.chunks) == (first.digest, first.chunks)
    store.move_pointer(None, again)
    assert served(store) == (1, [m["id"] for m in docs_of(10)])


def test_clean_up_keeps_the_published_and_previous_documents_and_what_is_in_flight(
    store: CatalogStore,
) -> None:
    v1 = publish(store, docs_of(1))
    v2 = publish(store, docs_of(2))
    # A run that lost a race for version 3, and one still in flight for version 4.
    lost = store.write_version(document_of(docs_of(7)), version=3)
    v3 = publish(store, docs_of(3))
    in_flight = store.write_version(document_of(docs_of(8)), version=4)
    assert store.clean_up(v3) == 0  # publish() cleaned up already; the run in flight is kept
    with pytest.raises(CatalogCorrupt):  # v1's chunks went when v3 was published
        store.read_document(v1)
    with pytest.raises(CatalogCorrupt):  # the loser's went with them
        store.read_document(Pointer(3, lost.digest, lost.chunks, lost.count))
    assert store.read_document(v2).count == 2  # the previous one stays for readers in flight
    assert store.read_document(v3).count == 3
    # The run in flight can still publish: its chunks were left alone.
    v4 = store.move_pointer(v3, in_flight)
    assert served(store) == (4, [m["id"] for m in docs_of(8)])
    assert store.clean_up(v4) > 0  # v2 is no longer needed
    with pytest.raises(CatalogCorrupt):
        store.read_document(v2)


def test_a_missing_chunk_is_corrupt_never_a_part_of_the_catalog(store: CatalogStore) -> None:
    pointer = publish(store, docs_of(12))
    assert pointer.chunks > 1
    lost = Pointer(pointer.version, pointer.digest, pointer.chunks + 1, pointer.count)
    with pytest.raises(CatalogCorrupt, match="missing"):
        store.read_document(lost)


def test_a_pointer_of_the_legacy_layout_names_no_document(store: CatalogStore) -> None:
    with pytest.raises(CatalogCorrupt, match="no document"):
        store.read_document(Pointer(version=5, digest=None, chunks=0, count=0))


def test_an_unavailable_store_raises_catalog_unavailable_on_every_call(
    unavailable_store: CatalogStore,
) -> None:
    document = document_of(docs_of(1))
    pointer = Pointer(1, document.digest, 1, 1)
    written = WrittenVersion(1, document.digest, 1, document.count, 1)
    with pytest.raises(CatalogUnavailable):
        unavailable_store.read_version()
    with pytest.raises(CatalogUnavailable):
        unavailable_store.read_catalog()
    with pytest.raises(CatalogUnavailable):
        unavailable_store.read_catalog(version=1)
    with pytest.raises(CatalogUnavailable):
        unavailable_store.read_pointer()
    with pytest.raises(CatalogUnavailable):
        unavailable_store.read_document(pointer)
    with pytest.raises(CatalogUnavailable):
        unavailable_store.write_version(document, version=1)
    with pytest.raises(CatalogUnavailable):
        unavailable_store.move_pointer(None, written)
    with pytest.raises(CatalogUnavailable):
        unavailable_store.clean_up(pointer)

"""The catalog store's contract (catalog.store), run against every implementation of it.

The domain tests run against InMemoryCatalogStore; these keep it from drifting away from the
DynamoDB adapter (on moto) that production runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from catalog.dynamodb import DynamoDBCatalogStore
from catalog.errors import CatalogUnavailable, VersionConflict
from catalog.store import CatalogMeta, CatalogStore, StoredEntry, catalog_digest
from tests.support.factories import make_model, model_doc
from tests.support.memory_store import InMemoryCatalogStore

if TYPE_CHECKING:
    from awsclients import AwsClients

BACKENDS = ["memory", "dynamodb"]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


@pytest.fixture
def store(backend: str, request: pytest.FixtureRequest) -> CatalogStore:
    if backend == "memory":
        return InMemoryCatalogStore()
    aws: AwsClients = request.getfixturevalue("aws")
    table: str = request.getfixturevalue("models_table")
    return DynamoDBCatalogStore(table, dynamodb=aws.dynamodb, sleep=lambda _: None)


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


def publish(store: CatalogStore, entries: dict[str, StoredEntry]) -> int:
    """Write `entries` and advance the version, as a sync does."""
    store.write_entries(entries, [])
    meta = store.read_meta()
    return store.advance_version(
        None if meta is None else meta.version, count=len(entries), digest=catalog_digest(entries)
    )


def test_nothing_published_reads_as_none(store: CatalogStore) -> None:
    assert store.read_version() is None
    assert store.read_catalog() is None
    assert store.read_meta() is None
    assert store.read_entries() == {}


def test_published_models_are_read_in_curated_position_order(store: CatalogStore) -> None:
    # Written neither in position order nor in id order.
    written = {
        "alpha": StoredEntry(2, make_model("alpha", owned_by="anthropic").to_wire()),
        "zeta": StoredEntry(0, make_model("zeta").to_wire()),
        "meta/x:1": StoredEntry(1, make_model("meta/x:1", owned_by="meta").to_wire()),
    }
    assert publish(store, written) == 1
    assert store.read_version() == 1
    contents = store.read_catalog()
    assert contents is not None
    assert contents.version == 1
    assert contents.models == [
        make_model("zeta"),
        make_model("meta/x:1", owned_by="meta"),
        make_model("alpha", owned_by="anthropic"),
    ]


def test_read_catalog_uses_the_version_it_is_given(store: CatalogStore) -> None:
    publish(store, {"a": StoredEntry(0, model_doc("a"))})
    contents = store.read_catalog(version=7)
    assert contents is not None
    assert (contents.version, [m.id for m in contents.models]) == (7, ["a"])


def test_entries_that_are_not_valid_models_are_skipped_by_read_catalog_only(
    store: CatalogStore,
) -> None:
    written = {
        "good": StoredEntry(0, model_doc("good")),
        "broken": StoredEntry(1, {"id": "broken"}),
        "misfiled": StoredEntry(2, model_doc("other")),  # its id is not its key
    }
    publish(store, written)
    contents = store.read_catalog()
    assert contents is not None
    assert [m.id for m in contents.models] == ["good"]
    assert store.read_entries() == written  # the sync must see them, to rewrite them


def test_read_entries_returns_what_was_written(store: CatalogStore) -> None:
    written = {
        "a": StoredEntry(0, model_doc("a", pricing={"input": 2.5, "tiers": [1, 0.5]})),
        "b": StoredEntry(1, model_doc("b", description="extra fields are kept")),
    }
    assert store.write_entries(written, []) == 2
    assert store.read_entries() == written
    assert store.read_version() is None  # written is not published: no version yet


def test_puts_replace_and_deletes_remove(store: CatalogStore) -> None:
    store.write_entries({name: StoredEntry(i, model_doc(name)) for i, name in enumerate("abc")}, [])
    moved = StoredEntry(0, model_doc("c", context_length=1))
    assert store.write_entries({"c": moved}, ["a", "b", "never-written"]) == 4
    assert store.read_entries() == {"c": moved}


def test_advance_version_counts_up_from_the_expected_version(store: CatalogStore) -> None:
    assert store.advance_version(None, count=0, digest="one") == 1
    assert store.advance_version(1, count=0, digest="two") == 2
    assert store.read_version() == 2


@pytest.mark.parametrize(("published", "expected"), [(0, 3), (1, None), (2, 1), (2, 3)])
def test_advance_version_from_a_stale_version_is_a_conflict(
    store: CatalogStore, published: int, expected: int | None
) -> None:
    for version in range(published):
        store.advance_version(version or None, count=0, digest=f"d{version}")
    before = store.read_meta()
    with pytest.raises(VersionConflict) as caught:
        store.advance_version(expected, count=0, digest="late")
    assert caught.value.expected == expected
    assert store.read_meta() == before  # nothing moved


def test_the_digest_stored_by_advance_version_is_read_back_by_read_meta(
    store: CatalogStore,
) -> None:
    entries = {"a": StoredEntry(0, model_doc("a"))}
    publish(store, entries)
    assert store.read_meta() == CatalogMeta(version=1, digest=catalog_digest(entries))
    store.advance_version(1, count=1, digest="another")
    assert store.read_meta() == CatalogMeta(version=2, digest="another")


def test_an_unavailable_store_raises_catalog_unavailable_on_every_call(
    unavailable_store: CatalogStore,
) -> None:
    entry = {"a": StoredEntry(0, model_doc("a"))}
    with pytest.raises(CatalogUnavailable):
        unavailable_store.read_version()
    with pytest.raises(CatalogUnavailable):
        unavailable_store.read_catalog()
    with pytest.raises(CatalogUnavailable):
        unavailable_store.read_catalog(version=1)
    with pytest.raises(CatalogUnavailable):
        unavailable_store.read_meta()
    with pytest.raises(CatalogUnavailable):
        unavailable_store.read_entries()
    with pytest.raises(CatalogUnavailable):
        unavailable_store.write_entries(entry, [])
    with pytest.raises(CatalogUnavailable):
        unavailable_store.advance_version(None, count=1, digest="d")

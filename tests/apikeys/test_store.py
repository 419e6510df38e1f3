"""The keys table against moto: keys are stored only as hashes; create, get, list, revoke."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from apikeys import store as store_module
from apikeys.errors import AmbiguousKeyPrefix, KeyNotFound, KeyStoreUnavailable
from apikeys.material import hash_key
from apikeys.store import ACTIVE, REVOKED, ApiKeyStore

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


@pytest.fixture
def store(keys_table: str, dynamodb: DynamoDBClient) -> ApiKeyStore:
    return ApiKeyStore(keys_table, dynamodb=lambda: dynamodb)


def test_a_created_key_is_stored_only_as_its_hash(
    store: ApiKeyStore, dynamodb: DynamoDBClient, keys_table: str
) -> None:
    key, record = store.create("  router-prod ", tier="pro")
    assert (record.name, record.tier, record.status) == ("router-prod", "pro", ACTIVE)
    assert record.active
    assert record.key_hash == hash_key(key)
    assert record.prefix == key[:11]
    items = dynamodb.scan(TableName=keys_table)["Items"]
    assert [item["key_hash"]["S"] for item in items] == [hash_key(key)]
    assert key not in str(items)


def test_get_finds_a_record_by_hash_only(store: ApiKeyStore) -> None:
    key, created = store.create("ci")
    assert store.get(hash_key(key)) == created
    assert store.get(key) is None
    assert store.get(hash_key("ar-never-created")) is None


def test_list_gives_every_record_oldest_first(
    store: ApiKeyStore, dynamodb: DynamoDBClient, keys_table: str
) -> None:
    for name, created_at in (
        ("b", "2026-02-01T00:00:00+00:00"),
        ("a", "2026-01-01T00:00:00+00:00"),
    ):
        dynamodb.put_item(
            TableName=keys_table,
            Item={
                "key_hash": {"S": hash_key(f"ar-{name}")},
                "prefix": {"S": f"ar-{name}"},
                "name": {"S": name},
                "tier": {"S": "default"},
                "status": {"S": ACTIVE},
                "created_at": {"S": created_at},
            },
        )
    _, newest = store.create("c")
    assert [record.name for record in store.list()] == ["a", "b", "c"]
    assert store.list()[-1] == newest


@pytest.mark.parametrize("how", ["full key", "display prefix", "shorter prefix"])
def test_revoke_by_key_or_unique_prefix(store: ApiKeyStore, how: str) -> None:
    key, _ = store.create("leaked")
    other, _ = store.create("kept")
    given = {"full key": key, "display prefix": key[:11], "shorter prefix": key[:9]}[how]
    revoked = store.revoke(given)
    assert (revoked.key_hash, revoked.status, revoked.active) == (hash_key(key), REVOKED, False)
    stored = store.get(hash_key(key))
    assert stored is not None
    assert stored.status == REVOKED
    kept = store.get(hash_key(other))
    assert kept is not None
    assert kept.active


def test_revoke_refuses_unknown_short_and_ambiguous_prefixes(
    store: ApiKeyStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    minted = iter(
        ["ar-samepref-one-xxxxxxxxxxxxxxxxxxxxxxx", "ar-samepref-two-yyyyyyyyyyyyyyyyyyyyyy"]
    )
    monkeypatch.setattr(store_module, "generate_key", lambda: next(minted))
    store.create("a")
    store.create("b")
    with pytest.raises(AmbiguousKeyPrefix, match="2 keys start with 'ar-samep'"):
        store.revoke("ar-samep")
    with pytest.raises(KeyNotFound, match="no key matches"):
        store.revoke("ar-zzzzzz")
    with pytest.raises(KeyNotFound, match="at least 7 characters"):
        store.revoke("ar-sa")
    assert all(record.active for record in store.list())


def test_an_item_without_an_explicit_active_status_is_not_active(
    store: ApiKeyStore, dynamodb: DynamoDBClient, keys_table: str
) -> None:
    for key, status in (("ar-no-status", None), ("ar-odd-status", "enabled")):
        item = {"key_hash": {"S": hash_key(key)}, "name": {"S": "legacy"}}
        if status is not None:
            item["status"] = {"S": status}
        dynamodb.put_item(TableName=keys_table, Item=item)
        record = store.get(hash_key(key))
        assert record is not None
        assert not record.active


def test_an_unreachable_table_is_key_store_unavailable(dynamodb: DynamoDBClient) -> None:
    store = ApiKeyStore("no-such-table", dynamodb=lambda: dynamodb)
    with pytest.raises(KeyStoreUnavailable, match="no-such-table"):
        store.get(hash_key("ar-anything"))
    with pytest.raises(KeyStoreUnavailable):
        store.create("x")
    with pytest.raises(KeyStoreUnavailable):
        store.list()


def test_the_client_is_built_on_first_use_not_before() -> None:
    def no_client_yet() -> DynamoDBClient:
        raise AssertionError("the store built a client before it was used")

    ApiKeyStore("keys", dynamodb=no_client_yet)


@pytest.mark.parametrize("name", ["", "   "])
def test_a_key_needs_a_name(store: ApiKeyStore, name: str) -> None:
    with pytest.raises(ValueError, match="non-empty name"):
        store.create(name)
    assert store.list() == []


def test_a_store_needs_a_table_name(dynamodb: DynamoDBClient) -> None:
    with pytest.raises(ValueError, match="table_name"):
        ApiKeyStore("", dynamodb=lambda: dynamodb)

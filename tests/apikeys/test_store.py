"""The keys table against moto: keys are stored only as hashes; create, get, list, revoke; a
read retried once on a transient failure when the API asks for it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

import pytest
from botocore.exceptions import ClientError, ReadTimeoutError

from apikeys import store as store_module
from apikeys.errors import AmbiguousKeyPrefix, KeyNotFound, KeyStoreUnavailable
from apikeys.material import has_valid_checksum, hash_key
from apikeys.store import ACTIVE, REVOKED, ApiKeyStore
from tests.support.fake_keys import legacy_key, store_legacy_key
from tests.support.fakes import CallCounter

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


@pytest.fixture
def store(keys_table: str, dynamodb: DynamoDBClient) -> ApiKeyStore:
    return ApiKeyStore(keys_table, dynamodb=lambda: dynamodb)


def test_a_created_key_is_stored_only_as_its_hash(
    store: ApiKeyStore, dynamodb: DynamoDBClient, keys_table: str
) -> None:
    key, record = store.create("  router-prod ", tier="pro")
    assert has_valid_checksum(key)
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


@pytest.mark.parametrize("how", ["full key", "display prefix"])
def test_keys_issued_before_checksums_are_found_and_revoked_alike(
    store: ApiKeyStore, dynamodb: DynamoDBClient, keys_table: str, how: str
) -> None:
    old = legacy_key()
    store_legacy_key(dynamodb, keys_table, old)
    new, _ = store.create("new")
    found = store.get(hash_key(old))
    assert found is not None
    assert found.active
    revoked = store.revoke(old if how == "full key" else old[:11])
    assert (revoked.key_hash, revoked.status) == (hash_key(old), REVOKED)
    kept = store.get(hash_key(new))
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


class FlakyDynamoDB:
    """The moto client, whose next `get_item` calls raise the given errors first (as a throttled
    or hanging table does); it counts the calls the store makes."""

    def __init__(self, client: DynamoDBClient, *failures: Exception) -> None:
        self._client = client
        self._failures = list(failures)
        self.get_item_calls = 0

    def get_item(self, **kwargs: Any) -> Any:
        self.get_item_calls += 1
        if self._failures:
            raise self._failures.pop(0)
        return self._client.get_item(**kwargs)


def throttled() -> ClientError:
    response: Any = {
        "Error": {"Code": "ProvisionedThroughputExceededException", "Message": "slow down"},
        "ResponseMetadata": {"HTTPStatusCode": 400},
    }
    return ClientError(response, "GetItem")


def timed_out() -> ReadTimeoutError:
    return ReadTimeoutError(endpoint_url="https://dynamodb.us-east-1.amazonaws.com/")


def flaky_store(table: str, flaky: FlakyDynamoDB, *, read_attempts: int) -> ApiKeyStore:
    return ApiKeyStore(
        table, dynamodb=lambda: cast("DynamoDBClient", flaky), read_attempts=read_attempts
    )


@pytest.mark.parametrize("failure", [throttled, timed_out])
def test_with_two_read_attempts_a_transient_failure_is_retried_once(
    store: ApiKeyStore, dynamodb: DynamoDBClient, keys_table: str, failure: Any
) -> None:
    key, created = store.create("ci")
    wire = CallCounter(dynamodb)
    flaky = FlakyDynamoDB(dynamodb, failure())
    assert flaky_store(keys_table, flaky, read_attempts=2).get(hash_key(key)) == created
    assert flaky.get_item_calls == 2
    assert wire.count("GetItem") == 1  # the retry reached the table

    twice = FlakyDynamoDB(dynamodb, failure(), failure())
    with pytest.raises(KeyStoreUnavailable, match=keys_table):
        flaky_store(keys_table, twice, read_attempts=2).get(hash_key(key))
    assert twice.get_item_calls == 2  # and no third


@pytest.mark.parametrize("failure", [throttled, timed_out])
def test_by_default_a_read_is_one_call(
    dynamodb: DynamoDBClient, keys_table: str, failure: Any
) -> None:
    flaky = FlakyDynamoDB(dynamodb, failure())
    store = ApiKeyStore(keys_table, dynamodb=lambda: cast("DynamoDBClient", flaky))
    with pytest.raises(KeyStoreUnavailable):
        store.get(hash_key("anything"))
    assert flaky.get_item_calls == 1


def test_a_failure_that_will_last_is_not_retried(dynamodb: DynamoDBClient) -> None:
    wire = CallCounter(dynamodb)
    store = ApiKeyStore("no-such-table", dynamodb=lambda: dynamodb, read_attempts=2)
    with pytest.raises(KeyStoreUnavailable, match="ResourceNotFoundException"):
        store.get(hash_key("anything"))
    assert wire.count("GetItem") == 1


def test_read_attempts_must_be_at_least_one(dynamodb: DynamoDBClient) -> None:
    with pytest.raises(ValueError, match="read_attempts"):
        ApiKeyStore("keys", dynamodb=lambda: dynamodb, read_attempts=0)

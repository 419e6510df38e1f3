"""Bearer-key auth: fail closed, hashed keys, brief caching, 503 when the keys table fails."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from fastapi.testclient import TestClient

from handler import deps
from handler.api import app
from handler.keys import ApiKeyStore, InvalidApiKey, KeyStoreUnavailable, KeyVerifier, hash_key
from tests.factories import FakeClock
from tests.handler.test_api import assert_openai_error

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


@pytest.mark.parametrize(
    ("authorization", "message"),
    [
        (None, "You didn't provide an API key"),
        ("", "You didn't provide an API key"),
        ("Basic dXNlcjpwYXNz", "Malformed Authorization header"),
        ("Bearer", "Malformed Authorization header"),
        ("Bearer    ", "Malformed Authorization header"),
        ("Bearer ar-wrong-key-123456", "Incorrect API key provided: ar-wro***."),
        ("Bearer ab", "Incorrect API key provided: a***."),
    ],
)
@pytest.mark.usefixtures("dev_key")
def test_bad_keys_are_401_with_challenge(
    anonymous: TestClient, authorization: str | None, message: str
) -> None:
    response = anonymous.get(
        "/v1/models", headers={} if authorization is None else {"Authorization": authorization}
    )
    error = assert_openai_error(response, 401, code="invalid_api_key", type="invalid_request_error")
    assert error["message"].startswith(message)
    assert response.headers["www-authenticate"] == "Bearer"
    assert "wrong-key-123456" not in response.text  # only a short prefix is echoed


@pytest.mark.usefixtures("dev_key")
def test_retrieve_needs_a_key_too_but_health_does_not(anonymous: TestClient) -> None:
    assert anonymous.get("/v1/models/gpt-4o").status_code == 401
    assert anonymous.get("/health").status_code == 200


def test_with_no_key_store_and_no_dev_key_nothing_is_served(
    anonymous: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    for key in ("", "anything", "ar-dev-local-key"):
        response = anonymous.get("/v1/models", headers={"Authorization": f"Bearer {key}"})
        assert response.status_code == 401
    assert "every /v1 request is refused" in caplog.text


@pytest.fixture
def stored_key(
    keys_table: str, dynamodb: DynamoDBClient, monkeypatch: pytest.MonkeyPatch
) -> tuple[str, ApiKeyStore]:
    monkeypatch.setenv("API_KEYS_TABLE", keys_table)
    deps.reset()
    store = ApiKeyStore(keys_table, client=dynamodb)
    key, _ = store.create("ci", tier="pro")
    return key, store


def test_a_stored_key_works_and_is_stored_only_as_a_hash(
    anonymous: TestClient,
    stored_key: tuple[str, ApiKeyStore],
    dynamodb: DynamoDBClient,
    keys_table: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    key, _ = stored_key
    caplog.set_level("DEBUG")
    response = anonymous.get("/v1/models", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200
    assert len(response.json()["data"]) == 8  # every tier sees every model
    items = dynamodb.scan(TableName=keys_table)["Items"]
    assert [item["key_hash"]["S"] for item in items] == [hash_key(key)]
    assert key not in str(items)
    assert key not in caplog.text


class CountingStore:
    def __init__(self, inner: ApiKeyStore) -> None:
        self.inner = inner
        self.gets = 0
        self.failing = False

    def get(self, key_hash: str) -> object:
        self.gets += 1
        if self.failing:
            raise KeyStoreUnavailable("simulated outage")
        return self.inner.get(key_hash)


def verifier_client(store: CountingStore, clock: FakeClock) -> TestClient:
    verifier = KeyVerifier(store, ttl=60, negative_ttl=10, stale_for=3600, clock=clock)  # type: ignore[arg-type]

    async def provide() -> KeyVerifier:
        return verifier

    app.dependency_overrides[deps.provide_key_verifier] = provide
    return TestClient(app)


def test_lookups_are_cached_and_revocation_lands_within_the_ttl(
    stored_key: tuple[str, ApiKeyStore], anonymous: TestClient
) -> None:
    key, store = stored_key
    counting, clock = CountingStore(store), FakeClock()
    client = verifier_client(counting, clock)
    auth = {"Authorization": f"Bearer {key}"}
    for _ in range(5):
        assert client.get("/v1/models", headers=auth).status_code == 200
    assert counting.gets == 1
    store.revoke(key)
    clock.now = 59
    assert client.get("/v1/models", headers=auth).status_code == 200  # still cached
    clock.now = 60
    revoked = client.get("/v1/models", headers=auth)
    assert_openai_error(revoked, 401, code="invalid_api_key")
    assert counting.gets == 2


def test_keys_table_outage_keeps_recent_keys_and_503s_unknown_ones(
    stored_key: tuple[str, ApiKeyStore], anonymous: TestClient
) -> None:
    key, store = stored_key
    counting, clock = CountingStore(store), FakeClock()
    client = verifier_client(counting, clock)
    assert client.get("/v1/models", headers={"Authorization": f"Bearer {key}"}).status_code == 200
    counting.failing = True
    clock.now = 600  # past the TTL: a lookup is attempted and fails
    known = client.get("/v1/models", headers={"Authorization": f"Bearer {key}"})
    assert known.status_code == 200
    unknown = client.get("/v1/models", headers={"Authorization": "Bearer ar-never-seen-key"})
    assert_openai_error(unknown, 503, code="service_unavailable", type="server_error")
    assert int(unknown.headers["retry-after"]) > 0
    clock.now = 600 + 3600  # validated too long ago to trust without the table
    assert client.get("/v1/models", headers={"Authorization": f"Bearer {key}"}).status_code == 503


def test_unknown_keys_are_cached_briefly_and_the_cache_is_bounded(
    stored_key: tuple[str, ApiKeyStore],
) -> None:
    _, store = stored_key
    counting, clock = CountingStore(store), FakeClock()
    verifier = KeyVerifier(counting, negative_ttl=10, max_entries=3, clock=clock)  # type: ignore[arg-type]
    for _ in range(3):
        with pytest.raises(InvalidApiKey):
            verifier.verify("ar-unknown")
    assert counting.gets == 1
    clock.now = 10
    with pytest.raises(InvalidApiKey):
        verifier.verify("ar-unknown")
    assert counting.gets == 2  # a key created since is found within the negative TTL
    for n in range(10):
        with pytest.raises(InvalidApiKey):
            verifier.verify(f"ar-other-{n}")
    assert len(verifier._cache) == 3

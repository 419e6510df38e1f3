"""Bearer-key auth over HTTP: fail closed, OpenAI-shaped 401s, 503 when keys cannot be checked.

How keys are made, stored and verified (caching, revocation, outages) is tested in tests/apikeys.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from handler.errors import RETRY_AFTER_SECONDS
from handler.settings import Settings
from tests.support.fake_keys import FakeKeyLookup
from tests.support.http import api_client, assert_openai_error
from tests.support.services import make_services

if TYPE_CHECKING:
    from fastapi.testclient import TestClient
    from mypy_boto3_dynamodb import DynamoDBClient

    from awsclients import AwsClients

STORED_KEY = "ar-stored-key-abcdefghijklmnop"


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


def test_retrieve_needs_a_key_too_but_health_does_not(anonymous: TestClient) -> None:
    assert_openai_error(anonymous.get("/v1/models/gpt-4o"), 401, code="invalid_api_key")
    assert anonymous.get("/health").status_code == 200


def test_with_no_key_store_and_no_dev_key_nothing_is_served(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with api_client(Settings(), key=None) as anonymous:
        for key in ("", "anything", "ar-dev-local-key"):
            response = anonymous.get("/v1/models", headers={"Authorization": f"Bearer {key}"})
            assert_openai_error(response, 401, code="invalid_api_key")
            assert response.headers["www-authenticate"] == "Bearer"
    assert "every /v1 request is refused" in caplog.text


def test_a_key_from_the_keys_table_works_and_never_shows_in_logs(
    aws: AwsClients, dynamodb: DynamoDBClient, keys_table: str, caplog: pytest.LogCaptureFixture
) -> None:
    from apikeys.store import ApiKeyStore

    key, _ = ApiKeyStore(keys_table, dynamodb=lambda: dynamodb).create("ci", tier="pro")
    caplog.set_level("DEBUG")
    with api_client(Settings(api_keys_table=keys_table), aws=aws, key=key) as client:
        response = client.get("/v1/models")
        assert response.status_code == 200
        assert len(response.json()["data"]) == 8  # every tier sees every model
        assert client.get("/v1/models/gpt-4o").status_code == 200
        wrong = client.get("/v1/models", headers={"Authorization": f"Bearer {key}x"})
        assert_openai_error(wrong, 401, code="invalid_api_key")
    assert key not in caplog.text


def test_a_revoked_key_is_refused_like_an_unknown_one() -> None:
    keys = FakeKeyLookup()
    keys.add(STORED_KEY)
    keys.revoke(STORED_KEY)
    with api_client(services=make_services(keys=keys, dev_key=None), key=STORED_KEY) as client:
        response = client.get("/v1/models")
    error = assert_openai_error(response, 401, code="invalid_api_key")
    assert error["message"].startswith("Incorrect API key provided: ar-sto***.")
    assert response.headers["www-authenticate"] == "Bearer"


def test_keys_table_outage_is_503_with_retry_after_not_401() -> None:
    keys = FakeKeyLookup()
    keys.add(STORED_KEY)
    keys.unavailable = True
    with api_client(services=make_services(keys=keys, dev_key=None), key=STORED_KEY) as client:
        for path in ("/v1/models", "/v1/models/gpt-4o"):
            response = client.get(path)
            assert_openai_error(response, 503, code="service_unavailable", type="server_error")
            assert response.headers["retry-after"] == str(RETRY_AFTER_SECONDS)
            assert int(response.headers["retry-after"]) > 0
            assert "www-authenticate" not in response.headers
            assert response.headers["x-request-id"]
        assert client.get("/health").status_code == 200  # liveness needs no key


def test_the_dev_key_needs_no_keys_table_even_while_it_is_down() -> None:
    keys = FakeKeyLookup()
    keys.unavailable = True
    with api_client(services=make_services(keys=keys)) as client:  # the dev key
        assert client.get("/v1/models").status_code == 200
    assert keys.gets == 0

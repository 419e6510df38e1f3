"""API-key auth over HTTP: the key in `Authorization: Bearer` or `x-api-key`, in both dialects;
fail closed, 401s in the shape of the request's dialect, 503 when keys cannot be checked; junk
refused without a keys-table read, whatever characters it holds.

How keys are made, stored and verified (caching, revocation, outages) is tested in tests/apikeys.
"""

from __future__ import annotations

import asyncio
import inspect
from typing import TYPE_CHECKING, Any

import pytest
from fastapi.security import HTTPAuthorizationCredentials

from apikeys.verifier import KeyVerifier
from catalog.cache import CatalogCache
from handler.auth import require_api_key
from handler.deps import Services
from handler.dialects import VARY
from handler.errors import RETRY_AFTER_SECONDS, APIError
from handler.settings import Settings
from tests.support.factories import ids_listed_by_default
from tests.support.fake_keys import FakeKeyLookup, legacy_key, make_key, store_legacy_key
from tests.support.fakes import CallCounter, FakeClock
from tests.support.http import api_client, assert_anthropic_error, assert_openai_error
from tests.support.services import make_services

if TYPE_CHECKING:
    from fastapi.testclient import TestClient
    from httpx2 import Response
    from mypy_boto3_dynamodb import DynamoDBClient

    from awsclients import AwsClients

STORED_KEY = make_key("stored-key")
# Authorization headers whose token cannot be a key (as bytes: what reaches the ASGI app).
JUNK_HEADERS = [
    b"Bearer x",
    b"Bearer sk-proj-" + b"a" * 48,
    b"Bearer ar-" + b"a" * 42 + b".",  # the length of a key issued before checksums
    b"Bearer " + STORED_KEY[:-1].encode() + (b"0" if STORED_KEY[-1] != "0" else b"1"),
    b"Bearer ar-" + "\u00e9".encode() * 43,  # UTF-8, read back as Latin-1: mojibake
    b"Bearer ar-\xff\xfe" + b"a" * 41,
    b"Bearer ar-\x01\x1b[31m" + b"a" * 38,
    b"Bearer \x7f\x7f\x7f\x7f\x7f\x7f\x7f\x7f",
]


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
        # Every tier sees every model.
        assert len(response.json()["data"]) == len(ids_listed_by_default())
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


def services_over(keys: FakeKeyLookup, **options: Any) -> Services:
    """The bundled catalog, and a verifier of `keys` (no dev key) with these options."""
    return Services(CatalogCache(None, ttl=60), KeyVerifier(keys, **options))


@pytest.mark.parametrize("authorization", JUNK_HEADERS)
def test_a_token_that_cannot_be_a_key_is_401_without_a_keys_table_read(
    authorization: bytes,
) -> None:
    keys = FakeKeyLookup()
    keys.add(STORED_KEY)
    with api_client(services=services_over(keys), key=None) as client:
        response = client.get("/v1/models", headers={b"Authorization": authorization})
        error = assert_openai_error(response, 401, code="invalid_api_key")
        assert error["message"].startswith("Incorrect API key provided: ")
        assert error["message"].endswith(". Check the key, or create a new one.")
        assert response.headers["www-authenticate"] == "Bearer"
        keys.unavailable = True  # no read, so no 503 either
        response = client.get("/v1/models", headers={b"Authorization": authorization})
        assert_openai_error(response, 401, code="invalid_api_key")
    assert keys.gets == 0


def test_only_printable_ascii_of_a_wrong_key_is_echoed() -> None:
    with api_client(services=services_over(FakeKeyLookup()), key=None) as client:
        for authorization, shown in (
            (b"Bearer ar-\x01\x1b[31m" + b"a" * 38, "***"),
            (b"Bearer \xc3\xa9" + b"a" * 20, "***"),
            (b"Bearer ar-wrong-key-123456", "ar-wro***"),
        ):
            response = client.get("/v1/models", headers={b"Authorization": authorization})
            error = assert_openai_error(response, 401, code="invalid_api_key")
            assert error["message"].startswith(f"Incorrect API key provided: {shown}.")


@pytest.mark.parametrize("header", ["authorization", "x-api-key"])
@pytest.mark.parametrize(
    "credentials", ["ar-\ud800" + "a" * 42, "\udcff", "ar-" + "\u00e9" * 43, "ar-\x00\n"]
)
def test_any_str_from_the_event_gives_a_clean_401(credentials: str, header: str) -> None:
    """Under Mangum a header value is a str decoded from the event: even a lone surrogate gets
    a 401 from the dependency, in either header, never an exception of another kind."""
    keys = FakeKeyLookup()
    verifier = KeyVerifier(keys, dev_key="a developer's key")
    bearer = x_api_key = None
    if header == "authorization":
        bearer = HTTPAuthorizationCredentials(scheme="Bearer", credentials=credentials)
        headers = {"authorization": f"Bearer {credentials}"}
    else:
        x_api_key = credentials
        headers = {"x-api-key": credentials}
    request: Any = type("Request", (), {"headers": headers})()
    loop = asyncio.new_event_loop()  # not asyncio.run: it would unset the thread's loop
    try:
        with pytest.raises(APIError) as raised:
            loop.run_until_complete(require_api_key(request, bearer, x_api_key, verifier))
    finally:
        loop.close()
    assert raised.value.status == 401
    assert raised.value.headers == {"WWW-Authenticate": "Bearer"}
    assert raised.value.message.startswith("Incorrect API key provided: ")
    assert keys.gets == 0


def test_junk_never_reaches_the_keys_table_on_the_wire(
    aws: AwsClients, dynamodb: DynamoDBClient, keys_table: str
) -> None:
    from apikeys.store import ApiKeyStore

    key, _ = ApiKeyStore(keys_table, dynamodb=lambda: dynamodb).create("ci")
    wire = CallCounter(dynamodb)
    with api_client(Settings(api_keys_table=keys_table), aws=aws, key=None) as client:
        for authorization in JUNK_HEADERS:
            response = client.get("/v1/models", headers={b"Authorization": authorization})
            assert_openai_error(response, 401, code="invalid_api_key")
        assert wire.count("GetItem") == 0
        typo = key[:20] + ("A" if key[20] != "A" else "B") + key[21:]
        response = client.get("/v1/models", headers={"Authorization": f"Bearer {typo}"})
        assert_openai_error(response, 401, code="invalid_api_key")
        assert wire.count("GetItem") == 0  # the checksum caught the typo
        for _ in range(3):
            ok = client.get("/v1/models", headers={"Authorization": f"Bearer {key}"})
            assert ok.status_code == 200
        assert wire.count("GetItem") == 1


def test_a_key_issued_before_checksums_still_works(
    aws: AwsClients, dynamodb: DynamoDBClient, keys_table: str
) -> None:
    old = legacy_key()
    store_legacy_key(dynamodb, keys_table, old)  # as `keys create` stored it then
    wire = CallCounter(dynamodb)
    with api_client(Settings(api_keys_table=keys_table), aws=aws, key=old) as client:
        assert client.get("/v1/models").status_code == 200
    assert wire.count("GetItem") == 1


def test_during_the_backoff_an_unchecked_key_is_503_at_once_and_a_verified_one_works() -> None:
    clock = FakeClock(1000.0)
    keys = FakeKeyLookup(clock=clock, latency=1.4)
    keys.add(STORED_KEY)
    other = make_key("other")
    services = services_over(keys, clock=clock)
    with api_client(services=services, key=STORED_KEY) as client:
        assert client.get("/v1/models").status_code == 200
        keys.unavailable = True
        clock.now += 60  # past the TTL: the next request asks the table, which fails
        assert client.get("/v1/models").status_code == 200
        gets = keys.gets
        response = client.get("/v1/models", headers={"Authorization": f"Bearer {other}"})
        assert_openai_error(response, 503, code="service_unavailable", type="server_error")
        assert "www-authenticate" not in response.headers
        assert client.get("/v1/models").status_code == 200
        assert keys.gets == gets  # neither request called the table
    # A client that honours Retry-After comes back once the verifier tries the table again.
    backoff = inspect.signature(KeyVerifier).parameters["failure_backoff"].default
    assert int(response.headers["retry-after"]) == RETRY_AFTER_SECONDS >= backoff


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


# --- x-api-key, and both dialects ---------------------------------------------------------------

ANTHROPIC = {"anthropic-version": "2023-06-01"}
OTHER_KEY = make_key("other-key")
DIALECTS = pytest.mark.parametrize("anthropic", [False, True], ids=["openai", "anthropic"])


def keys_with_stored_key() -> FakeKeyLookup:
    keys = FakeKeyLookup()
    keys.add(STORED_KEY)
    keys.add(OTHER_KEY)
    return keys


def assert_refused(response: Response, *, anthropic: bool) -> str:
    """A 401 in the dialect's shape, with the Bearer challenge; returns its message."""
    if anthropic:
        error = assert_anthropic_error(response, 401, "authentication_error")
    else:
        error = assert_openai_error(
            response, 401, code="invalid_api_key", type="invalid_request_error"
        )
        assert "request-id" not in response.headers
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.headers["vary"] == VARY
    message: str = error["message"]
    return message


@DIALECTS
@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": f"Bearer {STORED_KEY}"},
        {"x-api-key": STORED_KEY},
        {"Authorization": f"Bearer {STORED_KEY}", "x-api-key": STORED_KEY},
        {"Authorization": "", "x-api-key": STORED_KEY},  # an empty header is no header
    ],
    ids=["bearer", "x-api-key", "both-equal", "empty-authorization"],
)
def test_the_key_in_either_header_or_both_alike(anthropic: bool, headers: dict[str, str]) -> None:
    keys = keys_with_stored_key()
    dialect = ANTHROPIC if anthropic else {}
    with api_client(services=services_over(keys), key=None) as client:
        listed = client.get("/v1/models", headers={**headers, **dialect})
        one = client.get("/v1/models/gpt-4o", headers={**headers, **dialect})
    assert listed.status_code == 200, listed.text
    assert one.status_code == 200, one.text
    if anthropic:
        assert "has_more" in listed.json()
        assert one.json()["type"] == "model"
    else:
        assert listed.json()["object"] == "list"
        assert one.json()["object"] == "model"
    assert keys.gets == 1  # one key verified, then cached


@DIALECTS
@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({}, "You didn't provide an API key"),
        ({"x-api-key": ""}, "You didn't provide an API key"),
        (
            {"Authorization": f"Bearer {STORED_KEY}", "x-api-key": OTHER_KEY},
            "Two different API keys were sent",
        ),
        (
            {"Authorization": f"Bearer {STORED_KEY}", "x-api-key": "ar-wrong-key-123456"},
            "Two different API keys were sent",
        ),
        ({"Authorization": "Basic x", "x-api-key": STORED_KEY}, "Malformed Authorization header"),
        ({"Authorization": "Bearer", "x-api-key": STORED_KEY}, "Malformed Authorization header"),
        ({"Authorization": STORED_KEY, "x-api-key": STORED_KEY}, "Malformed Authorization header"),
        ({"x-api-key": "ar-wrong-key-123456"}, "Incorrect API key provided: ar-wro***."),
        ({"x-api-key": f"Bearer {STORED_KEY}"}, "Incorrect API key provided: Bearer***."),
        ({"x-api-key": make_key("unknown")}, "Incorrect API key provided: ar-unk***."),
    ],
)
def test_refused_keys_are_401_in_the_dialects_shape_never_echoed(
    anthropic: bool, headers: dict[str, str], message: str
) -> None:
    with api_client(services=services_over(keys_with_stored_key()), key=None) as client:
        for path in ("/v1/models", "/v1/models/gpt-4o"):
            response = client.get(path, headers={**headers, **(ANTHROPIC if anthropic else {})})
            assert assert_refused(response, anthropic=anthropic).startswith(message)
            for sent in headers.values():
                key = sent.removeprefix("Bearer ")
                if len(key) > 12:
                    assert key not in response.text  # at most a short prefix is echoed


@DIALECTS
def test_a_revoked_key_in_x_api_key_is_refused(anthropic: bool) -> None:
    keys = keys_with_stored_key()
    keys.revoke(STORED_KEY)
    headers = {"x-api-key": STORED_KEY, **(ANTHROPIC if anthropic else {})}
    with api_client(services=services_over(keys), key=None) as client:
        response = client.get("/v1/models", headers=headers)
    message = assert_refused(response, anthropic=anthropic)
    assert message.startswith("Incorrect API key provided: ar-sto***.")


@DIALECTS
@pytest.mark.parametrize("header", ["Authorization", "x-api-key"])
def test_keys_table_outage_is_503_in_either_header_and_dialect(
    anthropic: bool, header: str
) -> None:
    keys = keys_with_stored_key()
    keys.unavailable = True
    value = f"Bearer {STORED_KEY}" if header == "Authorization" else STORED_KEY
    headers = {header: value, **(ANTHROPIC if anthropic else {})}
    with api_client(services=services_over(keys), key=None) as client:
        for path in ("/v1/models", "/v1/models/gpt-4o"):
            response = client.get(path, headers=headers)
            if anthropic:
                error = assert_anthropic_error(response, 503, "overloaded_error")
                assert "retry" in error["message"].lower()
            else:
                assert_openai_error(response, 503, code="service_unavailable", type="server_error")
                assert "request-id" not in response.headers
            assert response.headers["retry-after"] == str(RETRY_AFTER_SECONDS)
            assert "www-authenticate" not in response.headers
            assert response.headers["vary"] == VARY


@DIALECTS
def test_two_different_keys_are_refused_without_a_keys_table_read(anthropic: bool) -> None:
    """Refused before either is looked up: even while the table is down, it is a 401."""
    keys = keys_with_stored_key()
    keys.unavailable = True
    headers = {
        "Authorization": f"Bearer {STORED_KEY}",
        "x-api-key": OTHER_KEY,
        **(ANTHROPIC if anthropic else {}),
    }
    with api_client(services=services_over(keys), key=None) as client:
        assert_refused(client.get("/v1/models", headers=headers), anthropic=anthropic)
    assert keys.gets == 0


@pytest.mark.parametrize("authorization", JUNK_HEADERS)
def test_junk_in_x_api_key_is_401_without_a_keys_table_read(authorization: bytes) -> None:
    junk = authorization.removeprefix(b"Bearer ")
    keys = keys_with_stored_key()
    keys.unavailable = True  # a read would be a 503
    with api_client(services=services_over(keys), key=None) as client:
        for anthropic in (False, True):
            headers = {b"x-api-key": junk}
            if anthropic:
                headers[b"anthropic-version"] = b"2023-06-01"
            response = client.get("/v1/models", headers=headers)
            message = assert_refused(response, anthropic=anthropic)
            assert message.startswith("Incorrect API key provided: ")
    assert keys.gets == 0

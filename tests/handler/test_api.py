"""The HTTP contract through TestClient: bodies, filters, ids, errors, caching headers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from apikeys.verifier import KeyVerifier
from catalog.cache import CatalogCache
from handler.deps import Services
from handler.settings import Settings
from tests.support.factories import SEED_MODELS, model_doc
from tests.support.fakes import FakeClock
from tests.support.http import DEV_KEY, api_client, assert_openai_error
from tests.support.services import make_services, memory_catalog

if TYPE_CHECKING:
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from awsclients import AwsClients
    from catalog.snapshot import CatalogSnapshot
    from tests.support.memory_store import InMemoryCatalogStore

SLASH_IDS_CATALOG = [
    model_doc("gpt-4o"),
    model_doc("meta-llama/llama-3.1-70b-instruct", owned_by="meta"),
    model_doc("ollama/llama3:8b@q4.k", owned_by="meta"),
]


def test_list_models_matches_the_api_reference(client: TestClient) -> None:
    response = client.get("/v1/models")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["object"] == "list"
    served = [(m["id"], m["owned_by"], m["context_length"]) for m in body["data"]]
    assert served == SEED_MODELS
    for model in body["data"]:
        assert model["object"] == "model"
        assert isinstance(model["created"], int)
        assert model["capabilities"] == {"vision": True, "function_calling": True}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("owned_by=anthropic", [m for m, o, _ in SEED_MODELS if o == "anthropic"]),
        ("capability=vision", [m for m, _, _ in SEED_MODELS]),
        (
            "capability=vision&capability=function_calling&owned_by=google",
            ["gemini-1.5-pro", "gemini-1.5-flash"],
        ),
    ],
)
def test_list_filters(client: TestClient, query: str, expected: list[str]) -> None:
    response = client.get(f"/v1/models?{query}")
    assert response.status_code == 200
    assert [m["id"] for m in response.json()["data"]] == expected


@pytest.mark.parametrize(
    ("query", "param", "mentions"),
    [
        ("capability=telepathy", "capability", "function_calling"),
        ("capability=vision&capability=nope", "capability", "vision"),
        ("owned_by=nobody", "owned_by", "anthropic, google, openai"),
    ],
)
def test_unknown_filter_values_are_400_naming_the_param(
    client: TestClient, query: str, param: str, mentions: str
) -> None:
    error = assert_openai_error(
        client.get(f"/v1/models?{query}"), 400, type="invalid_request_error", param=param
    )
    assert mentions in error["message"]


def test_retrieve_model(client: TestClient) -> None:
    response = client.get("/v1/models/claude-3-5-sonnet-20241022")
    assert response.status_code == 200
    assert response.json()["context_length"] == 200000


def test_unknown_model_is_404_model_not_found(client: TestClient) -> None:
    assert_openai_error(
        client.get("/v1/models/gpt-5-ultra"),
        404,
        type="invalid_request_error",
        param="model",
        code="model_not_found",
    )


@pytest.fixture
def slash_ids_client() -> Iterator[TestClient]:
    """Authenticated, on a published catalog whose ids carry `/`, `:` and `@`."""
    with api_client(services=make_services(memory_catalog(SLASH_IDS_CATALOG))) as client:
        yield client


@pytest.mark.parametrize(
    ("path", "model_id"),
    [
        ("/v1/models/meta-llama/llama-3.1-70b-instruct", "meta-llama/llama-3.1-70b-instruct"),
        ("/v1/models/meta-llama%2Fllama-3.1-70b-instruct", "meta-llama/llama-3.1-70b-instruct"),
        ("/v1/models/meta-llama%2fllama-3.1-70b-instruct", "meta-llama/llama-3.1-70b-instruct"),
        ("/v1/models/ollama%2Fllama3%3A8b%40q4.k", "ollama/llama3:8b@q4.k"),
        ("/v1/models/ollama/llama3:8b@q4.k", "ollama/llama3:8b@q4.k"),
    ],
)
def test_ids_with_slashes_raw_or_percent_encoded(
    slash_ids_client: TestClient, path: str, model_id: str
) -> None:
    # Not `%252F` here: Starlette's TestClient percent-decodes the path twice. A double-encoded
    # id is tested through Mangum (test_lambda.py) and uvicorn (test_openai_sdk.py).
    response = slash_ids_client.get(path)
    assert response.status_code == 200, response.text
    assert response.json()["id"] == model_id


def test_etag_and_if_none_match(client: TestClient) -> None:
    first = client.get("/v1/models")
    etag = first.headers["etag"]
    assert etag.startswith('"')
    assert len(etag) > 2
    assert "private" in first.headers["cache-control"]
    assert client.get("/v1/models").headers["etag"] == etag
    for header in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        again = client.get("/v1/models", headers={"If-None-Match": header})
        assert again.status_code == 304
        assert again.content == b""
        assert again.headers["etag"] == etag
    assert client.get("/v1/models", headers={"If-None-Match": '"stale"'}).status_code == 200
    filtered = client.get("/v1/models?owned_by=openai")
    assert filtered.headers["etag"] != etag
    one = client.get("/v1/models/gpt-4o")
    assert one.headers["etag"] not in (etag, filtered.headers["etag"])
    assert (
        client.get("/v1/models/gpt-4o", headers={"If-None-Match": one.headers["etag"]}).status_code
        == 304
    )


def test_every_response_has_a_request_id(client: TestClient, anonymous: TestClient) -> None:
    responses = [
        client.get("/v1/models"),
        client.get("/v1/models/nope"),
        anonymous.get("/v1/models"),
        anonymous.get("/health"),
        anonymous.get("/not-a-route"),
    ]
    ids = [r.headers["x-request-id"] for r in responses]
    assert all(ids)
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("GET", "/v2/models", 404, "unknown_url"),
        ("GET", "/", 404, "unknown_url"),
        ("POST", "/v1/models", 405, "method_not_allowed"),
        ("DELETE", "/v1/models/gpt-4o", 405, "method_not_allowed"),
    ],
)
def test_unknown_paths_and_methods_have_openai_errors(
    client: TestClient, method: str, path: str, status: int, code: str
) -> None:
    response = client.request(method, path)
    assert_openai_error(response, status, code=code, type="invalid_request_error")
    if status == 405:
        assert response.headers["allow"] == "GET"


def test_an_unexpected_crash_is_a_json_500_with_request_id() -> None:
    def broken_catalog() -> CatalogSnapshot:
        raise ZeroDivisionError("boom")

    services = Services(
        CatalogCache(None, bundled_snapshot=broken_catalog, ttl=60),
        KeyVerifier(None, dev_key=DEV_KEY),
    )
    with api_client(services=services, key=None) as anonymous:
        response = anonymous.get("/health")
    error = assert_openai_error(response, 500, type="server_error", code="internal_error")
    assert "boom" not in error["message"]  # internals are logged, not shown
    assert response.headers["x-request-id"]


def test_health_reports_bundled_catalog(anonymous: TestClient) -> None:
    response = anonymous.get("/health")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "catalog": {"source": "bundled", "version": 0, "models": len(SEED_MODELS)},
    }


def test_health_reports_dynamodb_then_stale() -> None:
    clock = FakeClock()
    store: InMemoryCatalogStore = memory_catalog(SLASH_IDS_CATALOG)
    with api_client(services=make_services(store, ttl=60, clock=clock), key=None) as anonymous:
        assert anonymous.get("/health").json()["catalog"] == {
            "source": "dynamodb",
            "version": 1,
            "models": 3,
        }
        store.unavailable = True
        clock.now = 59  # still fresh: the store is not asked, so its outage does not show
        assert anonymous.get("/health").json()["catalog"]["source"] == "dynamodb"
        clock.now = 60  # revalidation fails: the last good catalog, marked stale
        assert anonymous.get("/health").json()["catalog"] == {
            "source": "stale",
            "version": 1,
            "models": 3,
        }


def test_dynamodb_down_from_the_start_serves_bundled(aws: AwsClients) -> None:
    settings = Settings(models_table="table-that-does-not-exist", dev_api_key=DEV_KEY)
    with api_client(settings, aws=aws) as client:
        response = client.get("/v1/models")
        assert response.status_code == 200
        assert len(response.json()["data"]) == len(SEED_MODELS)
        assert client.get("/health").json()["catalog"]["source"] == "bundled"


def test_the_deployed_app_builds_its_services_from_the_environment_on_first_request(
    deployed_app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fastapi.testclient import TestClient

    monkeypatch.setenv("DEV_API_KEY", "ar-deployed-key-0123456789")
    auth = {"Authorization": "Bearer ar-deployed-key-0123456789"}
    with TestClient(deployed_app) as client:
        assert deployed_app.state.services is None  # nothing is built before a request
        assert client.get("/v1/models", headers=auth).status_code == 200
        services = deployed_app.state.services
        assert isinstance(services, Services)
        # Built once per container: a later change of the environment is not seen.
        monkeypatch.setenv("DEV_API_KEY", "ar-another-key-0123456789")
        assert client.get("/v1/models", headers=auth).status_code == 200
        assert deployed_app.state.services is services
        other = {"Authorization": "Bearer ar-another-key-0123456789"}
        assert client.get("/v1/models", headers=other).status_code == 401


def test_openapi_documents_routes_params_errors_and_bearer(anonymous: TestClient) -> None:
    spec = anonymous.get("/openapi.json").json()
    paths = spec["paths"]
    assert set(paths) == {"/v1/models", "/v1/models/{model_id}", "/health"}
    listing = paths["/v1/models"]["get"]
    assert {p["name"] for p in listing["parameters"]} == {"owned_by", "capability"}
    for operation in (listing, paths["/v1/models/{model_id}"]["get"]):
        assert {"200", "304", "401", "503"} <= set(operation["responses"])
        assert operation["security"] == [{"ApiKey": []}]
        error_ref = operation["responses"]["401"]["content"]["application/json"]["schema"]["$ref"]
        assert error_ref.endswith("/ErrorResponse")
    assert "404" in paths["/v1/models/{model_id}"]["get"]["responses"]
    assert spec["components"]["securitySchemes"]["ApiKey"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "An AssistantRouter API key: `Authorization: Bearer ar-...`",
    }
    assert "422" not in listing["responses"]
    model_schema = spec["components"]["schemas"]["Model"]
    assert {"id", "object", "created", "owned_by", "context_length", "capabilities"} <= set(
        model_schema["properties"]
    )

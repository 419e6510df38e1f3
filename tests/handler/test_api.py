"""The HTTP contract through TestClient: bodies, filters, ids, errors, caching headers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from catalog.errors import CatalogUnavailable
from handler import deps
from handler.api import app
from tests.catalog.test_schema import SEED_MODELS
from tests.factories import model_doc, publish

if TYPE_CHECKING:
    from fastapi.testclient import TestClient
    from httpx import Response
    from mypy_boto3_dynamodb import DynamoDBClient

ERROR_KEYS = {"message", "type", "param", "code"}


def assert_openai_error(response: Response, status: int, **expected: Any) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert "detail" not in response.json()
    error: dict[str, Any] = response.json()["error"]
    assert set(error) == ERROR_KEYS
    for name, value in expected.items():
        assert error[name] == value, error
    return error


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
def table_with_slash_ids(
    dynamodb: DynamoDBClient, models_table: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    publish(
        dynamodb,
        models_table,
        [
            model_doc("gpt-4o"),
            model_doc("meta-llama/llama-3.1-70b-instruct", owned_by="meta"),
            model_doc("ollama/llama3:8b@q4.k", owned_by="meta"),
        ],
    )
    monkeypatch.setenv("MODELS_TABLE", models_table)
    deps.reset()


@pytest.mark.usefixtures("table_with_slash_ids")
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
    client: TestClient, path: str, model_id: str
) -> None:
    response = client.get(path)
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


def test_an_unexpected_crash_is_a_json_500_with_request_id(anonymous: TestClient) -> None:
    class Broken:
        def current(self) -> None:
            raise ZeroDivisionError("boom")

    async def broken() -> Broken:
        return Broken()

    app.dependency_overrides[deps.provide_catalog_cache] = broken
    response = anonymous.get("/health")
    error = assert_openai_error(response, 500, type="server_error")
    assert "boom" not in error["message"]  # internals are logged, not shown
    assert response.headers["x-request-id"]


def test_health_reports_bundled_catalog(anonymous: TestClient) -> None:
    response = anonymous.get("/health")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "catalog": {"source": "bundled", "version": 0, "models": len(SEED_MODELS)},
    }


@pytest.mark.usefixtures("table_with_slash_ids")
def test_health_reports_dynamodb_then_stale(
    anonymous: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert anonymous.get("/health").json()["catalog"] == {
        "source": "dynamodb",
        "version": 1,
        "models": 3,
    }
    cache = deps.catalog_cache()

    def outage() -> None:
        raise CatalogUnavailable("simulated outage")

    monkeypatch.setattr(cache, "_next_check", float("-inf"))
    monkeypatch.setattr(cache._store, "read_version", outage)
    assert anonymous.get("/health").json()["catalog"]["source"] == "stale"


def test_dynamodb_down_from_the_start_serves_bundled(
    mocked_aws: None, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MODELS_TABLE", "table-that-does-not-exist")
    deps.reset()
    response = client.get("/v1/models")
    assert response.status_code == 200
    assert len(response.json()["data"]) == len(SEED_MODELS)


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

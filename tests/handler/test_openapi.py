"""handler/openapi.py: the document FastAPI generates, made truthful. No 422 (our 400 instead),
an optional query parameter never `null`, each dialect's additions (Anthropic's header, list
parameters, bodies and `request-id`), and every GET's HEAD twin. That every answer conforms to
it is tests/handler/test_openapi_contract.py's.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

from catalog.anthropic import DEFAULT_LIMIT, MAX_LIMIT
from catalog.limits import MAX_ID_LENGTH
from catalog.schema import CAPABILITY_NAMES, Model

if TYPE_CHECKING:
    from fastapi.testclient import TestClient


ANTHROPIC_LIST_PARAMS = ("limit", "after_id", "before_id", "lifecycle", "lifecycle[]")
V1_OPERATIONS = [
    (path, method) for path in ("/v1/models", "/v1/models/{model_id}") for method in ("get", "head")
]


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def test_openapi_documents_the_anthropic_version_header_and_request_id(
    anonymous: TestClient,
) -> None:
    paths = anonymous.get("/openapi.json").json()["paths"]
    for path, method in V1_OPERATIONS:
        operation = paths[path][method]
        params = {p["name"]: p for p in operation["parameters"]}
        header = params["anthropic-version"]
        assert (header["in"], header["required"], header["schema"]) == (
            "header",
            False,
            {"type": "string"},
        )
        assert "selects the Anthropic dialect" in header["description"]
        for status, response in operation["responses"].items():
            request_id = response["headers"]["request-id"]
            # Sent only to Anthropic-dialect requests: documented, not required.
            assert request_id["required"] is False, (path, method, status)
            assert "`anthropic-version`" in request_id["description"]
    # /health speaks one dialect.
    assert "parameters" not in paths["/health"]["get"]
    assert "request-id" not in paths["/health"]["get"]["responses"]["200"].get("headers", {})


def test_openapi_documents_the_anthropic_list_parameters(anonymous: TestClient) -> None:
    paths = anonymous.get("/openapi.json").json()["paths"]
    for method in ("get", "head"):
        params = {p["name"]: p for p in paths["/v1/models"][method]["parameters"]}
        for name in ANTHROPIC_LIST_PARAMS:
            assert params[name]["in"] == "query"
            assert params[name]["required"] is False
            assert "only with the `anthropic-version` header" in params[name]["description"]
        assert params["limit"]["schema"] == {
            "type": "integer",
            "minimum": 1,
            "maximum": MAX_LIMIT,
            "default": DEFAULT_LIMIT,
        }
        for cursor in ("after_id", "before_id"):
            assert params[cursor]["schema"] == {
                "type": "string",
                "minLength": 1,
                "maxLength": MAX_ID_LENGTH,
            }
        for lifecycle in ("lifecycle", "lifecycle[]"):
            assert params[lifecycle]["schema"] == {
                "type": "array",
                "items": {"type": "string", "enum": ["active", "deprecated", "retired"]},
                "maxItems": 3,
            }
    retrieve = {p["name"] for p in paths["/v1/models/{model_id}"]["get"]["parameters"]}
    assert retrieve == {"model_id", "anthropic-version"}
    bad_request = paths["/v1/models"]["get"]["responses"]["400"]["description"]
    for name in ("owned_by", "anthropic-version", *ANTHROPIC_LIST_PARAMS):
        assert f"`{name}`" in bad_request, name


def test_openapi_bodies_are_openai_or_anthropic(anonymous: TestClient) -> None:
    spec = anonymous.get("/openapi.json").json()
    paths = spec["paths"]
    ok = {
        "/v1/models": [_ref("ModelList"), _ref("AnthropicModelPage")],
        "/v1/models/{model_id}": [_ref("Model"), _ref("AnthropicModelInfo")],
    }
    for path, bodies in ok.items():
        responses = paths[path]["get"]["responses"]
        assert responses["200"]["content"]["application/json"]["schema"] == {"anyOf": bodies}
        errors = [status for status in responses if int(status) >= 400]
        assert errors
        for status in errors:
            schema = responses[status]["content"]["application/json"]["schema"]
            assert schema == {"anyOf": [_ref("ErrorResponse"), _ref("AnthropicError")]}, status
    schemas = spec["components"]["schemas"]
    # Every reference resolves.
    refs = re.findall(r'"#/components/schemas/([^"]+)"', json.dumps(spec))
    assert {"AnthropicModelPage", "AnthropicModelInfo", "AnthropicError"} <= set(refs)
    assert set(refs) <= set(schemas)
    page = schemas["AnthropicModelPage"]
    assert page["required"] == ["data", "has_more", "first_id", "last_id"]
    assert page["properties"]["data"]["items"] == _ref("AnthropicModelInfo")
    error = schemas["AnthropicError"]
    assert error["properties"]["type"]["const"] == "error"
    assert set(error["required"]) == {"type", "error", "request_id"}
    error_types = schemas["AnthropicErrorDetail"]["properties"]["type"]["enum"]
    assert {"invalid_request_error", "authentication_error", "not_found_error"} <= set(error_types)
    assert {"api_error", "overloaded_error"} <= set(error_types)


def test_openapi_documents_routes_params_errors_and_both_key_headers(
    anonymous: TestClient,
) -> None:
    spec = anonymous.get("/openapi.json").json()
    paths = spec["paths"]
    assert set(paths) == {"/v1/models", "/v1/models/{model_id}", "/health"}
    listing = paths["/v1/models"]["get"]
    assert {p["name"] for p in listing["parameters"]} == {
        "owned_by",
        "capability",
        "status",
        "min_context_length",
        *ANTHROPIC_LIST_PARAMS,
        "anthropic-version",
    }
    for operation in (listing, paths["/v1/models/{model_id}"]["get"]):
        assert {"200", "304", "401", "503"} <= set(operation["responses"])
        # Either scheme: a key in `Authorization: Bearer` or in `x-api-key`.
        assert operation["security"] == [{"ApiKey": []}, {"XApiKey": []}]
        error_schema = operation["responses"]["401"]["content"]["application/json"]["schema"]
        assert error_schema == {"anyOf": [_ref("ErrorResponse"), _ref("AnthropicError")]}
    assert "404" in paths["/v1/models/{model_id}"]["get"]["responses"]
    assert spec["components"]["securitySchemes"] == {
        "ApiKey": {
            "type": "http",
            "scheme": "bearer",
            "description": "An AssistantRouter API key: `Authorization: Bearer ar-...`",
        },
        "XApiKey": {
            "type": "apiKey",
            "in": "header",
            "name": "x-api-key",
            "description": "The same key in Anthropic's header: `x-api-key: ar-...`",
        },
    }
    assert "422" not in listing["responses"]
    model_schema = spec["components"]["schemas"]["Model"]
    assert {"id", "object", "created", "owned_by", "context_length", "capabilities"} <= set(
        model_schema["properties"]
    )


def test_openapi_states_what_owned_by_and_capability_accept(anonymous: TestClient) -> None:
    listing = anonymous.get("/openapi.json").json()["paths"]["/v1/models"]["get"]
    params = {p["name"]: p for p in listing["parameters"]}
    # A query parameter is a value or absent, never null: no `anyOf: [..., {type: null}]`.
    owned_by = params["owned_by"]["schema"]
    assert "anyOf" not in owned_by
    # Exactly what a model's `owned_by` may be: a request the document allows is never refused.
    model_owned_by = Model.model_json_schema()["properties"]["owned_by"]
    for constraint in ("type", "minLength", "maxLength", "pattern"):
        assert owned_by[constraint] == model_owned_by[constraint], constraint
    assert (owned_by["type"], owned_by["minLength"], owned_by["maxLength"]) == ("string", 1, 64)
    assert owned_by["pattern"] == "^[A-Za-z0-9._-]+$"
    capability = params["capability"]["schema"]
    assert capability["type"] == "array"
    assert capability["items"]["enum"] == list(CAPABILITY_NAMES)
    assert params["status"]["schema"]["items"]["enum"] == ["active", "deprecated", "retired"]
    min_context_length = params["min_context_length"]["schema"]
    assert (min_context_length["type"], min_context_length["minimum"]) == ("integer", 1)
    assert "anyOf" not in min_context_length
    assert "owned_by" in listing["responses"]["400"]["description"]
    assert listing["responses"]["400"]["content"]["application/json"]["schema"]["anyOf"][0] == (
        _ref("ErrorResponse")
    )


def test_openapi_documents_head_and_the_caching_headers(anonymous: TestClient) -> None:
    paths = anonymous.get("/openapi.json").json()["paths"]
    for path, operations in paths.items():
        assert set(operations) == {"get", "head"}, path
        get, head = operations["get"], operations["head"]
        assert head["operationId"] == get["operationId"] + "_head"
        assert head.get("parameters") == get.get("parameters")
        assert head.get("security") == get.get("security")
        assert set(head["responses"]) == set(get["responses"])
        for status, response in head["responses"].items():
            assert "content" not in response, (path, status)
            assert response.get("headers") == get["responses"][status].get("headers")
    for path in ("/v1/models", "/v1/models/{model_id}"):
        responses = paths[path]["get"]["responses"]
        ok = responses["200"]["headers"]
        assert {"ETag", "Cache-Control", "Vary", "Content-Encoding"} <= set(ok)
        assert ok["ETag"]["required"] is True
        assert ok["Content-Encoding"]["schema"]["enum"] == ["gzip"]
        assert responses["304"]["headers"]["ETag"]["required"] is True

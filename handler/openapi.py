"""The OpenAPI document, made truthful: what the API really answers, and nothing it does not.

FastAPI's generated document is adjusted in four ways:
- its 422 responses (we never send one) become our 400 in OpenAI's shape;
- an optional query parameter is a value or absent, never `null`: its schema is the value's;
- the /v1 operations speak both dialects (handler/dialect.py): they take the `anthropic-version`
  header (and the list Anthropic's own query parameters, read by handler/anthropic_params.py
  rather than declared on the route), every body is OpenAI's or Anthropic's (`anyOf`), and
  every answer may carry `request-id`;
- every GET operation has its HEAD twin (`handler.middleware` answers HEAD as GET, without the
  body): same parameters, statuses and headers, no content.
"""

from __future__ import annotations

import copy
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

# The operations that speak both dialects, and the Anthropic body of each (handler/app.py).
_ANTHROPIC_BODIES = {"list_models": "AnthropicModelPage", "retrieve_model": "AnthropicModelInfo"}
_ANTHROPIC_LIST = "list_models"
_ANTHROPIC_ERROR = "AnthropicError"
_REQUEST_ID = {
    "description": "Only for a request with `anthropic-version`: the request's id (the same "
    "as `x-request-id`), where Anthropic's SDKs read it.",
    "required": False,
    "schema": {"type": "string"},
}

_INVALID_VALUE = {
    "description": "Invalid parameter value (`invalid_value`).",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}},
}


def install_openapi(app: FastAPI) -> None:
    """Build the document once, adjusted as the module says."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _document(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _document(app: FastAPI) -> dict[str, Any]:
    # Imported here, when the document is first asked for: no request needs these models, and
    # the deployed function pays at its cold start for every module handler/app.py imports.
    from handler import anthropic_schema

    schema = get_openapi(
        title=app.title, version=app.version, summary=app.summary, routes=app.routes
    )
    schemas = schema.setdefault("components", {}).setdefault("schemas", {})
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    # Named `Anthropic...`, beside the OpenAI shapes FastAPI put there.
    schemas.update(anthropic_schema.component_schemas())
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            _adjust(operation)
            anthropic_body = _ANTHROPIC_BODIES.get(operation.get("operationId", ""))
            if anthropic_body is not None:
                _add_anthropic_dialect(operation, anthropic_body)
        if "get" in operations and "head" not in operations:
            operations["head"] = _head_of(operations["get"])
    return schema


def _add_anthropic_dialect(operation: dict[str, Any], body: str) -> None:
    from handler import anthropic_schema  # loaded by _document already

    parameters = operation.setdefault("parameters", [])
    parameters.append(anthropic_schema.version_header())
    if operation["operationId"] == _ANTHROPIC_LIST:
        parameters.extend(anthropic_schema.list_parameters())
    for status, response in operation.get("responses", {}).items():
        response["headers"] = {**response.get("headers", {}), "request-id": dict(_REQUEST_ID)}
        content = response.get("content", {}).get("application/json")
        if content is not None:
            anthropic = body if status.startswith("2") else _ANTHROPIC_ERROR
            ref = anthropic_schema.REF_TEMPLATE.format(model=anthropic)
            content["schema"] = {"anyOf": [content["schema"], {"$ref": ref}]}


def _adjust(operation: dict[str, Any]) -> None:
    responses = operation.get("responses", {})
    if responses.pop("422", None) is not None and "400" not in responses:
        responses["400"] = copy.deepcopy(_INVALID_VALUE)
    for parameter in operation.get("parameters", ()):
        schema = parameter.get("schema", {})
        choices = schema.get("anyOf")
        if parameter.get("in") == "query" and not parameter.get("required") and choices:
            values = [choice for choice in choices if choice != {"type": "null"}]
            if len(values) == 1 < len(choices):
                del schema["anyOf"]
                schema.update(values[0])


def _head_of(get: dict[str, Any]) -> dict[str, Any]:
    head = copy.deepcopy(get)
    if "operationId" in head:
        head["operationId"] += "_head"
    head["summary"] = f"{get.get('summary', 'GET')} (headers only)"
    head["description"] = (
        "HEAD: the status and headers the GET would answer (Content-Length included), no body."
    )
    for response in head.get("responses", {}).values():
        response.pop("content", None)
    return head

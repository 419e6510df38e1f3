"""The OpenAPI document, made truthful: what the API really answers, and nothing it does not.

FastAPI's generated document is adjusted in four ways:
- its 422 responses (we never send one) become our 400 in OpenAI's shape;
- an optional query parameter is a value or absent, never `null`: its schema is the value's;
- each dialect of the app adds its part (handler/dialects/): Anthropic's the `anthropic-version`
  header, the list's own query parameters, its bodies (`anyOf` with OpenAI's) and `request-id`;
- every GET operation has its HEAD twin (`handler.middleware` answers HEAD as GET, without the
  body): same parameters, statuses and headers, no content.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from fastapi.openapi.utils import get_openapi

from handler.operations import documented_routes

if TYPE_CHECKING:
    from fastapi import FastAPI

    from handler.dialects import Dialects

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
    # The operations as declared (handler/operations.py), not the endpoints that serve them.
    schema = get_openapi(
        title=app.title,
        version=app.version,
        summary=app.summary,
        routes=list(documented_routes().values()),
    )
    schemas = schema.setdefault("components", {}).setdefault("schemas", {})
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            _adjust(operation)
    # Each dialect adds what it answers (handler/dialects/); the HEAD twins copy the result.
    dialects: Dialects = app.state.dialects
    for dialect in dialects.dialects:
        dialect.extend_openapi(schema)
    for operations in schema.get("paths", {}).values():
        if "get" in operations and "head" not in operations:
            operations["head"] = _head_of(operations["get"])
    return schema


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

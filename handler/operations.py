"""The API's contract: its three operations as FastAPI declares them, for /openapi.json.

The operations here are documented, not served. handler/app.py serves the same paths with plain
Starlette endpoints that do the same work (the key, the catalog, the query) without FastAPI's
dependency resolution on every request; FastAPI's validation of the list's declared query
parameters is still what validates a query string (`handler.app._ListQueries`).

`documented_routes()` builds them on first use, not at import: declaring them makes FastAPI
build a field for every parameter and response model, and import `pydantic.v1` to check that
none is a pydantic v1 model: about 60 ms of the import (measured), which a request needs only
for /openapi.json or a list query string with the shared filters. That first request pays it,
about 80 ms with its validation, unless the init ran ahead of requests
(`handler.compose.api_at_init`).
"""

from __future__ import annotations

import functools
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.routing import APIRoute

from catalog.limits import MAX_OWNED_BY_LENGTH, OWNED_BY_PATTERN
from catalog.schema import CapabilityName, LifecycleStatus, Model, ModelList
from handler.auth import ApiKeyDep
from handler.deps import CatalogDep
from handler.dialects import VARY
from handler.dialects.openai import ErrorResponse

LIST_PATH = "/v1/models"
RETRIEVE_PATH = "/v1/models/{model_id:path}"
HEALTH_PATH = "/health"
# The list's query parameters every dialect shares (handler.dialects.ListFilters), as
# `list_models` declares them.
LIST_QUERY_PARAMETERS = ("owned_by", "capability", "status", "min_context_length")

# An authenticated response must not sit in a shared cache; clients revalidate with the ETag.
CACHE_CONTROL = "private, no-cache"


def _error(description: str) -> dict[str, Any]:
    return {"model": ErrorResponse, "description": description}


_AUTH_ERRORS: dict[int | str, dict[str, Any]] = {
    401: _error("Missing, malformed, unknown or revoked API key (`invalid_api_key`)."),
    503: _error("API keys cannot be verified right now (`service_unavailable`); see Retry-After."),
}


def _header(description: str, *, required: bool = False) -> dict[str, Any]:
    return {"description": description, "required": required, "schema": {"type": "string"}}


_ETAG = _header(
    "Strong validator of the body sent; the gzip encoding's has `-gzip` inside the quotes. "
    "Send it back in If-None-Match.",
    required=True,
)
_CACHING_HEADERS = {
    "ETag": _ETAG,
    "Cache-Control": _header(f"`{CACHE_CONTROL}`", required=True),
    "Vary": _header(f"`{VARY}`", required=True),
}
_OK: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The body in the request's dialect: OpenAI's, or Anthropic's when the "
        "request has an `anthropic-version` header.",
        "headers": {
            **_CACHING_HEADERS,
            "Content-Encoding": {
                "description": "`gzip` when Accept-Encoding allows it and the body is large "
                "enough to gain from it; absent otherwise.",
                "required": False,
                "schema": {"type": "string", "enum": ["gzip"]},
            },
        },
    },
    304: {
        "description": "An ETag in If-None-Match (of either encoding) is current; no body.",
        "headers": _CACHING_HEADERS,
    },
}

# Retrieve of a deprecated or retired model (catalog/lifecycle.py, `deprecation_headers`).
_LIFECYCLE_HEADERS = {
    "Deprecation": _header(
        "RFC 9745, only when the model is deprecated or retired: `@` and the epoch seconds of "
        "`lifecycle.deprecated_at` (00:00 UTC), or of `shutdown_at` when only that is known; "
        "absent when neither date is known."
    ),
    "Sunset": _header(
        "RFC 8594, only when the model is deprecated or retired and `lifecycle.shutdown_at` is "
        "known: that date as an HTTP-date (00:00 GMT)."
    ),
    "Link": _header(
        "Only when the model is deprecated or retired and names a successor: "
        '`</v1/models/SUCCESSOR>; rel="successor-version"`.'
    ),
}
_OK_RETRIEVE: dict[int | str, dict[str, Any]] = {
    200: {**_OK[200], "headers": {**_OK[200]["headers"], **_LIFECYCLE_HEADERS}},
    304: {**_OK[304], "headers": {**_CACHING_HEADERS, **_LIFECYCLE_HEADERS}},
}


_LIST_RESPONSES: dict[int | str, dict[str, Any]] = {
    **_OK,
    400: _error(
        "A malformed `owned_by` or `min_context_length`, an unknown `capability` or "
        "`status`; with `anthropic-version`, also a `limit` out of range, an `after_id` or "
        "`before_id` that is no model id of the catalog, or a `lifecycle` (`lifecycle[]`) "
        "with an unknown status or too many values (`invalid_value`, naming `param`)."
    ),
    **_AUTH_ERRORS,
}


async def list_models(
    request: Request,
    _key: ApiKeyDep,
    catalog: CatalogDep,
    owned_by: Annotated[
        str | None,
        # What a model's `owned_by` may be (catalog.limits): anything else is a 400, and the
        # OpenAPI document says so.
        Query(
            description="Only models of this provider, e.g. `anthropic`. A provider the "
            "catalog does not have lists no model.",
            min_length=1,
            max_length=MAX_OWNED_BY_LENGTH,
            pattern=OWNED_BY_PATTERN,
        ),
    ] = None,
    capability: Annotated[
        list[CapabilityName] | None,
        Query(
            description="Only models known to have this capability; repeat it to require "
            "several. A model whose flag is absent (unknown) is not listed."
        ),
    ] = None,
    status: Annotated[
        list[LifecycleStatus] | None,
        Query(
            description="Only models with this lifecycle status now; repeat it to accept "
            "several. Without it: the models that can be used today, active and deprecated "
            "(retired ones only when asked, `status=retired`; every model: all three)."
        ),
    ] = None,
    min_context_length: Annotated[
        int | None,
        Query(
            description="Only models whose `context_length` is at least this many tokens.",
            ge=1,
        ),
    ] = None,
) -> Response:
    """List the models AssistantRouter supports, in curated order (grouped by provider).

    With an `anthropic-version` header: Anthropic's list instead, newest first, in pages."""
    raise NotImplementedError(_DOCUMENTED_ONLY)


_RETRIEVE_RESPONSES: dict[int | str, dict[str, Any]] = {
    **_OK_RETRIEVE,
    404: _error("No model has this id or alias (`model_not_found`)."),
    **_AUTH_ERRORS,
}


async def retrieve_model(
    request: Request,
    _key: ApiKeyDep,
    catalog: CatalogDep,
    model_id: Annotated[
        str,
        Path(
            description="The model id, or one of its `aliases` (the answer is the model, "
            "its canonical `id` included). It may contain `/`, sent raw or as `%2F`.",
            examples=["gpt-4o"],
        ),
    ],
) -> Response:
    """Retrieve one model by id or alias."""
    raise NotImplementedError(_DOCUMENTED_ONLY)


async def health(catalog: CatalogDep) -> Response:
    """Liveness and where the catalog being served came from. No authentication."""
    raise NotImplementedError(_DOCUMENTED_ONLY)


_DOCUMENTED_ONLY = "documented operation: served by handler.app._serve_*"


@functools.cache
def documented_routes() -> dict[str, APIRoute]:
    """The three operations, by name (`list_models`, `retrieve_model`, `health`), in the
    order /openapi.json lists them; built once per process (see the module's docstring)."""
    router = APIRouter()
    router.add_api_route(
        LIST_PATH,
        list_models,
        methods=["GET"],
        operation_id="list_models",
        response_model=ModelList,
        responses=_LIST_RESPONSES,
    )
    router.add_api_route(
        RETRIEVE_PATH,
        retrieve_model,
        methods=["GET"],
        operation_id="retrieve_model",
        response_model=Model,
        responses=_RETRIEVE_RESPONSES,
    )
    router.add_api_route(
        HEALTH_PATH, health, methods=["GET"], operation_id="health", tags=["operations"]
    )
    return {route.name: route for route in router.routes if isinstance(route, APIRoute)}

"""The HTTP API: FastAPI app and its Lambda entry point (Mangum).

`app` and `lambda_handler` are the deployed ones: their services are built from the environment
on the first request. `create_app(services)` and `build_lambda_handler(app)` make the same with
services passed in (tests, `ar-models serve`, `ar-models dev`).

Routes are `async def` and return prebuilt bytes: the catalog snapshot serialised each body and
its ETag once per catalog version, so a warm request does no JSON work and no I/O.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, FastAPI, Path, Query, Request, Response
from mangum import Mangum

from catalog.schema import CapabilityName, Model, ModelList
from handler.auth import ApiKeyDep
from handler.deps import CatalogDep, Services
from handler.errors import APIError, ErrorResponse, error_body, install_error_handlers
from handler.lambda_types import LambdaContext
from handler.middleware import RequestIdMiddleware
from handler.openapi import install_openapi

if TYPE_CHECKING:
    from catalog.snapshot import Body

LambdaHandler = Callable[[Any, LambdaContext], dict[str, Any]]

logger = logging.getLogger(__name__)

# An authenticated response must not sit in a shared cache; clients revalidate with the ETag.
CACHE_CONTROL = "private, no-cache"


def _error(description: str) -> dict[str, Any]:
    return {"model": ErrorResponse, "description": description}


_AUTH_ERRORS: dict[int | str, dict[str, Any]] = {
    401: _error("Missing, malformed, unknown or revoked API key (`invalid_api_key`)."),
    503: _error("API keys cannot be verified right now (`service_unavailable`); see Retry-After."),
}
_NOT_MODIFIED: dict[int | str, dict[str, Any]] = {
    304: {"description": "The ETag in If-None-Match is current; no body."}
}

router = APIRouter()


def _send(request: Request, body: Body) -> Response:
    headers = {"ETag": body.etag, "Cache-Control": CACHE_CONTROL, "Vary": "Authorization"}
    if _etag_matches(request.headers.get("if-none-match"), body.etag):
        return Response(status_code=304, headers=headers)
    return Response(body.content, media_type="application/json", headers=headers)


def _etag_matches(if_none_match: str | None, etag: str) -> bool:
    """If-None-Match uses the weak comparison (RFC 9110 13.1.2): W/ prefixes are ignored."""
    if not if_none_match:
        return False
    for candidate in if_none_match.split(","):
        tag = candidate.strip()
        if tag == "*" or tag.removeprefix("W/") == etag:
            return True
    return False


@router.get(
    "/v1/models",
    operation_id="list_models",
    response_model=ModelList,
    responses={
        **_NOT_MODIFIED,
        400: _error("Unknown filter value (`invalid_value`)."),
        **_AUTH_ERRORS,
    },
)
async def list_models(
    request: Request,
    _key: ApiKeyDep,
    catalog: CatalogDep,
    owned_by: Annotated[
        str | None, Query(description="Only models of this provider, e.g. `anthropic`.")
    ] = None,
    capability: Annotated[
        list[CapabilityName] | None,
        Query(description="Only models with this capability; repeat it to require several."),
    ] = None,
) -> Response:
    """List the models AssistantRouter supports, in curated order (grouped by provider)."""
    return _send(request, catalog.snapshot.list_body_for(owned_by, capability or ()))


@router.get(
    "/v1/models/{model_id:path}",
    operation_id="retrieve_model",
    response_model=Model,
    responses={
        **_NOT_MODIFIED,
        404: _error("No model has this id (`model_not_found`)."),
        **_AUTH_ERRORS,
    },
)
async def retrieve_model(
    request: Request,
    _key: ApiKeyDep,
    catalog: CatalogDep,
    model_id: Annotated[
        str,
        Path(
            description="The model id. It may contain `/`, sent raw or as `%2F`.",
            examples=["gpt-4o"],
        ),
    ],
) -> Response:
    """Retrieve one model by id."""
    # openai-python >= 2.30 sends `/` in an id as %2F. Both uvicorn and Mangum percent-decode
    # the path before routing, so the `:path` converter sees the `/` and takes it whole.
    return _send(request, catalog.snapshot.model_body(model_id))


@router.get("/health", operation_id="health", tags=["operations"])
async def health(catalog: CatalogDep) -> Response:
    """Liveness and where the catalog being served came from. No authentication."""
    body = {
        "status": "ok",
        "catalog": {
            "source": catalog.served_from.value,
            "version": catalog.snapshot.version,
            "models": len(catalog.snapshot),
        },
    }
    return Response(json.dumps(body).encode(), media_type="application/json")


def create_app(services: Services | None = None) -> FastAPI:
    """The API with these services; None builds them from the environment on first request."""
    app = FastAPI(
        title="AssistantRouter Models API",
        version="1.0.0",
        summary="The curated list of models AssistantRouter supports, OpenAI-compatible.",
    )
    app.state.services = services
    app.include_router(router)
    app.add_middleware(RequestIdMiddleware)
    install_error_handlers(app)
    install_openapi(app)
    return app


def build_lambda_handler(app: FastAPI) -> LambdaHandler:
    """A Lambda entry point serving `app`: API Gateway HTTP API (2.0) and REST API (1.0) events."""
    adapter = Mangum(app, lifespan="off")

    def lambda_handler(event: Any, context: LambdaContext) -> dict[str, Any]:
        try:
            adapter.infer(event, context)
        except RuntimeError:
            # Not an HTTP event (a test invoke, a misrouted trigger). Mangum would raise; answer
            # with a clean error so the invoke does not count as a function failure and retry.
            keys = sorted(event) if isinstance(event, dict) else type(event).__name__
            logger.warning("ignoring an event that is not an API Gateway request; keys: %s", keys)
            return _unsupported_event()
        response: dict[str, Any] = adapter(event, context)
        return response

    return lambda_handler


def _unsupported_event() -> dict[str, Any]:
    error = APIError(
        400, "This function only answers API Gateway HTTP requests.", code="unsupported_event"
    )
    return {
        "statusCode": error.status,
        "headers": {"content-type": "application/json"},
        "body": error_body(error).decode(),
        "isBase64Encoded": False,
    }


# The deployed function (template.yaml: handler.api.lambda_handler); `handler.api:app` for ASGI.
app = create_app()
lambda_handler = build_lambda_handler(app)

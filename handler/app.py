"""The HTTP API as a FastAPI app: the endpoints serving its operations (declared, for
/openapi.json, in handler/operations.py), and `create_app(services)`.

Importing this module builds nothing: the deployed app is made in handler/api.py, and tests,
`ar-models serve` and `ar-models dev` make their own with the services they choose.

Routes are `async def` and return prebuilt bytes: the catalog snapshot serialised each body and
its ETag once per catalog version (and gzips a body on its first request that accepts gzip), so
a warm request does no JSON work and no I/O. Both routes answer in the request's dialect
(handler/dialects/: OpenAI's, or Anthropic's for a request with `anthropic-version`), which
the middleware decided and left in `request.state.dialect`.

The Lambda side (every event answered) is handler/lambda_adapter.py.
"""

from __future__ import annotations

import functools
import json
import logging
from typing import TYPE_CHECKING

from fastapi import FastAPI, Request, Response

# The one FastAPI helper used beyond its public API: its validation of an operation's query
# parameters, so the served list answers exactly the errors the documented operation declares.
from fastapi.dependencies.utils import request_params_to_args
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.routing import Route

from awsclients.bounded_cache import BoundedCache, one
from handler.auth import presented_key, verified_key
from handler.deps import Services, services_of
from handler.dialects import DIALECTS, Dialects, ListFilters
from handler.docs import serve_docs_locally
from handler.errors import install_error_handlers
from handler.middleware import EdgeMiddleware
from handler.openapi import install_openapi
from handler.operations import (
    CACHE_CONTROL,
    HEALTH_PATH,
    LIST_PATH,
    LIST_QUERY_PARAMETERS,
    RETRIEVE_PATH,
    documented_routes,
)
from handler.text_body import BodyResponse

if TYPE_CHECKING:
    from starlette.types import ASGIApp

    from catalog.body import Body

logger = logging.getLogger(__name__)

_CACHE_CONTROL = CACHE_CONTROL.encode()


def _send(request: Request, body: Body) -> Response:
    """`body`, gzipped if the client takes gzip and it helps, or 304 if the client has it."""
    vary: str = request.state.vary
    accept_encoding = request.headers.get("accept-encoding")
    gzipped = body.gzipped() if accept_encoding and _accepts_gzip(accept_encoding) else None
    sent = body if gzipped is None else gzipped
    if_none_match = request.headers.get("if-none-match")
    if if_none_match:
        # Either encoding's ETag names the same content: the client's copy is current.
        other = body.gzip_etag if gzipped is None else body.etag
        matched = _matching_etag(if_none_match, sent.etag, other)
        if matched is not None:
            # The 304 names the copy the client has, and carries no Content-Encoding: a cache
            # updates the stored response with this ETag from it.
            headers = {"ETag": matched, "Cache-Control": CACHE_CONTROL, "Vary": vary}
            headers.update(body.headers)
            return Response(status_code=304, headers=headers)
    raw = [
        (b"etag", sent.etag.encode()),
        (b"cache-control", _CACHE_CONTROL),
        (b"vary", vary.encode()),
        *[(name.lower().encode(), value.encode("latin-1")) for name, value in body.headers],
    ]
    if gzipped is not None:
        raw.append((b"content-encoding", b"gzip"))
    return BodyResponse(sent, raw)


def _matching_etag(if_none_match: str, etag: str, other: str) -> str | None:
    """Which of our ETags If-None-Match names (`*`: `etag`). Weak comparison (RFC 9110
    13.1.2): a W/ prefix is ignored."""
    for candidate in if_none_match.split(","):
        tag = candidate.strip()
        if tag == "*":
            return etag
        tag = tag.removeprefix("W/")
        if tag in (etag, other):
            return tag
    return None


@functools.lru_cache(maxsize=64)  # clients send a handful of distinct values
def _accepts_gzip(accept_encoding: str) -> bool:
    """Whether Accept-Encoding (RFC 9110 12.5.3) lets us send gzip: `gzip` (or `x-gzip`, or
    else `*`) with a q-value above 0, and not below an identity the client ranks explicitly.
    `gzip;q=0` refuses it; a malformed q-value counts as 0."""
    weights: dict[str, float] = {}
    for item in accept_encoding.split(","):
        coding, _, params = item.partition(";")
        coding = coding.strip().lower()
        if not coding:
            continue
        weight = 1.0
        for param in params.split(";"):
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
                if not 0.0 <= weight <= 1.0:  # also NaN
                    weight = 0.0
        weights.setdefault(coding, weight)
    gzip = weights.get("gzip", weights.get("x-gzip", weights.get("*", 0.0)))
    return gzip > 0.0 and gzip >= weights.get("identity", 0.0)


# --- What serves the three operations --------------------------------------------------------
#
# The operations of handler/operations.py are their contract: FastAPI documents them
# (handler/openapi.py) and validates the list's query parameters. They are served by the plain
# Starlette endpoints below, which do the same work in the same order (the key, the catalog, the
# query) without FastAPI resolving six dependencies and validating every parameter again on each
# request (58 % of a warm list's time, measured): the query string is validated once, by
# FastAPI's validation of the documented operation's parameters, and its filters kept by raw
# query string (_ListQueries).


async def _authenticated(request: Request) -> Services:
    """The app's services, once the request's key is verified (handler.auth, as the documented
    operations' security schemes read it)."""
    services = services_of(request)
    headers = request.headers
    key = presented_key(headers.get("authorization"), headers.get("x-api-key"))
    verified_key(services.key_verifier, key)
    return services


_NO_FILTERS = ListFilters()


class _ListQueries:
    """The list's shared filters by raw query string: validated as FastAPI validates the
    documented operation's query parameters (the same values, the same errors), once per
    distinct query string. At most MAX_ENTRIES kept, least recently used out first, and only
    query strings of at most MAX_KEY_BYTES: a few hundred KB at most, whatever clients send."""

    MAX_ENTRIES = 256
    MAX_KEY_BYTES = 1024

    def __init__(self) -> None:
        self._kept: BoundedCache[bytes, ListFilters] = BoundedCache(self.MAX_ENTRIES, size_of=one)

    def filters(self, request: Request) -> ListFilters:
        raw: bytes = request.scope["query_string"]
        kept = self._kept.get(raw)
        if kept is not None:
            return kept
        query = request.query_params
        if any(name in query for name in LIST_QUERY_PARAMETERS):
            fields = documented_routes()["list_models"].dependant.query_params
            values, errors = request_params_to_args(fields, query)
            if errors:
                raise RequestValidationError(errors)
            filters = ListFilters(
                values["owned_by"],
                values["capability"] or (),
                values["status"],
                values["min_context_length"],
            )
        else:
            # None of them: every filter at its default, as validation would find (tested), without
            # building the documented operations on a cold start (handler/operations.py).
            filters = _NO_FILTERS
        if len(raw) <= self.MAX_KEY_BYTES:
            self._kept.keep(raw, filters)
        return filters


async def _serve_list(request: Request) -> Response:
    services = await _authenticated(request)
    catalog = services.catalog_cache.current()
    queries: _ListQueries = request.app.state.list_queries
    filters = queries.filters(request)
    body = request.state.dialect.list_body(catalog.snapshot, filters, request)
    return _send(request, body)


async def _serve_retrieve(request: Request) -> Response:
    services = await _authenticated(request)
    catalog = services.catalog_cache.current()
    model_id: str = request.path_params["model_id"]
    # openai-python >= 2.30 sends `/` in an id as %2F. Both uvicorn and Mangum percent-decode
    # the path before routing, so the `:path` converter sees the `/` and takes it whole.
    if not model_id:  # `/v1/models/`: a URL with no id, not a model named ""
        raise HTTPException(404)
    return _send(request, request.state.dialect.model_body(catalog.snapshot, model_id))


async def _serve_health(request: Request) -> Response:
    catalog = services_of(request).catalog_cache.current()
    body = {
        "status": "ok",
        "catalog": {
            "source": catalog.served_from.value,
            "version": catalog.snapshot.version,
            "models": len(catalog.snapshot),
        },
    }
    return Response(json.dumps(body).encode(), media_type="application/json")


class _CatalogAPI(FastAPI):
    def build_middleware_stack(self) -> ASGIApp:
        # Outermost, around Starlette's ServerErrorMiddleware (which `add_middleware` cannot
        # reach): the 500 it sends gets the request id, nosniff and HEAD's treatment too.
        return EdgeMiddleware(super().build_middleware_stack(), self.state.dialects)


def create_app(services: Services, *, dialects: Dialects = DIALECTS) -> FastAPI:
    """The API, answering with these services, in these dialects (handler/dialects/)."""
    app = _CatalogAPI(
        title="AssistantRouter Models API",
        version="1.0.0",
        summary="The curated list of models AssistantRouter supports, for OpenAI and Anthropic "
        "clients.",
        # Never a redirect (`/health/` is a 404, not a 307): Claude Code's model discovery
        # counts any redirect as a failure, and no client here needs one.
        redirect_slashes=False,
        # FastAPI's native OpenTelemetry off: the service reports through EMF metrics and its
        # logs (handler/metrics.py), and no OpenTelemetry provider is configured. On, it looks
        # the global providers up in os.environ on every request: 5 % of a warm list (measured).
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.services = services
    app.state.dialects = dialects
    app.state.list_queries = _ListQueries()
    # Starlette routes, not `include_router`: FastAPI wraps an included router, which here cost
    # about 7 ms on a container's first request and 20 µs on every one (measured). First, ahead
    # of FastAPI's /openapi.json and /docs routes, none of which they overlap: the list is then
    # matched at the first try.
    app.router.routes[:0] = [
        Route(LIST_PATH, _serve_list, methods=["GET"]),
        Route(RETRIEVE_PATH, _serve_retrieve, methods=["GET"]),
        Route(HEALTH_PATH, _serve_health, methods=["GET"]),
    ]
    install_error_handlers(app)
    install_openapi(app)
    serve_docs_locally(app)  # /docs offline where Swagger UI's package is installed
    return app

"""Every error a client can see, as an APIError answered in the body of the dialect the request
speaks (handler/dialects/: OpenAI's `{"error": {...}}`, Anthropic's `{"type": "error", ...}`).

One table maps domain and framework exceptions to status and body, so FastAPI's default
{"detail": ...} never reaches a client and Mangum's plain-text 500 never happens. The request
id (and for Anthropic clients `request-id`) and `nosniff` are added to every response, these
included, by `handler.middleware`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from apikeys.errors import KeyStoreUnavailable
from catalog.errors import InvalidCursor, InvalidFilter, ModelNotFound
from catalog.problems import VALUE_LIMIT, printable, quoted

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
INTERNAL_ERROR_MESSAGE = "The server had an error while processing your request. Sorry about that!"


class APIError(Exception):
    """An error answer built by our own code (auth, for instance), carried to the handler."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = "invalid_request_error",
        param: str | None = None,
        code: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.type = type
        self.param = param
        self.code = code
        self.headers = dict(headers or {})


def error_response(error: APIError, request: Request) -> Response:
    """`error` as the client of `request` reads errors: in the dialect handler.middleware
    chose for it (`request.state.dialect`)."""
    state = request.state
    content = state.dialect.error_body(error, getattr(state, "request_id", None))
    return Response(
        content,
        status_code=error.status,
        media_type="application/json",
        headers={**error.headers, "Vary": state.vary},
    )


def path_of(request: Request) -> str:
    """The request's path, as `request.url` has it. A Host header that cannot be a URL's
    authority (`[`, say, in a hand-built event) makes `request.url` raise: then the path of the
    ASGI scope, which is the same path before urllib reads it."""
    try:
        return request.url.path
    except ValueError:
        path: str = request.scope.get("root_path", "") + request.scope["path"]
        return path


def _from_http_exception(request: Request, exc: StarletteHTTPException) -> APIError:
    if exc.status_code == 404:
        return APIError(
            404, f"Invalid URL ({request.method} {path_of(request)})", code="unknown_url"
        )
    if exc.status_code == 405:
        return APIError(
            405,
            f"Method {request.method} is not allowed for {path_of(request)}",
            code="method_not_allowed",
            headers={**(exc.headers or {}), "Allow": _allow(exc.headers)},
        )
    return APIError(exc.status_code, str(exc.detail), headers=exc.headers)


def _allow(headers: Mapping[str, str] | None) -> str:
    """The route's methods, plus HEAD wherever GET is: the middleware answers HEAD as GET."""
    methods = {m.strip() for m in (headers or {}).get("Allow", "").split(",") if m.strip()}
    if "GET" in methods:
        methods.add("HEAD")
    return ", ".join(sorted(methods))


def _from_validation_error(_: Request, exc: RequestValidationError) -> APIError:
    first: dict[str, Any] = exc.errors()[0] if exc.errors() else {}
    location = [str(part) for part in first.get("loc", ())]
    param = location[1] if len(location) > 1 else None
    value = first.get("input")
    expected = first.get("ctx", {}).get("expected")
    message = f"Invalid value for '{param}': {_echo(value)}." if param else "Invalid request."
    if expected:
        message += f" Expected {expected}."
    elif first.get("msg"):
        message += f" {first['msg']}."
    return APIError(400, message, param=param, code="invalid_value")


def _echo(value: Any) -> str:
    """A rejected value as every message shows one (catalog.problems): a string quoted, any
    other value by its repr, each at most VALUE_LIMIT characters of it."""
    if isinstance(value, str):
        return quoted(value)
    return printable(repr(value), limit=VALUE_LIMIT)


def _from_model_not_found(_: Request, exc: ModelNotFound) -> APIError:
    return APIError(404, str(exc), param="model", code="model_not_found")


def _from_invalid_filter(_: Request, exc: InvalidFilter | InvalidCursor) -> APIError:
    return APIError(400, str(exc), param=exc.param, code="invalid_value")


def _from_key_store_unavailable(_: Request, exc: KeyStoreUnavailable) -> APIError:
    logger.warning("refusing a request: %s", exc)
    return APIError(
        503,
        "The service cannot verify API keys right now. Please retry shortly.",
        type="server_error",
        code="service_unavailable",
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def _from_unexpected(request: Request, exc: Exception) -> APIError:
    logger.error(
        "unhandled error on %s %s (request id %s)",
        request.method,
        path_of(request),
        getattr(request.state, "request_id", None),
        exc_info=exc,
    )
    return APIError(
        500,
        INTERNAL_ERROR_MESSAGE,
        type="server_error",
        code="internal_error",
    )


_TRANSLATORS: dict[type[Exception], Callable[[Request, Any], APIError]] = {
    APIError: lambda _, exc: exc,
    StarletteHTTPException: _from_http_exception,
    RequestValidationError: _from_validation_error,
    ModelNotFound: _from_model_not_found,
    InvalidFilter: _from_invalid_filter,
    InvalidCursor: _from_invalid_filter,
    KeyStoreUnavailable: _from_key_store_unavailable,
    Exception: _from_unexpected,
}


def install_error_handlers(app: FastAPI) -> None:
    """Register one handler per exception type of the table above."""
    for exc_type, translate in _TRANSLATORS.items():

        async def handle(
            request: Request,
            exc: Exception,
            translate: Callable[[Request, Any], APIError] = translate,
        ) -> Response:
            return error_response(translate(request, exc), request)

        app.add_exception_handler(exc_type, handle)

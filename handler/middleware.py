"""What every response carries, added in one place: the request id, `nosniff`, the headers of
the request's dialect, and HEAD. The request's dialect is decided here, once.

`EdgeMiddleware` wraps the whole app, Starlette's ServerErrorMiddleware included (see
`handler.app.create_app`), so the 500 that one sends gets the same treatment as any answer.
"""

from __future__ import annotations

import re
import uuid
from typing import TYPE_CHECKING, Any

from handler.text_body import TEXT_BODY

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

    from handler.dialects import Dialects

_REQUEST_ID = b"x-request-id"
_NOSNIFF = (b"x-content-type-options", b"nosniff")
# What we echo as a request id: visible ASCII, bounded (API Gateway's ids are ~16-36 chars).
# Anything else in an event (control characters, a lone surrogate, a megabyte) is not echoed.
_REQUEST_ID_SHAPE = re.compile(r"[!-~]{1,128}")


def request_id_from_event(event: Any) -> str | None:
    """API Gateway's request id (`requestContext.requestId`) if the event has a usable one."""
    if isinstance(event, dict):
        context = event.get("requestContext")
        if isinstance(context, dict):
            request_id = context.get("requestId")
            if isinstance(request_id, str) and _REQUEST_ID_SHAPE.fullmatch(request_id):
                return request_id
    return None


def request_id_of(scope: Scope) -> str:
    """The request's id: API Gateway's under Mangum (so logs line up), else a fresh one."""
    return request_id_from_event(scope.get("aws.event")) or uuid.uuid4().hex


class EdgeMiddleware:
    """Pure ASGI (no BaseHTTPMiddleware: nothing is buffered). On every HTTP response:

    - `x-request-id` (error handlers and logs read it from `request.state.request_id`), and
      the headers of the request's dialect (Anthropic's: the same id as `request-id`), chosen
      once here from `dialects` and kept in `request.state.dialect` for every layer to ask,
      with the `Vary` the answers carry in `request.state.vary`;
    - `X-Content-Type-Options: nosniff`;
    - HEAD is served as GET with the body dropped: the same status and headers (Content-Length
      of the GET body included), so every GET route answers HEAD, and a path or method that does
      not exist answers HEAD with the same 404/405 as GET, without its body.
    """

    def __init__(self, app: ASGIApp, dialects: Dialects) -> None:
        self.app = app
        self.dialects = dialects

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_of(scope)
        dialect = self.dialects.select_from_asgi(scope["headers"])
        # Read by the error handlers, the logs and the routes (`request.state`).
        state = scope.setdefault("state", {})
        state["request_id"], state["dialect"] = request_id, dialect
        state["vary"] = self.dialects.vary
        added: tuple[tuple[bytes, bytes], ...] = ((_REQUEST_ID, request_id.encode()), _NOSNIFF)
        for name, value in dialect.response_headers(request_id).items():
            added += ((name.encode(), value.encode()),)
        head = scope["method"] == "HEAD"
        if head:
            # A copy: the server's own scope stays HEAD (uvicorn then expects no body). Without
            # the text-body extension (handler/text_body.py): a HEAD answer has no body at all.
            extensions = {
                name: value
                for name, value in (scope.get("extensions") or {}).items()
                if name != TEXT_BODY
            }
            scope = {**scope, "method": "GET", "extensions": extensions}

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {name.lower() for name, _ in headers}
                headers.extend(header for header in added if header[0] not in present)
                message = {**message, "headers": headers}
            elif head and message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app(scope, receive, send_with_headers)

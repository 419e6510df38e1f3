"""Which API a request speaks: OpenAI's (the default) or Anthropic's, on the same URLs.

A request that carries an `anthropic-version` header (any value: there is one Anthropic shape
of the Models API, and Anthropic's SDKs and Claude Code always send it) gets the Anthropic
dialect: ModelInfo bodies, cursor pages, Anthropic's error shape and a `request-id` header.
Any other request gets the OpenAI dialect, exactly as before the Anthropic one existed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from starlette.requests import Request

ANTHROPIC_VERSION = "anthropic-version"
_ANTHROPIC_VERSION_NAME = ANTHROPIC_VERSION.encode()
# Every request header an answer of the /v1 routes depends on: the key (either header), the
# dialect, and the encoding. A shared cache must key on all of them.
VARY = "Authorization, x-api-key, anthropic-version, Accept-Encoding"


def asks_for_anthropic(raw_headers: Iterable[tuple[bytes, bytes]]) -> bool:
    """Whether an ASGI request's headers (names in lower case, as uvicorn and Mangum give
    them) ask for the Anthropic dialect. handler.middleware decides it once per request."""
    return any(name == _ANTHROPIC_VERSION_NAME for name, _ in raw_headers)


def speaks_anthropic(request: Request) -> bool:
    """The dialect handler.middleware decided for this request."""
    anthropic: bool = request.state.anthropic
    return anthropic

"""Which API a request speaks: OpenAI's (the default) or Anthropic's, on the same URLs.

A request that carries an `anthropic-version` header (any value: there is one Anthropic shape
of the Models API, and Anthropic's SDKs and Claude Code always send it) gets the Anthropic
dialect: ModelInfo bodies, cursor pages, Anthropic's error shape and a `request-id` header.
Any other request gets the OpenAI dialect, exactly as before the Anthropic one existed.
"""

from __future__ import annotations

from collections.abc import Mapping

ANTHROPIC_VERSION = "anthropic-version"
# Every request header an answer of the /v1 routes depends on: the key (either header), the
# dialect, and the encoding. A shared cache must key on all of them.
VARY = "Authorization, x-api-key, anthropic-version, Accept-Encoding"


def speaks_anthropic(headers: Mapping[str, str]) -> bool:
    """Whether the request asks for the Anthropic dialect (`headers` matched case-blind, as
    Starlette's are)."""
    return ANTHROPIC_VERSION in headers

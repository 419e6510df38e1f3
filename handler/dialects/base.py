"""What a dialect is: one value that every layer asks, never a flag it branches on.

A dialect is the shape of the API a client speaks on the same URLs: how a request is
recognised, what its answers carry, its list and retrieve bodies (from the catalog snapshot's
public methods), its error body and its additions to `/openapi.json`. One module each
(handler/dialects/openai.py, anthropic.py); handler/dialects/__init__.py holds the list an app
answers in (`Dialects`). The middleware picks the request's dialect once and puts it in
`request.state.dialect`; routes, error handlers, the Lambda adapter and the OpenAPI document
ask it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from starlette.requests import Request

    from catalog.body import Body
    from catalog.snapshot import CatalogSnapshot
    from handler.errors import APIError

# A request header's value by its lower-case name, or None when absent: the middleware reads
# ASGI headers, the Lambda adapter an event's (any case), through the same question.
HeaderLookup = Callable[[str], "str | None"]


def error_json(body: Mapping[str, Any]) -> bytes:
    """An error body as every dialect writes it: compact JSON, ASCII. An error quotes what the
    client sent, and escaped that way any character serialises, a lone surrogate included: the
    error itself never fails."""
    return json.dumps(body, separators=(",", ":")).encode()


@dataclass(frozen=True, slots=True)
class ListFilters:
    """The list's filters every dialect shares (documented on the route, handler/app.py).
    `statuses` is None when `status` is absent (a dialect may have its own default)."""

    owned_by: str | None = None
    capabilities: Sequence[str] = ()
    statuses: Sequence[str] | None = None
    min_context_length: int | None = None


class Dialect(Protocol):
    """One dialect of the API."""

    @property
    def name(self) -> str:
        """A short name, for logs and tests."""

    @property
    def selecting_headers(self) -> Sequence[str]:
        """The request headers (lower case) whose presence selects this dialect: part of every
        answer's `Vary`."""

    def recognises(self, header: HeaderLookup) -> bool:
        """Whether a request with these headers speaks this dialect."""

    def response_headers(self, request_id: str) -> Mapping[str, str]:
        """What every answer in this dialect carries besides the common headers."""

    def list_body(self, snapshot: CatalogSnapshot, filters: ListFilters, request: Request) -> Body:
        """The list answered, from the shared filters and this dialect's own query parameters,
        if it has any (`request.query_params`: parsed only when asked for). A bad one raises
        APIError, or a catalog InvalidFilter / InvalidCursor."""

    def model_body(self, snapshot: CatalogSnapshot, model_id: str) -> Body:
        """The body of one model by id or alias (ModelNotFound if none)."""

    def error_body(self, error: APIError, request_id: str | None) -> bytes:
        """`error` as this dialect's clients read errors."""

    def extend_openapi(self, document: dict[str, Any]) -> None:
        """Add this dialect's parameters, bodies and headers to the OpenAPI document (FastAPI's,
        already adjusted by handler/openapi.py)."""

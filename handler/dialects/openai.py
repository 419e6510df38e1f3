"""OpenAI's dialect: the default, for any request no other dialect recognises.

Its bodies are the catalog snapshot's own (`list_body_for`, `model_body`); its error body is
`{"error": {"message", "type", "param", "code"}}`. FastAPI generates its part of the OpenAPI
document from the routes (their `response_model` and ErrorResponse), so it adds nothing there.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from handler.dialects.base import error_json

if TYPE_CHECKING:
    from starlette.requests import Request

    from catalog.body import Body
    from catalog.snapshot import CatalogSnapshot
    from handler.dialects.base import HeaderLookup, ListFilters
    from handler.errors import APIError


class ErrorDetail(BaseModel):
    message: str
    type: str
    param: str | None
    code: str | None


class ErrorResponse(BaseModel):
    """The body of every non-2xx response."""

    error: ErrorDetail


def error_body(error: APIError) -> bytes:
    """The OpenAI-shaped body of `error`."""
    body = {
        "error": {
            "message": error.message,
            "type": error.type,
            "param": error.param,
            "code": error.code,
        }
    }
    return error_json(body)


_NO_HEADERS: Mapping[str, str] = {}


class OpenAIDialect:
    """OpenAI's Models API shape (see the module)."""

    name = "openai"
    selecting_headers: Sequence[str] = ()

    def recognises(self, header: HeaderLookup) -> bool:
        return True

    def response_headers(self, request_id: str) -> Mapping[str, str]:
        return _NO_HEADERS

    def list_body(self, snapshot: CatalogSnapshot, filters: ListFilters, request: Request) -> Body:
        # Anthropic's own parameters, if sent, are not this dialect's: ignored, as always.
        return snapshot.list_body_for(
            filters.owned_by,
            filters.capabilities,
            filters.statuses or (),
            filters.min_context_length,
        )

    def model_body(self, snapshot: CatalogSnapshot, model_id: str) -> Body:
        return snapshot.model_body(model_id)

    def error_body(self, error: APIError, request_id: str | None) -> bytes:
        return error_body(error)

    def extend_openapi(self, document: dict[str, Any]) -> None:
        return None


OPENAI = OpenAIDialect()

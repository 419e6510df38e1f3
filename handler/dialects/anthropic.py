"""Anthropic's dialect, for a request that carries an `anthropic-version` header.

Any value selects it: there is one Anthropic shape of the Models API, and Anthropic's SDKs and
Claude Code always send the header. It answers ModelInfo bodies and cursor pages (the snapshot's
Anthropic view, catalog/anthropic.py), Anthropic's error shape and a `request-id` header.

The list's own query parameters (`limit`, `after_id`, `before_id`, `lifecycle`) are read here,
from the query string, not declared on the route: a request in another dialect that happens to
carry one is answered as it always was, the parameter ignored.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from catalog.anthropic import DEFAULT_LIFECYCLES, DEFAULT_LIMIT, MAX_LIMIT
from catalog.errors import InvalidFilter
from catalog.limits import MAX_ID_LENGTH
from catalog.problems import quoted
from catalog.schema import LIFECYCLE_STATUSES
from handler.dialects.base import error_json
from handler.errors import APIError

if TYPE_CHECKING:
    from starlette.datastructures import QueryParams
    from starlette.requests import Request

    from catalog.body import Body
    from catalog.snapshot import CatalogSnapshot
    from handler.dialects.base import HeaderLookup, ListFilters

ANTHROPIC_VERSION = "anthropic-version"
# Anthropic's SDKs read the request id from `request-id`.
REQUEST_ID = "request-id"

# The Anthropic SDKs send a list parameter as `lifecycle[]=active&lifecycle[]=deprecated`.
LIFECYCLE_PARAMS = ("lifecycle", "lifecycle[]")
MAX_LIFECYCLE_VALUES = len(LIFECYCLE_STATUSES)

# Anthropic's error types by HTTP status (docs.claude.com, "Errors"). The keys table's outage
# (503, retry shortly) is closest to `overloaded_error`: temporary, to be retried with backoff.
ANTHROPIC_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    405: "invalid_request_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    503: "overloaded_error",
}


def anthropic_error_type(status: int) -> str:
    default = "api_error" if status >= 500 else "invalid_request_error"
    return ANTHROPIC_ERROR_TYPES.get(status, default)


def anthropic_error_body(error: APIError, request_id: str | None) -> bytes:
    """The Anthropic-shaped body of `error`."""
    body = {
        "type": "error",
        "error": {"type": anthropic_error_type(error.status), "message": error.message},
        "request_id": request_id,
    }
    return error_json(body)


@dataclass(frozen=True, slots=True)
class PageRequest:
    """The Anthropic list's paging and lifecycle parameters, checked."""

    limit: int = DEFAULT_LIMIT
    after_id: str | None = None
    before_id: str | None = None
    # The `lifecycle` values sent; None when the parameter is absent.
    lifecycles: frozenset[str] | None = None

    @classmethod
    def from_query(cls, query: QueryParams) -> PageRequest:
        """Read and check them; a bad value is a 400 naming the parameter. Both cursors
        together ask for the page between them (Anthropic's own SDK tests send both)."""
        after_id = _cursor(query, "after_id")
        before_id = _cursor(query, "before_id")
        return cls(_limit(query), after_id, before_id, _lifecycles(query))

    def statuses(self, status: Iterable[str] | None) -> frozenset[str]:
        """The lifecycle statuses to list: those of `lifecycle` and of our `status` filter
        (both: the models in both), or Anthropic's default, active and deprecated."""
        statuses = None if status is None else frozenset(status)
        if self.lifecycles is None:
            return DEFAULT_LIFECYCLES if statuses is None else statuses
        return self.lifecycles if statuses is None else self.lifecycles & statuses


def _invalid(param: str, message: str) -> APIError:
    return APIError(400, message, param=param, code="invalid_value")


def _limit(query: QueryParams) -> int:
    raw = query.get("limit")
    if raw is None:
        return DEFAULT_LIMIT
    text = raw.strip()
    digits = text.lstrip("0")
    # ASCII digits only: int() would also take "1_000", "٣" or " +5 ". Their length is checked
    # before int() reads them: it raises ValueError past 4,300 digits.
    if (
        not (text.isascii() and text.isdigit())
        or len(digits) > len(str(MAX_LIMIT))
        or not 1 <= int(digits or "0") <= MAX_LIMIT
    ):
        raise _invalid(
            "limit",
            f"Invalid value for 'limit': {quoted(raw)}. Expected an integer from 1 to {MAX_LIMIT}.",
        )
    return int(digits)


def _cursor(query: QueryParams, param: str) -> str | None:
    value = query.get(param)
    if value is not None and not 1 <= len(value) <= MAX_ID_LENGTH:
        raise _invalid(
            param, f"Invalid value for '{param}': {quoted(value)} is not a model id of this list."
        )
    return value


def _lifecycles(query: QueryParams) -> frozenset[str] | None:
    values = [value for name in LIFECYCLE_PARAMS for value in query.getlist(name)]
    if not values:
        return None
    if len(values) > MAX_LIFECYCLE_VALUES:
        raise _invalid(
            "lifecycle",
            f"Invalid value for 'lifecycle': {len(values)} values. "
            f"Expected at most {MAX_LIFECYCLE_VALUES} of: {', '.join(LIFECYCLE_STATUSES)}.",
        )
    for value in values:
        if value not in LIFECYCLE_STATUSES:
            error = InvalidFilter("lifecycle", value, list(LIFECYCLE_STATUSES))
            raise _invalid("lifecycle", str(error))
    return frozenset(values)


# --- Its additions to /openapi.json -----------------------------------------------------------

# The operations that speak this dialect too, and the Anthropic body of each (handler/app.py).
_BODIES = {"list_models": "AnthropicModelPage", "retrieve_model": "AnthropicModelInfo"}
_LIST = "list_models"
_ERROR = "AnthropicError"
_REQUEST_ID_HEADER = {
    "description": "Only for a request with `anthropic-version`: the request's id (the same "
    "as `x-request-id`), where Anthropic's SDKs read it.",
    "required": False,
    "schema": {"type": "string"},
}


def _add_to_operation(operation: dict[str, Any], body: str) -> None:
    # Imported when the document is first built (see anthropic_schema's docstring): no request
    # needs these models, and the deployed function pays at its cold start for every import.
    from handler.dialects import anthropic_schema

    parameters = operation.setdefault("parameters", [])
    parameters.append(anthropic_schema.version_header())
    if operation["operationId"] == _LIST:
        parameters.extend(anthropic_schema.list_parameters())
    for status, response in operation.get("responses", {}).items():
        response["headers"] = {**response.get("headers", {}), REQUEST_ID: dict(_REQUEST_ID_HEADER)}
        content = response.get("content", {}).get("application/json")
        if content is not None:
            anthropic = body if status.startswith("2") else _ERROR
            ref = anthropic_schema.REF_TEMPLATE.format(model=anthropic)
            content["schema"] = {"anyOf": [content["schema"], {"$ref": ref}]}


class AnthropicDialect:
    """Anthropic's Models API shape (see the module)."""

    name = "anthropic"
    selecting_headers: Sequence[str] = (ANTHROPIC_VERSION,)

    def recognises(self, header: HeaderLookup) -> bool:
        return header(ANTHROPIC_VERSION) is not None

    def response_headers(self, request_id: str) -> Mapping[str, str]:
        return {REQUEST_ID: request_id}

    def list_body(self, snapshot: CatalogSnapshot, filters: ListFilters, request: Request) -> Body:
        page = PageRequest.from_query(request.query_params)
        return snapshot.anthropic_page(
            filters.owned_by,
            filters.capabilities,
            page.statuses(filters.statuses),
            filters.min_context_length,
            limit=page.limit,
            after_id=page.after_id,
            before_id=page.before_id,
        )

    def model_body(self, snapshot: CatalogSnapshot, model_id: str) -> Body:
        return snapshot.anthropic.model_body(model_id)

    def error_body(self, error: APIError, request_id: str | None) -> bytes:
        return anthropic_error_body(error, request_id)

    def extend_openapi(self, document: dict[str, Any]) -> None:
        # Loaded with the document only (see _add_to_operation).
        from handler.dialects import anthropic_schema

        # Named `Anthropic...`, beside the OpenAI shapes FastAPI put there.
        document["components"]["schemas"].update(anthropic_schema.component_schemas())
        for operations in document.get("paths", {}).values():
            for operation in operations.values():
                body = _BODIES.get(operation.get("operationId", ""))
                if body is not None:
                    _add_to_operation(operation, body)


ANTHROPIC = AnthropicDialect()
__all__ = ["ANTHROPIC", "ANTHROPIC_ERROR_TYPES", "ANTHROPIC_VERSION", "AnthropicDialect"]

"""The Anthropic list's own query parameters: `limit`, `after_id`, `before_id`, `lifecycle`.

They are read here, from the query string, only for a request in the Anthropic dialect
(handler/dialect.py), not declared on the route: an OpenAI request that happens to carry one is
answered as it always was, the parameter ignored.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from starlette.datastructures import QueryParams

from catalog.anthropic import DEFAULT_LIFECYCLES, DEFAULT_LIMIT, MAX_LIMIT
from catalog.errors import InvalidFilter
from catalog.limits import MAX_ID_LENGTH
from catalog.schema import LIFECYCLE_STATUSES
from handler.errors import APIError

# The Anthropic SDKs send a list parameter as `lifecycle[]=active&lifecycle[]=deprecated`.
LIFECYCLE_PARAMS = ("lifecycle", "lifecycle[]")
MAX_LIFECYCLE_VALUES = len(LIFECYCLE_STATUSES)


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
        """Read and check them; a bad value is a 400 naming the parameter."""
        after_id = _cursor(query, "after_id")
        before_id = _cursor(query, "before_id")
        if after_id is not None and before_id is not None:
            raise _invalid("before_id", "Send at most one of 'after_id' and 'before_id'.")
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
            f"Invalid value for 'limit': {_shown(raw)}. Expected an integer from 1 to {MAX_LIMIT}.",
        )
    return int(digits)


def _cursor(query: QueryParams, param: str) -> str | None:
    value = query.get(param)
    if value is not None and not 1 <= len(value) <= MAX_ID_LENGTH:
        raise _invalid(
            param, f"Invalid value for '{param}': {_shown(value)} is not a model id of this list."
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
            error = InvalidFilter(
                "lifecycle", _shown(value, quoted=False), list(LIFECYCLE_STATUSES)
            )
            raise _invalid("lifecycle", str(error))
    return frozenset(values)


def _shown(value: str, *, quoted: bool = True) -> str:
    """A client's value, bounded, for an error message."""
    shown = value if len(value) <= 64 else value[:64] + "..."
    return repr(shown) if quoted else shown

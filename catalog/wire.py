"""Serialisation as the API sends it (compact JSON, UTF-8, never NaN or Infinity) and its sizes.

The byte caps of catalog/limits.py are measured here, the same way the API serialises: what they
bound is what a client receives.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from catalog.schema import Model


def wire_json(payload: Any) -> bytes:
    """`payload` as the API sends it: compact JSON, UTF-8, never NaN or Infinity.

    Raises ValueError (NaN, Infinity, a lone surrogate, a cycle), TypeError (not JSON) or
    RecursionError: whatever cannot be sent.
    """
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


_LIST_ENVELOPE_BYTES = len(wire_json({"object": "list", "data": []}))


def list_size(model_sizes: Collection[int]) -> int:
    """Bytes of the list body `{"object":"list","data":[...]}` of models of these wire sizes."""
    return _LIST_ENVELOPE_BYTES + sum(model_sizes) + max(len(model_sizes) - 1, 0)


# The served `lifecycle` always has a `status`, derived at answer time: a document's lifecycle
# without one is served this much longer at most (`"status":"deprecated",`).
STATUS_ALLOWANCE = len('"status":"deprecated",')


# The OpenAI dialect serves `shutdown_date` beside a known `lifecycle.shutdown_at`.
SHUTDOWN_DATE_ALLOWANCE = len(',"shutdown_date":"2027-01-14"')


def served_allowance(lifecycle: Mapping[str, Any] | None) -> int:
    """How many bytes the served form of a model with this document `lifecycle` may add to
    the document's: its derived status, and OpenAI's `shutdown_date`. (The served prices are
    one price set of the document's, and the schedule served a part of its schedule: never
    longer.)"""
    if not isinstance(lifecycle, Mapping):
        return 0
    allowance = 0 if "status" in lifecycle else STATUS_ALLOWANCE
    if "shutdown_at" in lifecycle:
        allowance += SHUTDOWN_DATE_ALLOWANCE
    return allowance


def served_size(model: Model) -> int:
    """The most bytes GET /v1/models/{id} may be for this model, whatever its status."""
    wire = model.to_wire()
    return len(wire_json(wire)) + served_allowance(wire.get("lifecycle"))


def served_list_size(models: Sequence[Model]) -> int:
    """Bytes of GET /v1/models for these models at most (what MAX_LIST_BYTES bounds)."""
    return list_size([served_size(model) for model in models])


# Serialises as `wire_json` does, but lets NaN through: this only measures.
_MEASURE = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


def raw_size(data: dict[Any, Any]) -> int | None:
    """The wire size of a model given as `data`, before validation; None if nested too deeply.

    For input that validates this is exactly `len(wire_json(model.to_wire()))`: the same values,
    only the order of keys differs, plus `"object":"model"` when the input leaves it out.
    Input that is not JSON at all measures 0 here and is refused by the checks that follow.
    """
    try:
        text = _MEASURE.encode(data)
    except RecursionError:
        return None
    except (TypeError, ValueError):
        return 0
    size = len(text.encode("utf-8", "surrogatepass"))
    return size if "object" in data else size + len(',"object":"model"')

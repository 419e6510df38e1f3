"""Serialisation as the API sends it (compact JSON, UTF-8, never NaN or Infinity) and its sizes.

The byte caps of catalog/limits.py are measured here, the same way the API serialises: what they
bound is what a client receives.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING, Any

from catalog.measure import STATUS_ALLOWANCE, served_bound

if TYPE_CHECKING:
    from catalog.schema import Model

__all__ = ["STATUS_ALLOWANCE", "list_size", "served_list_size", "served_size", "wire_json"]


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


def served_size(model: Model) -> int:
    """The most bytes GET /v1/models/{id} may be for this model, whatever its status (what
    `catalog.measure.over_model_cap` bounds, and the list cap sums)."""
    wire = model.to_wire()
    return served_bound(len(wire_json(wire)), wire.get("lifecycle"))


def served_list_size(models: Sequence[Model]) -> int:
    """Bytes of GET /v1/models for these models at most (what MAX_LIST_BYTES bounds)."""
    return list_size([served_size(model) for model in models])

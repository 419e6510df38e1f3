"""Sizes measured before validation, the way catalog/wire.py serialises, and the per-model size
rule (`over_model_cap`) that the schema (on a model's raw data), the list cap's sum
(catalog/wire.py) and the snapshot (on the bytes it serves) all apply.

Below catalog/schema.py, catalog/wire.py and catalog/snapshot.py, which import it: it imports
none of them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from catalog.limits import MAX_MODEL_BYTES

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


def served_bound(document_size: int, lifecycle: Mapping[str, Any] | None) -> int:
    """The most bytes a model whose document is `document_size` bytes as `wire_json` writes it
    (with this document `lifecycle`) is served as, whatever its status: the document and what
    the served form may add (`served_allowance`)."""
    return document_size + served_allowance(lifecycle)


def over_model_cap(served_size: int) -> bool:
    """The per-model size rule: a model is served (GET /v1/models/{id}, compact JSON, UTF-8) in
    at most MAX_MODEL_BYTES. `served_size`: the bytes it is served as, or their bound
    (`served_bound`) before it is served."""
    return served_size > MAX_MODEL_BYTES


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

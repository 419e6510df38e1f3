"""Sizes measured before validation, the way catalog/wire.py serialises: what the schema's
size rules (catalog/schema.py) check a model's raw data against.

Below both catalog/schema.py and catalog/wire.py, which import it: it imports neither.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

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

"""The model object a client receives at an instant (the OpenAI dialect's shape, which the
list and retrieve bodies of catalog/snapshot.py are made of).

What is derived at answer time, never stored, is derived here from the document and the wall
clock: `lifecycle.status` (catalog/lifecycle.py), the `pricing` in effect and the
`pricing_schedule` still to come (catalog/pricing.py), and OpenAI's own `shutdown_date`. A
snapshot stays true until `next_change`, when it is rebuilt from the same models.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from catalog.lifecycle import next_transition, served_lifecycle
from catalog.pricing import next_price_change, served_pricing
from catalog.schema import Model


def served_wire(model: Model, now: float) -> dict[str, Any]:
    """The model object a client receives at `now`."""
    wire = model.to_wire()
    if model.lifecycle is not None:
        wire["lifecycle"] = served_lifecycle(model.lifecycle, now)
        if model.lifecycle.shutdown_at is not None:
            # openai-python's `Model.shutdown_date`: set in the SDKs, as OpenAI's API serves it.
            wire["shutdown_date"] = model.lifecycle.shutdown_at
    if model.pricing_schedule is not None:
        wire.pop("pricing", None)
        del wire["pricing_schedule"]
        wire.update(served_pricing(model, now))
    return wire


def next_change(models: Sequence[Model], now: float) -> float:
    """The first instant after `now` at which a served model changes (a status or a price);
    `math.inf` if none is ahead."""
    return min(next_transition(models, now), next_price_change(models, now))

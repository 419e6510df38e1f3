"""A model's prices at a given instant: pure functions of the catalog and the wall clock.

A catalog document gives `pricing` (the prices before any scheduled change) and maybe a
`pricing_schedule` of price sets, each taking effect at 00:00 UTC of its `effective_at`. The
prices served are the latest entry whose date has come, else `pricing`; the schedule served
holds only the entries still to come. So a price changes at its date with no sync and no
redeploy, exactly as a lifecycle status does: the snapshot knows the next instant at which any
price changes (`next_price_change`) and is rebuilt then.

A price set's `tiers` apply to a whole request whose input is over their `above_input_tokens`
(`price_set_for`), as the providers bill them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from catalog.lifecycle import day_start
from catalog.schema import Model, PriceSet, Pricing, ScheduledPricing


def pricing_at(model: Model, now: float) -> Pricing | None:
    """The price set in effect for `model` at `now` (epoch seconds); None if none is known."""
    current = model.pricing
    for entry in model.pricing_schedule or ():
        if day_start(entry.effective_at) > now:
            break
        current = entry.pricing
    return current


def upcoming_prices(model: Model, now: float) -> list[ScheduledPricing]:
    """The schedule entries of `model` that take effect after `now`, in date order."""
    return [entry for entry in model.pricing_schedule or () if day_start(entry.effective_at) > now]


def next_price_change(models: Iterable[Model], now: float) -> float:
    """The first instant after `now` at which some model's prices change; `math.inf` if none."""
    upcoming = [
        day_start(entry.effective_at)
        for model in models
        for entry in upcoming_prices(model, now)[:1]
    ]
    return min(upcoming, default=math.inf)


def price_set_for(pricing: Pricing, input_tokens: int) -> PriceSet:
    """The prices a request with `input_tokens` of input pays: the last tier whose
    `above_input_tokens` it exceeds, else the base prices (a tier prices the whole request)."""
    billed: PriceSet = pricing
    for tier in pricing.tiers or ():
        if input_tokens <= tier.above_input_tokens:
            break
        billed = tier
    return billed


def served_pricing(model: Model, now: float) -> dict[str, Any]:
    """The `pricing` and `pricing_schedule` members a client receives at `now` (each left out
    when there is none)."""
    served: dict[str, Any] = {}
    current = pricing_at(model, now)
    if current is not None:
        served["pricing"] = current.to_wire()
    upcoming = upcoming_prices(model, now)
    if upcoming:
        served["pricing_schedule"] = [entry.to_wire() for entry in upcoming]
    return served

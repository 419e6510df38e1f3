"""Prices in the document (tiers, 1-hour cache writes, dated schedules) and at an instant."""

from __future__ import annotations

import math
from typing import Any

import pytest
from pydantic import ValidationError

from catalog.lifecycle import day_start
from catalog.limits import MAX_PRICING_TIERS
from catalog.pricing import next_price_change, price_set_for, pricing_at, upcoming_prices
from catalog.schema import Model
from tests.support.factories import make_model, model_doc

BASE = {"input_per_mtok": 2, "output_per_mtok": 10}
DOUBLED = {"input_per_mtok": 4, "output_per_mtok": 20}
LONG = {"input_per_mtok": 16, "output_per_mtok": 60, "above_input_tokens": 272000}


def scheduled(*entries: tuple[str, dict[str, Any]], **fields: Any) -> Model:
    return make_model(
        "m",
        pricing=BASE,
        pricing_schedule=[{"effective_at": day, "pricing": prices} for day, prices in entries],
        **fields,
    )


def problems(**fields: Any) -> str:
    with pytest.raises(ValidationError) as caught:
        Model.model_validate(model_doc("m", **fields))
    return str(caught.value)


def test_the_price_in_effect_switches_at_00_00_utc_of_its_date() -> None:
    model = scheduled(("2026-12-01", DOUBLED), ("2027-01-01", {"input_per_mtok": 8}))
    dec_1 = day_start("2026-12-01")
    assert pricing_at(model, dec_1 - 0.001) == model.pricing
    assert pricing_at(model, dec_1) == model.pricing_schedule[0].pricing  # type: ignore[index]
    assert pricing_at(model, day_start("2027-01-01")).to_wire() == {"input_per_mtok": 8}  # type: ignore[union-attr]
    assert [e.effective_at for e in upcoming_prices(model, dec_1)] == ["2027-01-01"]
    assert next_price_change([model], dec_1 - 1) == dec_1
    assert next_price_change([model], dec_1) == day_start("2027-01-01")
    assert next_price_change([model], day_start("2027-01-01")) == math.inf


def test_a_tier_prices_the_whole_request_above_its_threshold() -> None:
    pricing = make_model(
        "m", pricing={**BASE, "tiers": [LONG, {**LONG, "above_input_tokens": 500000}]}
    ).pricing
    assert pricing is not None
    assert price_set_for(pricing, 272000) is pricing  # "exceeds": not at the threshold
    assert price_set_for(pricing, 272001).input_per_mtok == 16
    assert price_set_for(pricing, 500001) is pricing.tiers[1]  # type: ignore[index]


def test_the_1_hour_cache_write_is_a_price_of_its_own() -> None:
    model = make_model("m", pricing={**BASE, "cache_write_1h_per_mtok": 8})
    assert model.to_wire()["pricing"] == {**BASE, "cache_write_1h_per_mtok": 8}


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"pricing": {**BASE, "tiers": [LONG, LONG]}}, "strictly increasing"),
        ({"pricing": {**BASE, "tiers": []}}, "at least 1"),
        ({"pricing": {**BASE, "tiers": [{**LONG, "above_input_tokens": 0}]}}, "greater than"),
        ({"pricing": {**BASE, "tiers": [{"input_per_mtok": 1}]}}, "above_input_tokens"),
        ({"pricing": {**BASE, "tiers": [{**LONG, "tiers": [LONG]}]}}, "tiers"),
        ({"pricing": {**BASE, "tiers": [LONG] * (MAX_PRICING_TIERS + 1)}}, "at most"),
        ({"pricing": {**BASE, "cache_write_1h_per_mtok": -1}}, "from 0"),
        ({"pricing": {**BASE, "cache_write_1h_per_mtok": None}}, "null is not allowed"),
        (
            {
                "pricing_schedule": [
                    {"effective_at": "2027-01-01", "pricing": BASE},
                    {"effective_at": "2026-12-01", "pricing": BASE},
                ]
            },
            "not after 2027-01-01",
        ),
        (
            {
                "pricing_schedule": [
                    {"effective_at": "2027-01-01", "pricing": BASE},
                    {"effective_at": "2027-01-01", "pricing": DOUBLED},
                ]
            },
            "strictly increasing",
        ),
        ({"pricing_schedule": [{"effective_at": "2027-02-30", "pricing": BASE}]}, "calendar"),
        ({"pricing_schedule": [{"effective_at": "2027-01-01"}]}, "pricing"),
        ({"pricing_schedule": []}, "at least 1"),
        (
            {"pricing_schedule": [{"effective_at": "2027-01-01", "pricing": BASE, "x": 1}]},
            "Extra inputs",
        ),
        ({"shutdown_date": "2027-01-14"}, "derived from lifecycle.shutdown_at"),
    ],
)
def test_malformed_prices_are_refused_naming_the_problem(fields: dict[str, Any], says: str) -> None:
    assert says in problems(**fields)

"""catalog/served.py: the model object a client receives at an instant: the status derived from
the dates, OpenAI's `shutdown_date` beside a known shutdown, the price set in effect and only
the changes to come; and the next instant at which any of it changes."""

from __future__ import annotations

import math
from typing import Any

from catalog.lifecycle import day_start
from catalog.schema import Model
from catalog.served import next_change, served_wire
from tests.support.factories import make_model

BASE = {"input_per_mtok": 2, "output_per_mtok": 10}
DOUBLED = {"input_per_mtok": 4, "output_per_mtok": 20}
HALVED = {"input_per_mtok": 1, "output_per_mtok": 5}


def scheduled(*entries: tuple[str, dict[str, Any]], **fields: Any) -> Model:
    return make_model(
        "m",
        pricing=BASE,
        pricing_schedule=[{"effective_at": day, "pricing": prices} for day, prices in entries],
        **fields,
    )


def test_a_model_without_dates_or_schedule_is_served_as_its_document() -> None:
    model = make_model("plain", pricing=BASE)
    assert served_wire(model, day_start("2026-12-01")) == model.to_wire()
    assert next_change([model], 0) == math.inf


def test_shutdown_date_is_served_beside_a_known_shutdown_only() -> None:
    dated = make_model("d", lifecycle={"deprecated_at": "2026-10-14", "shutdown_at": "2027-01-14"})
    served = served_wire(dated, day_start("2026-12-01"))
    assert served["shutdown_date"] == "2027-01-14"
    assert served["lifecycle"]["status"] == "deprecated"
    undated = make_model("u", lifecycle={"deprecated_at": "2026-10-14"})
    assert "shutdown_date" not in served_wire(undated, day_start("2026-12-01"))


def test_the_status_served_is_the_one_at_the_instant() -> None:
    model = make_model("r", lifecycle={"deprecated_at": "2026-10-14", "shutdown_at": "2027-01-14"})
    statuses = [
        served_wire(model, day_start(day))["lifecycle"]["status"]
        for day in ("2026-10-13", "2026-10-14", "2027-01-13", "2027-01-14")
    ]
    assert statuses == ["active", "deprecated", "deprecated", "retired"]


def test_the_price_set_in_effect_on_each_date_is_the_one_served() -> None:
    model = scheduled(("2026-12-01", DOUBLED), ("2027-01-01", HALVED))
    served = {
        day: served_wire(model, day_start(day))
        for day in ("2026-11-30", "2026-12-01", "2026-12-31", "2027-01-01")
    }
    assert [wire["pricing"] for wire in served.values()] == [BASE, DOUBLED, DOUBLED, HALVED]
    assert [len(wire.get("pricing_schedule", [])) for wire in served.values()] == [2, 1, 1, 0]
    assert served["2026-12-01"]["pricing_schedule"] == [
        {"effective_at": "2027-01-01", "pricing": HALVED}
    ]
    # The last second before a date still has the old prices.
    assert served_wire(model, day_start("2026-12-01") - 1)["pricing"] == BASE


def test_serving_never_changes_the_model() -> None:
    model = scheduled(("2026-12-01", DOUBLED), lifecycle={"shutdown_at": "2027-01-14"})
    document = model.to_wire()
    served_wire(model, day_start("2026-12-02"))
    assert model.to_wire() == document
    assert "shutdown_date" not in document
    assert "status" not in document["lifecycle"]


def test_served_model_carries_the_prices_in_effect_and_only_the_changes_to_come() -> None:
    model = scheduled(("2026-12-01", DOUBLED))
    before = served_wire(model, day_start("2026-11-30"))
    after = served_wire(model, day_start("2026-12-01"))
    assert before["pricing"] == BASE
    assert before["pricing_schedule"] == [{"effective_at": "2026-12-01", "pricing": DOUBLED}]
    assert after["pricing"] == DOUBLED
    assert "pricing_schedule" not in after
    # The document is unchanged: it keeps the base and the whole schedule.
    assert model.to_wire()["pricing"] == BASE


def test_a_snapshot_is_valid_until_the_next_status_or_price_date() -> None:
    priced = scheduled(("2026-12-01", DOUBLED))
    retiring = make_model("r", lifecycle={"shutdown_at": "2027-01-14"})
    now = day_start("2026-11-01")
    assert next_change([priced, retiring], now) == day_start("2026-12-01")
    assert next_change([priced, retiring], day_start("2026-12-01")) == day_start("2027-01-14")


def test_shutdown_date_in_a_document_may_only_repeat_lifecycle() -> None:
    model = make_model("m", lifecycle={"shutdown_at": "2027-01-14"}, shutdown_date="2027-01-14")
    assert "shutdown_date" not in model.to_wire()  # derived, so never stored
    assert served_wire(model, 0)["shutdown_date"] == "2027-01-14"

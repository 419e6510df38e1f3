"""catalog/measure.py: a model's size measured before validation, and the bytes its served form
may add to its document's (the derived status, OpenAI's `shutdown_date`): what the per-model
cap is checked against."""

from __future__ import annotations

from typing import Any

import pytest

from catalog.lifecycle import day_start
from catalog.measure import (
    SHUTDOWN_DATE_ALLOWANCE,
    STATUS_ALLOWANCE,
    raw_size,
    served_allowance,
)
from catalog.schema import Model
from catalog.served import served_wire
from catalog.wire import wire_json
from tests.support.factories import model_doc


@pytest.mark.parametrize(
    ("lifecycle", "allowance"),
    [
        (None, 0),
        ("2027-01-14", 0),  # not a lifecycle object: refused later, nothing added
        ({}, STATUS_ALLOWANCE),
        ({"status": "deprecated"}, 0),  # a status of its own: served as long as it is
        ({"successor": "n"}, STATUS_ALLOWANCE),
        ({"shutdown_at": "2027-01-14"}, STATUS_ALLOWANCE + SHUTDOWN_DATE_ALLOWANCE),
        ({"status": "retired", "shutdown_at": "2027-01-14"}, SHUTDOWN_DATE_ALLOWANCE),
    ],
)
def test_the_allowance_is_the_status_if_derived_and_shutdown_date_if_a_shutdown_is_known(
    lifecycle: Any, allowance: int
) -> None:
    assert served_allowance(lifecycle) == allowance


DATED = {"deprecated_at": "2026-10-14", "shutdown_at": "2027-01-14"}


@pytest.mark.parametrize("day", ["2026-10-13", "2026-10-14", "2027-01-14"])
def test_the_allowance_covers_what_serving_adds_at_any_instant(day: str) -> None:
    model = Model.model_validate(model_doc("m", lifecycle=DATED))
    document = len(wire_json(model.to_wire()))
    served = len(wire_json(served_wire(model, day_start(day))))
    assert served - document <= served_allowance(DATED)


def test_the_allowance_is_exact_for_the_longest_status() -> None:
    model = Model.model_validate(model_doc("m", lifecycle=DATED))
    document = len(wire_json(model.to_wire()))
    deprecated = len(wire_json(served_wire(model, day_start("2026-12-01"))))
    assert deprecated - document == served_allowance(DATED)


@pytest.mark.parametrize(
    "doc",
    [
        model_doc("m"),
        model_doc("m", display_name="\U0001f600 \u00e9\u4e2d", note={"a": [1, 2.5, None]}),
        model_doc("m", lifecycle=DATED, aliases=["m-1"]),
    ],
    ids=["plain", "non-ascii", "lifecycle"],
)
def test_the_raw_size_is_the_wire_size_of_the_validated_model(doc: dict[str, Any]) -> None:
    wire = len(wire_json(Model.model_validate(doc).to_wire()))
    assert raw_size(doc) == wire
    without_object = {key: value for key, value in doc.items() if key != "object"}
    assert raw_size(without_object) == wire  # `"object":"model"` is counted when left out


def test_a_value_nested_too_deeply_measures_none_and_one_not_json_measures_0() -> None:
    deep: Any = 1
    for _ in range(100_000):
        deep = [deep]
    assert raw_size({"id": "m", "deep": deep}) is None
    assert raw_size({"id": "m", "set": {1, 2}}) == 0


def test_a_lone_surrogate_is_measured_not_refused_here() -> None:
    # The checks that follow refuse it with a message; measuring must not raise first.
    size = raw_size({"id": "m", "object": "model", "x": "\ud800"})
    assert size == len('{"id":"m","object":"model","x":"') + 3 + len('"}')

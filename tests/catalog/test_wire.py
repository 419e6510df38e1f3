"""catalog/wire.py: bodies serialised as the API sends them, and the sizes the caps bound,
measured that same way: never less than what a client receives."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

from catalog.lifecycle import day_start
from catalog.schema import Model
from catalog.snapshot import CatalogSnapshot
from catalog.wire import list_size, served_list_size, served_size, wire_json
from tests.support.factories import make_model


def test_the_wire_form_is_compact_utf8_json() -> None:
    payload = {"id": "m\u00e9", "data": [1, 2.5, None, True]}
    assert wire_json(payload) == '{"id":"m\u00e9","data":[1,2.5,null,true]}'.encode()


@pytest.mark.parametrize(
    ("payload", "error"),
    [
        ({"x": math.nan}, ValueError),
        ({"x": math.inf}, ValueError),
        ({"x": "\ud800"}, ValueError),  # a lone surrogate is no UTF-8
        ({"x": {1, 2}}, TypeError),
    ],
    ids=["nan", "infinity", "surrogate", "not-json"],
)
def test_what_cannot_be_sent_raises(payload: Any, error: type[Exception]) -> None:
    with pytest.raises(error):
        wire_json(payload)


def test_list_size_is_the_size_of_the_list_body() -> None:
    for count in (0, 1, 3):
        models = [{"id": f"model-{n}", "n": "x" * n} for n in range(count)]
        body = wire_json({"object": "list", "data": models})
        assert list_size([len(wire_json(m)) for m in models]) == len(body)


MODELS = [
    make_model("plain"),
    make_model("dated", lifecycle={"deprecated_at": "2026-10-14", "shutdown_at": "2027-01-14"}),
    make_model("stated", lifecycle={"status": "deprecated"}),
    make_model(
        "priced",
        pricing={"input_per_mtok": 2},
        pricing_schedule=[{"effective_at": "2026-12-01", "pricing": {"input_per_mtok": 4}}],
    ),
]


@pytest.mark.parametrize("day", ["2026-10-13", "2026-10-14", "2026-12-01", "2027-01-14"])
def test_served_sizes_are_never_less_than_the_bodies_served(day: str) -> None:
    snapshot = CatalogSnapshot.build(1, MODELS, now=day_start(day))
    for model in MODELS:
        assert len(snapshot.model_body(model.id).content) <= served_size(model)
    listed = json.loads(snapshot.list_body.content)["data"]
    assert len(snapshot.list_body.content) <= served_list_size(
        [m for m in MODELS if m.id in {doc["id"] for doc in listed}]
    )


def test_served_size_is_exact_for_a_deprecated_model_with_a_shutdown() -> None:
    model: Model = MODELS[1]
    snapshot = CatalogSnapshot.build(1, [model], now=day_start("2026-12-01"))
    assert len(snapshot.model_body("dated").content) == served_size(model)
    assert len(snapshot.list_body.content) == served_list_size([model])

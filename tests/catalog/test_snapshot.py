from __future__ import annotations

import json
import logging
import math
from typing import Any

import pytest

from catalog.errors import (
    CatalogTooLarge,
    CatalogUnavailable,
    CatalogUnservable,
    InvalidFilter,
    ModelNotFound,
)
from catalog.limits import MAX_LIST_BYTES, MAX_MODEL_BYTES
from catalog.schema import Model
from catalog.snapshot import CatalogSnapshot
from tests.support.factories import make_model, model_doc


@pytest.fixture
def snapshot() -> CatalogSnapshot:
    return CatalogSnapshot.build(
        3,
        [
            make_model("gpt-4o"),
            make_model("text-only", capabilities={"vision": False, "function_calling": True}),
            make_model("claude", owned_by="anthropic"),
        ],
        now=0,
    )


def ids(body: bytes) -> list[str]:
    return [model["id"] for model in json.loads(body)["data"]]


def test_list_body_keeps_curated_order(snapshot: CatalogSnapshot) -> None:
    assert ids(snapshot.list_body.content) == ["gpt-4o", "text-only", "claude"]


def test_etag_is_strong_and_follows_content() -> None:
    one = CatalogSnapshot.build(1, [make_model("a")], now=0)
    same = CatalogSnapshot.build(2, [make_model("a")], now=0)
    other = CatalogSnapshot.build(1, [make_model("a", context_length=1)], now=0)
    assert one.list_body.etag.startswith('"')
    assert not one.list_body.etag.startswith("W/")
    assert one.list_body.etag == same.list_body.etag
    assert one.list_body.etag != other.list_body.etag


def test_filters_combine_provider_and_every_capability(snapshot: CatalogSnapshot) -> None:
    assert ids(snapshot.list_body_for("openai", []).content) == ["gpt-4o", "text-only"]
    assert ids(snapshot.list_body_for(None, ["vision"]).content) == ["gpt-4o", "claude"]
    both = snapshot.list_body_for("openai", ["vision", "function_calling"])
    assert ids(both.content) == ["gpt-4o"]
    assert snapshot.list_body_for("openai", ["vision", "function_calling"]) is both  # memoised


@pytest.mark.parametrize("owned_by", [None, "openai", "meta"])
def test_unknown_capabilities_are_refused(snapshot: CatalogSnapshot, owned_by: str | None) -> None:
    with pytest.raises(InvalidFilter) as caught:
        snapshot.list_body_for(owned_by, ["telepathy"])
    assert caught.value.param == "capability"


def test_a_provider_the_catalog_does_not_have_lists_nothing(snapshot: CatalogSnapshot) -> None:
    assert ids(snapshot.list_body_for("meta", []).content) == []
    assert ids(snapshot.list_body_for("meta", ["vision"]).content) == []


def test_model_body_and_unknown_model(snapshot: CatalogSnapshot) -> None:
    assert json.loads(snapshot.model_body("claude").content)["owned_by"] == "anthropic"
    with pytest.raises(ModelNotFound):
        snapshot.model_body("nope")


# -- what cannot be served is skipped, or the whole catalog is unavailable ----------------------


def constructed(model_id: str, **extras: Any) -> Model:
    """A model built without validation, as only a bug could: what the snapshot must survive."""
    base = make_model(model_id)
    return Model.model_construct(**(base.to_wire() | {"capabilities": base.capabilities} | extras))


def strict_json(body: bytes) -> Any:
    def refuse(literal: str) -> Any:
        raise AssertionError(f"{literal} served")

    return json.loads(body, parse_constant=refuse)


@pytest.mark.parametrize(
    "extra",
    [math.nan, math.inf, "lone \ud800", object(), "x" * MAX_MODEL_BYTES],
    ids=["nan", "infinity", "surrogate", "not-json", "oversized"],
)
def test_a_model_that_cannot_be_served_is_skipped_with_a_warning(
    extra: Any, caplog: pytest.LogCaptureFixture
) -> None:
    models = [make_model("good"), constructed("bad", extra=extra), make_model("other")]
    with caplog.at_level(logging.WARNING, logger="catalog.snapshot"):
        snapshot = CatalogSnapshot.build(4, models, now=0)
    assert ids(snapshot.list_body.content) == ["good", "other"]
    assert [model.id for model in snapshot.models] == ["good", "other"]
    assert len(snapshot) == 2
    with pytest.raises(ModelNotFound):
        snapshot.model_body("bad")
    assert ids(snapshot.list_body_for("openai", ["vision"]).content) == ["good", "other"]
    assert strict_json(snapshot.list_body.content)["data"][0]["id"] == "good"
    assert "skipping model 'bad'" in caplog.text
    caplog.text.encode("utf-8")  # the warning itself never carries the lone surrogate


def test_a_repeated_id_is_served_once_the_first(caplog: pytest.LogCaptureFixture) -> None:
    first, second = make_model("a", owned_by="one"), make_model("a", owned_by="two")
    snapshot = CatalogSnapshot.build(1, [first, second, make_model("b")], now=0)
    assert ids(snapshot.list_body.content) == ["a", "b"]
    assert json.loads(snapshot.model_body("a").content)["owned_by"] == "one"
    assert snapshot.providers == frozenset({"one", "openai"})
    assert "second model with id 'a'" in caplog.text


def test_a_list_over_the_cap_is_too_large_to_serve() -> None:
    filler = {f"field{n:02}": "x" * 3_900 for n in range(16)}
    models = [Model.model_validate(model_doc(f"big-{n}", **filler)) for n in range(70)]
    with pytest.raises(CatalogTooLarge) as caught:
        CatalogSnapshot.build(9, models, now=0)
    assert isinstance(caught.value, CatalogUnavailable)  # the cache keeps what it served
    assert caught.value.size > caught.value.limit == MAX_LIST_BYTES
    assert "catalog version 9 serialises to" in str(caught.value)
    assert len(CatalogSnapshot.build(9, models[:60], now=0)) == 60  # under the cap: served


def test_a_catalog_none_of_whose_models_can_be_served_is_unavailable() -> None:
    with pytest.raises(CatalogUnservable, match="none of its models"):
        CatalogSnapshot.build(
            2, [constructed("a", x=math.nan), constructed("b", y=math.inf)], now=0
        )
    assert len(CatalogSnapshot.build(2, [], now=0)) == 0  # an empty catalog is not a broken one

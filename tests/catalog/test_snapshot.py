from __future__ import annotations

import json

import pytest

from catalog.errors import InvalidFilter, ModelNotFound
from catalog.snapshot import CatalogSnapshot
from tests.support.factories import make_model


@pytest.fixture
def snapshot() -> CatalogSnapshot:
    return CatalogSnapshot.build(
        3,
        [
            make_model("gpt-4o"),
            make_model("text-only", capabilities={"vision": False, "function_calling": True}),
            make_model("claude", owned_by="anthropic"),
        ],
    )


def ids(body: bytes) -> list[str]:
    return [model["id"] for model in json.loads(body)["data"]]


def test_list_body_keeps_curated_order(snapshot: CatalogSnapshot) -> None:
    assert ids(snapshot.list_body.content) == ["gpt-4o", "text-only", "claude"]


def test_etag_is_strong_and_follows_content() -> None:
    one = CatalogSnapshot.build(1, [make_model("a")])
    same = CatalogSnapshot.build(2, [make_model("a")])
    other = CatalogSnapshot.build(1, [make_model("a", context_length=1)])
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


@pytest.mark.parametrize(
    ("owned_by", "capabilities", "param"),
    [("meta", [], "owned_by"), (None, ["telepathy"], "capability")],
)
def test_unknown_filter_values_are_refused(
    snapshot: CatalogSnapshot, owned_by: str | None, capabilities: list[str], param: str
) -> None:
    with pytest.raises(InvalidFilter) as caught:
        snapshot.list_body_for(owned_by, capabilities)
    assert caught.value.param == param


def test_model_body_and_unknown_model(snapshot: CatalogSnapshot) -> None:
    assert json.loads(snapshot.model_body("claude").content)["owned_by"] == "anthropic"
    with pytest.raises(ModelNotFound):
        snapshot.model_body("nope")

from __future__ import annotations

import json
from typing import Any

import pytest

from catalog.bundled import BUNDLED_CATALOG_PATH, bundled_models
from catalog.errors import InvalidCatalog
from catalog.schema import Model, parse_catalog, parse_catalog_json
from tests.support.factories import SEED_IDS, SEED_MODELS, model_doc


def test_bundled_catalog_holds_every_seed_model_in_the_documented_order() -> None:
    models = {model.id: model for model in bundled_models()}
    assert [m.id for m in bundled_models() if m.id in SEED_IDS] == SEED_IDS
    for model_id, owned_by, context_length in SEED_MODELS:
        model = models[model_id]
        assert (model.owned_by, model.context_length) == (owned_by, context_length)
        assert model.capabilities.vision
        assert model.capabilities.function_calling


def test_bundled_release_times_are_real_dates_not_the_placeholder() -> None:
    document = json.loads(BUNDLED_CATALOG_PATH.read_text())
    assert document["object"] == "list"
    created = {entry["id"]: entry["created"] for entry in document["data"]}
    # The reference's example uses one placeholder time for every model; ours are release dates.
    assert len(set(created.values())) == len(created)
    assert created["gpt-4o"] < created["gpt-4o-mini"]  # May 2024 before July 2024
    assert created["claude-3-opus-20240229"] < created["claude-3-5-sonnet-20241022"]


@pytest.mark.parametrize(
    "model_id",
    ["gpt-4o", "meta-llama/llama-3.1-70b-instruct", "llama3:8b", "model@2024-01-01", "a"],
)
def test_ids_with_slash_colon_dot_at_are_valid(model_id: str) -> None:
    assert Model.model_validate(model_doc(model_id)).id == model_id


@pytest.mark.parametrize(
    "model_id", ["", "/leading", "trailing/", "double//slash", "with space", "per%cent", "x" * 129]
)
def test_bad_ids_are_rejected(model_id: str) -> None:
    with pytest.raises(InvalidCatalog, match="id"):
        parse_catalog({"object": "list", "data": [model_doc(model_id)]})


def test_every_problem_is_listed_not_just_the_first() -> None:
    data: list[Any] = [
        model_doc("ok"),
        model_doc("bad-length", context_length=0),
        model_doc("no-caps", capabilities={"vision": True}),
        model_doc("ok"),
        "not an object",
    ]
    with pytest.raises(InvalidCatalog) as caught:
        parse_catalog({"object": "list", "data": data})
    problems = caught.value.problems
    assert any("bad-length" in p and "context_length" in p for p in problems)
    assert any("no-caps" in p and "function_calling" in p for p in problems)
    assert any("duplicate id 'ok'" in p for p in problems)
    assert any(p.startswith("data[4]") for p in problems)


@pytest.mark.parametrize("document", [[], {"data": "x"}, {"object": "list"}, None])
def test_a_document_that_is_not_a_catalog_is_refused(document: Any) -> None:
    with pytest.raises(InvalidCatalog, match="JSON object"):
        parse_catalog(document)


def test_extra_curated_fields_are_kept_and_served() -> None:
    model = Model.model_validate(model_doc("gpt-4o", description="flagship"))
    assert model.to_wire()["description"] == "flagship"


def test_a_catalog_file_is_decoded_then_validated() -> None:
    raw = json.dumps({"object": "list", "data": [model_doc("a"), model_doc("b")]}).encode()
    assert [m.id for m in parse_catalog_json(raw, origin="models.json")] == ["a", "b"]
    with pytest.raises(InvalidCatalog, match="duplicate id 'a'"):
        parse_catalog_json(json.dumps({"data": [model_doc("a")] * 2}).encode(), origin="x")


@pytest.mark.parametrize("raw", [b"{not json", b"\xff\xfe\x00", b""])
def test_a_catalog_file_that_is_not_json_names_its_origin(raw: bytes) -> None:
    with pytest.raises(InvalidCatalog) as caught:
        parse_catalog_json(raw, origin="/srv/models.json")
    (problem,) = caught.value.problems
    assert problem.startswith("/srv/models.json is not valid JSON: ")

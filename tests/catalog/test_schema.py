from __future__ import annotations

import json
import math
from typing import Any

import pytest
from pydantic import ValidationError

from catalog.document import parse_catalog, parse_catalog_json
from catalog.errors import InvalidCatalog
from catalog.limits import (
    MAX_CONTEXT_LENGTH,
    MAX_CREATED,
    MAX_EXTRA_FIELDS,
    MAX_OWNED_BY_LENGTH,
    MODEL_ID_PATTERN,
    OWNED_BY_PATTERN,
)
from catalog.schema import MODEL_LINES, Model
from catalog.snapshot import CatalogSnapshot
from tests.support.factories import make_model, model_doc


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


def test_the_json_schema_states_the_strict_types_and_bounds() -> None:
    """What /openapi.json publishes about a model (FastAPI builds it from this schema)."""
    schema = Model.model_json_schema(mode="serialization")
    fields = schema["properties"]
    assert fields["id"] | {"examples": None} == {
        "type": "string",
        "minLength": 1,
        "maxLength": 128,
        "pattern": MODEL_ID_PATTERN.pattern,
        "title": "Id",
        "examples": None,
    }
    assert fields["owned_by"]["pattern"] == OWNED_BY_PATTERN
    assert fields["owned_by"]["maxLength"] == MAX_OWNED_BY_LENGTH
    assert (fields["created"]["type"], fields["created"]["minimum"]) == ("integer", 0)
    assert fields["created"]["maximum"] == MAX_CREATED
    assert (fields["context_length"]["minimum"], fields["context_length"]["maximum"]) == (
        1,
        MAX_CONTEXT_LENGTH,
    )
    capabilities = schema["$defs"]["Capabilities"]["properties"]
    assert {field["type"] for field in capabilities.values()} == {"boolean"}
    assert schema["additionalProperties"] is True
    assert schema["maxProperties"] == len(fields) + MAX_EXTRA_FIELDS
    assert f"At most {MAX_EXTRA_FIELDS} extra fields" in schema["description"]


@pytest.mark.parametrize("model_id", ["gpt-4o", "meta-llama/llama-3.1-70b-instruct", "a//b", "a/"])
def test_the_published_id_pattern_is_the_one_enforced(model_id: str) -> None:
    # The pattern in the schema is the whole rule: a client can check an id with it alone.
    enforced = True
    try:
        Model.model_validate(model_doc(model_id))
    except ValidationError:
        enforced = False
    assert bool(MODEL_ID_PATTERN.fullmatch(model_id)) is enforced


def test_a_model_validated_from_the_table_keeps_its_finite_floats_and_extras() -> None:
    doc = model_doc("m", pricing_notes={"input": 2.5, "tiers": [1, 0.5]}, big=1e300, tiny=-0.0)
    assert Model.model_validate(doc).to_wire() == doc


def test_a_non_finite_float_is_never_turned_into_null_on_the_way_out() -> None:
    # Only a model built without validation can hold one; its wire form keeps it, so that
    # serialising it fails (and the snapshot skips it) rather than serving `null`.
    fields = model_doc("m", capabilities=make_model("m").capabilities, score=float("nan"))
    model = Model.model_construct(**fields)
    assert math.isnan(model.to_wire()["score"])


@pytest.mark.parametrize("line", MODEL_LINES)
def test_an_anthropic_line_is_kept_and_served(line: str) -> None:
    (model,) = parse_catalog({"object": "list", "data": [model_doc("m", line=line)]})
    assert model.line == line
    assert model.to_wire()["line"] == line


@pytest.mark.parametrize(
    ("line", "fragment"),
    [
        ("Sonnet", "haiku"),
        ("", "haiku"),
        ("gemini", "haiku"),
        ("opus\n", "haiku"),
        (None, "null"),
        (7, "haiku"),
        (["opus"], "haiku"),
    ],
)
def test_a_line_that_is_not_an_anthropic_one_is_refused(line: Any, fragment: str) -> None:
    """The SDK types `line` as one of Anthropic's lines: anything else would be served to fail
    a strict client, so it is refused when the catalog is published."""
    with pytest.raises(InvalidCatalog) as caught:
        parse_catalog({"object": "list", "data": [model_doc("ok"), model_doc("m", line=line)]})
    (problem,) = caught.value.problems
    assert problem.startswith("data[1] (m).line"), problem
    assert fragment in problem, problem


def test_an_unknown_line_is_absent_from_the_wire_not_null() -> None:
    assert "line" not in make_model("m").to_wire()
    snapshot = CatalogSnapshot.build(1, [make_model("a"), make_model("b", line="opus")], now=0)
    served = {doc["id"]: doc for doc in json.loads(snapshot.list_body.content)["data"]}
    assert "line" not in served["a"]
    assert served["b"]["line"] == "opus"
    assert "line" not in json.loads(snapshot.model_body("a").content)


def test_the_json_schema_states_the_lines_and_leaves_line_optional() -> None:
    schema = Model.model_json_schema()
    assert tuple(schema["properties"]["line"]["enum"]) == MODEL_LINES
    assert "line" not in schema.get("required", [])

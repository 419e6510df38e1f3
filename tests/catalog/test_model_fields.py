"""The catalog v2 fields of a model: typed, strict, bounded, absent when unknown; and the
document-level rules (aliases unique across the catalog)."""

from __future__ import annotations

from typing import Any, get_args

import pytest

from catalog.document import parse_catalog
from catalog.errors import InvalidCatalog
from catalog.limits import MAX_ALIASES
from catalog.schema import CAPABILITY_NAMES, CapabilityName, Model
from tests.support.factories import make_model, model_doc

CAPS = {"vision": True, "function_calling": True}
FULL = model_doc(
    "m",
    capabilities={**CAPS, "structured_outputs": True, "reasoning": False, "prompt_caching": True},
    display_name="Model M",
    max_output_tokens=16384,
    modalities={"input": ["text", "image", "pdf", "audio", "video"], "output": ["text"]},
    pricing={
        "input_per_mtok": 2.5,
        "output_per_mtok": 10,
        "cached_input_per_mtok": 1.25,
        "cache_write_per_mtok": 0,
    },
    knowledge_cutoff="2023-10",
    aliases=["m-2024-05-13", "m-latest", "vendor/m:v1@x"],
    lifecycle={"deprecated_at": "2026-10-14", "shutdown_at": "2027-01-14", "successor": "n"},
)


def problems(*docs: dict[str, Any]) -> list[str]:
    with pytest.raises(InvalidCatalog) as caught:
        parse_catalog({"object": "list", "data": list(docs)})
    return caught.value.problems


def test_every_new_field_is_kept_as_given() -> None:
    assert Model.model_validate(FULL).to_wire() == FULL
    (model,) = parse_catalog({"object": "list", "data": [FULL]})
    assert model.names() == ("m", "m-2024-05-13", "m-latest", "vendor/m:v1@x")


def test_absent_fields_are_absent_on_the_wire_not_null() -> None:
    wire = make_model("m").to_wire()
    assert wire == model_doc("m")  # the seed's fields, exactly
    partial = make_model("m", pricing={"input_per_mtok": 1}, lifecycle={"successor": "n"})
    assert partial.to_wire()["pricing"] == {"input_per_mtok": 1}
    assert partial.to_wire()["lifecycle"] == {"successor": "n"}
    assert make_model("m", extra=None).to_wire()["extra"] is None  # an extra field: as given


def test_capability_names_are_one_list() -> None:
    assert set(get_args(CapabilityName)) == set(CAPABILITY_NAMES)
    assert CAPABILITY_NAMES == (
        "vision",
        "function_calling",
        "structured_outputs",
        "reasoning",
        "prompt_caching",
    )


@pytest.mark.parametrize(
    ("fields", "fragments"),
    [
        # display_name
        ({"display_name": ""}, ["display_name", "at least 1"]),
        ({"display_name": "x" * 129}, ["display_name", "at most 128"]),
        ({"display_name": 7}, ["display_name", "valid string"]),
        # max_output_tokens
        ({"max_output_tokens": 128001}, ["max_output_tokens", "over context_length (128,000)"]),
        ({"max_output_tokens": 0}, ["max_output_tokens", "greater than or equal to 1"]),
        ({"max_output_tokens": True}, ["max_output_tokens", "valid integer"]),
        ({"max_output_tokens": "4096"}, ["max_output_tokens", "valid integer"]),
        ({"max_output_tokens": 4096.0}, ["max_output_tokens", "valid integer"]),
        # modalities
        ({"modalities": {"input": [], "output": ["text"]}}, ["modalities.input", "at least 1"]),
        ({"modalities": {"input": ["text"]}}, ["modalities.output", "required"]),
        (
            {"modalities": {"input": ["text", "image", "text"], "output": ["text"]}},
            ["modalities.input", "more than once: text"],
        ),
        ({"modalities": {"input": ["smell"], "output": ["text"]}}, ["modalities.input.0"]),
        ({"modalities": {"input": "text", "output": ["text"]}}, ["modalities.input"]),
        (
            {"modalities": {"input": ["text"], "output": ["text"], "extra": []}},
            ["modalities.extra", "Extra inputs"],
        ),
        # capabilities
        (
            {"capabilities": {**CAPS, "reasoning": "yes"}},
            ["capabilities.reasoning", "valid boolean"],
        ),
        ({"capabilities": {**CAPS, "prompt_caching": 1}}, ["capabilities.prompt_caching"]),
        ({"capabilities": {**CAPS, "reasoning": None}}, ["capabilities.reasoning", "null"]),
        ({"capabilities": {**CAPS, "telepathy": True}}, ["capabilities", "unknown field"]),
        # pricing
        ({"pricing": {"input_per_mtok": -0.01}}, ["pricing.input_per_mtok", "must be from 0"]),
        ({"pricing": {"output_per_mtok": "2.5"}}, ["pricing.output_per_mtok"]),
        ({"pricing": {"output_per_mtok": True}}, ["pricing.output_per_mtok"]),
        ({"pricing": {"cached_input_per_mtok": None}}, ["pricing.cached_input_per_mtok", "null"]),
        ({"pricing": {"input": 2.5}}, ["pricing.input", "Extra inputs"]),
        ({"pricing": {"cache_write_per_mtok": 1e300}}, ["pricing.cache_write_per_mtok"]),
        # knowledge_cutoff
        ({"knowledge_cutoff": "2023-13"}, ["knowledge_cutoff", "pattern"]),
        ({"knowledge_cutoff": "2023-10-01"}, ["knowledge_cutoff", "pattern"]),
        ({"knowledge_cutoff": 202310}, ["knowledge_cutoff", "valid string"]),
        # aliases
        ({"aliases": ["ok", "bad//alias"]}, ["aliases.1", "without '//'"]),
        ({"aliases": ["x", "x"]}, ["aliases", "more than once: x"]),
        ({"aliases": ["m"]}, ["aliases", "own id"]),
        ({"aliases": "m-latest"}, ["aliases", "valid list"]),
        ({"aliases": [f"a{n}" for n in range(MAX_ALIASES + 1)]}, ["aliases", "at most 32"]),
        # lifecycle
        ({"lifecycle": {"deprecated_at": "2026-02-30"}}, ["lifecycle.deprecated_at", "date"]),
        ({"lifecycle": {"shutdown_at": "14/01/2027"}}, ["lifecycle.shutdown_at", "pattern"]),
        (
            {"lifecycle": {"deprecated_at": "2027-01-14", "shutdown_at": "2026-10-14"}},
            ["lifecycle", "shutdown_at 2026-10-14 is before deprecated_at 2027-01-14"],
        ),
        ({"lifecycle": {"status": "sunset"}}, ["lifecycle.status"]),
        ({"lifecycle": {"successor": "no//id"}}, ["lifecycle.successor", "without '//'"]),
        ({"lifecycle": {"successor": "m"}}, ["lifecycle.successor", "the model itself"]),
        ({"lifecycle": {"retired": True}}, ["lifecycle.retired", "Extra inputs"]),
        ({"lifecycle": None}, ["lifecycle", "null"]),
        ({"display_name": None}, ["display_name", "null"]),
    ],
)
def test_each_new_field_is_validated(fields: dict[str, Any], fragments: list[str]) -> None:
    found = problems(model_doc("ok"), model_doc("m", **fields))
    assert len(found) >= 1
    assert all(problem.startswith("data[1] (m).") for problem in found), found
    assert any(all(fragment in problem for fragment in fragments) for problem in found), found


def test_a_successor_may_name_a_model_outside_the_catalog_or_in_it() -> None:
    docs = [
        model_doc("old", lifecycle={"successor": "new"}),
        model_doc("new", lifecycle={"successor": "someone/else:v2"}),
    ]
    assert [m.id for m in parse_catalog({"object": "list", "data": docs})] == ["old", "new"]


def test_aliases_are_unique_across_every_id_and_alias_and_every_collision_is_listed() -> None:
    found = problems(
        model_doc("a", aliases=["a-latest"]),
        model_doc("b", aliases=["a", "b-latest"]),
        model_doc("c", aliases=["a-latest", "c-1"]),
        model_doc("d", aliases=["e"]),
        model_doc("e"),
    )
    assert found == [
        "b: alias 'a' is already the id of 'a'",
        "c: alias 'a-latest' is already an alias of 'a'",
        "e: alias 'e' is already an alias of 'd'",
    ] or sorted(found) == sorted(
        [
            "b: alias 'a' is already the id of 'a'",
            "c: alias 'a-latest' is already an alias of 'a'",
            "d: alias 'e' is already the id of 'e'",
        ]
    )

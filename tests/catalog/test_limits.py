"""catalog/limits.py: each cap is enforced where it is documented, at its value exactly: a
model at the cap is accepted, one past it refused, naming the field. (The document-wide caps,
MAX_MODELS, MAX_LIST_BYTES, MAX_DOCUMENT_BYTES, MAX_MODEL_BYTES and the problem counts, are
held to the byte in tests/catalog/test_validation.py.)"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from pydantic import ValidationError

from catalog.limits import (
    MAX_ALIASES,
    MAX_CONTEXT_LENGTH,
    MAX_CREATED,
    MAX_DEPTH,
    MAX_DISPLAY_NAME_LENGTH,
    MAX_DOCUMENT_BYTES,
    MAX_EXTRA_FIELDS,
    MAX_EXTRA_KEY_LENGTH,
    MAX_ID_LENGTH,
    MAX_LIST_BYTES,
    MAX_MODEL_BYTES,
    MAX_OWNED_BY_LENGTH,
    MAX_PRICING_SCHEDULE,
    MAX_PRICING_TIERS,
    MAX_SAFE_INTEGER,
    MAX_STRING_LENGTH,
    MODEL_ID_PATTERN,
)
from catalog.schema import Model
from catalog.wire import served_size
from tests.support.factories import make_model, model_doc


def nested(levels: int) -> Any:
    """A JSON value `levels` containers deep."""
    value: Any = 1
    for _ in range(levels):
        value = {"x": value}
    return value


def tiers(count: int) -> dict[str, Any]:
    return {
        "input_per_mtok": 1,
        "tiers": [
            {"input_per_mtok": 2, "above_input_tokens": 1000 * (n + 1)} for n in range(count)
        ],
    }


def schedule(count: int) -> list[dict[str, Any]]:
    return [
        {"effective_at": f"{2100 + n}-01-01", "pricing": {"input_per_mtok": n}}
        for n in range(count)
    ]


# (what is bounded, the cap, a model document with n of it)
EDGES: list[tuple[str, int, Callable[[int], dict[str, Any]]]] = [
    ("id", MAX_ID_LENGTH, lambda n: model_doc("a" * n)),
    ("owned_by", MAX_OWNED_BY_LENGTH, lambda n: model_doc("m", owned_by="o" * n)),
    ("display_name", MAX_DISPLAY_NAME_LENGTH, lambda n: model_doc("m", display_name="d" * n)),
    ("aliases", MAX_ALIASES, lambda n: model_doc("m", aliases=[f"m-{i}" for i in range(n)])),
    ("context_length", MAX_CONTEXT_LENGTH, lambda n: model_doc("m", context_length=n)),
    ("created", MAX_CREATED, lambda n: model_doc("m", created=n)),
    ("note", MAX_STRING_LENGTH, lambda n: model_doc("m", note="s" * n)),
    ("extra", MAX_EXTRA_FIELDS, lambda n: model_doc("m", **{f"x{i}": i for i in range(n)})),
    ("key", MAX_EXTRA_KEY_LENGTH, lambda n: model_doc("m", **{"k" * n: 1})),
    ("depth", MAX_DEPTH, lambda n: model_doc("m", deep=nested(n - 1))),  # the model: level 1
    ("pricing.tiers", MAX_PRICING_TIERS, lambda n: model_doc("m", pricing=tiers(n))),
    (
        "pricing_schedule",
        MAX_PRICING_SCHEDULE,
        lambda n: model_doc("m", pricing={"input_per_mtok": 1}, pricing_schedule=schedule(n)),
    ),
    ("integer", MAX_SAFE_INTEGER, lambda n: model_doc("m", count=n)),
]


@pytest.mark.parametrize(("what", "cap", "build"), EDGES, ids=[edge[0] for edge in EDGES])
def test_each_cap_accepts_its_value_and_refuses_one_more(
    what: str, cap: int, build: Callable[[int], dict[str, Any]]
) -> None:
    Model.model_validate(build(cap))
    with pytest.raises(ValidationError):
        Model.model_validate(build(cap + 1))


def test_a_negative_integer_past_the_safe_range_is_refused_too() -> None:
    Model.model_validate(model_doc("m", count=-MAX_SAFE_INTEGER))
    with pytest.raises(ValidationError):
        Model.model_validate(model_doc("m", count=-MAX_SAFE_INTEGER - 1))


@pytest.mark.parametrize(
    ("model_id", "valid"),
    [
        ("gpt-4.1", True),
        ("vendor/model:v1@2024+x", True),
        ("a", True),
        ("a/../b", False),  # a dot segment: a path a client would normalise
        ("./a", False),
        ("a//b", False),
        ("a%20b", False),
        ("a b", False),
        ("-a", False),  # starts with a letter or digit
        ("a/", False),  # ends with one, or . _ : @ + -
    ],
)
def test_the_id_syntax_is_the_one_a_model_is_held_to(model_id: str, valid: bool) -> None:
    assert bool(MODEL_ID_PATTERN.fullmatch(model_id)) is valid
    if valid:
        Model.model_validate(model_doc(model_id))
    else:
        with pytest.raises(ValidationError):
            Model.model_validate(model_doc(model_id))


def test_the_caps_keep_the_largest_answer_well_inside_lambdas_6_mb() -> None:
    lambda_limit = 6 * 1000 * 1000  # Lambda's response payload limit (6 MB)
    assert lambda_limit * 0.75 >= MAX_LIST_BYTES
    assert MAX_MODEL_BYTES * 64 == MAX_LIST_BYTES  # a full list is a few dozen of the largest
    assert MAX_DOCUMENT_BYTES >= 2 * MAX_LIST_BYTES  # a pretty-printed document of a full list


def test_the_largest_priced_model_without_extra_fields_stays_under_the_model_cap() -> None:
    """Every price set full, every tier and schedule entry used: the schema's own fields alone
    can never make a model too large to serve (so they are not measured at validation)."""
    full = {
        "input_per_mtok": 2**53 - 1,
        "output_per_mtok": 2**53 - 1,
        "cached_input_per_mtok": 2**53 - 1,
        "cache_write_per_mtok": 2**53 - 1,
        "cache_write_1h_per_mtok": 2**53 - 1,
    }
    tiers = [{**full, "above_input_tokens": 90_000_000 + n} for n in range(MAX_PRICING_TIERS)]
    prices = {**full, "tiers": tiers}
    model = make_model(
        "m" * 128,
        pricing=prices,
        pricing_schedule=[
            {"effective_at": f"{2100 + n}-01-01", "pricing": prices}
            for n in range(MAX_PRICING_SCHEDULE)
        ],
        aliases=[f"{n:03d}" + "a" * 125 for n in range(32)],
        lifecycle={"deprecated_at": "2099-01-01", "shutdown_at": "2099-12-31", "successor": "x"},
    )
    assert served_size(model) < MAX_MODEL_BYTES

"""catalog/json_values.py: the raw JSON checks pydantic cannot express, each located at its path,
and bounded: a hostile value never turns into an unbounded list of problems."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic_core import InitErrorDetails

from catalog.json_values import check_extras, check_value
from catalog.limits import (
    MAX_DEPTH,
    MAX_EXTRA_FIELDS,
    MAX_EXTRA_KEY_LENGTH,
    MAX_PROBLEMS_PER_MODEL,
    MAX_SAFE_INTEGER,
    MAX_STRING_LENGTH,
)


def problems_of(value: Any, *, depth: int = 1) -> list[tuple[tuple[Any, ...], str]]:
    found: list[InitErrorDetails] = []
    check_value(value, ("field",), depth, found)
    return [(problem["loc"], str(problem["type"])) for problem in found]


def extras_problems(data: dict[Any, Any]) -> list[tuple[tuple[Any, ...], str]]:
    found: list[InitErrorDetails] = []
    check_extras(data, list(data), found)
    return [(problem["loc"], str(problem["type"])) for problem in found]


class Text(str):
    """A str subclass: not a type JSON decodes to."""


@pytest.mark.parametrize(
    "value",
    [None, True, 0, -MAX_SAFE_INTEGER, MAX_SAFE_INTEGER, 1.5, "ü", [1, "a"], {"k": {"n": None}}],
)
def test_json_values_pass(value: Any) -> None:
    assert problems_of(value) == []


@pytest.mark.parametrize(
    ("value", "path", "says"),
    [
        (MAX_SAFE_INTEGER + 1, ("field",), "integer out of range"),
        ([0, -MAX_SAFE_INTEGER - 1], ("field", 1), "integer out of range"),
        (float("nan"), ("field",), "NaN is not a JSON number"),
        ({"k": float("inf")}, ("field", "k"), "Infinity"),
        ("x" * (MAX_STRING_LENGTH + 1), ("field",), f"over the cap of {MAX_STRING_LENGTH:,}"),
        ("\ud800", ("field",), "lone surrogate"),
        ({1: "a"}, ("field", "1"), "key is not a string"),
        (Text("a"), ("field",), "not a JSON value (Text)"),
        ((1, 2), ("field",), "not a JSON value (tuple)"),
    ],
)
def test_what_is_not_json_is_named_at_its_path(
    value: Any, path: tuple[Any, ...], says: str
) -> None:
    ((loc, message),) = problems_of(value)
    assert loc == path
    assert says in message


def test_nesting_is_bounded_by_the_model_depth() -> None:
    value: Any = 1
    for _ in range(MAX_DEPTH - 1):
        value = [value]
    assert problems_of(value) == []  # the model is level 1, so this reaches MAX_DEPTH
    ((_, message),) = problems_of([value])
    assert f"nested deeper than {MAX_DEPTH} levels" in message


def test_a_value_with_many_problems_stops_past_the_listed_ones() -> None:
    found = problems_of([float("nan")] * 10_000)
    assert len(found) == MAX_PROBLEMS_PER_MODEL + 1


def test_extra_fields_are_bounded_in_number_and_name() -> None:
    assert extras_problems({"note": "a", "tags": ["x"]}) == []
    many = {f"f{n}": n for n in range(MAX_EXTRA_FIELDS + 1)}
    ((loc, message),) = extras_problems(many)
    assert loc == ()
    assert f"{MAX_EXTRA_FIELDS + 1} extra fields" in message
    ((loc, message),) = extras_problems({"k" * (MAX_EXTRA_KEY_LENGTH + 1): 1})
    assert f"1-{MAX_EXTRA_KEY_LENGTH} characters" in message
    ((_, message),) = extras_problems({"\udc00": 1})
    assert "lone surrogate" in message
    ((loc, message),) = extras_problems({"note": MAX_SAFE_INTEGER + 1})
    assert loc == ("note",)
    assert "integer out of range" in message

"""catalog/problems.py: how a catalog's problems are worded: located as pydantic errors, one
printable line each, and a client's value quoted in part, never whole."""

from __future__ import annotations

import pytest
from pydantic_core import ValidationError

from catalog.problems import VALUE_LIMIT, describe, printable, problem_at, quoted


def test_a_problem_at_a_location_is_a_pydantic_error_of_type_catalog() -> None:
    error = ValidationError.from_exception_data(
        "Model", [problem_at(("pricing", 0, "input"), "must be from 0")]
    )
    (detail,) = error.errors()
    assert (detail["type"], detail["loc"], detail["msg"]) == (
        "catalog",
        ("pricing", 0, "input"),
        "must be from 0",
    )


def test_a_location_is_made_printable_before_pydantic_sees_it() -> None:
    (detail,) = ValidationError.from_exception_data(
        "Model", [problem_at(("bad\ud800key", "line\nbreak"), "x")]
    ).errors()
    assert detail["loc"] == ("bad\\ud800key", "line\\nbreak")  # escaped, not U+FFFD


def test_each_problem_is_one_line_labelled_with_its_path() -> None:
    errors = [
        {"loc": ("pricing", "tiers", 0), "msg": "too many"},
        {"loc": (), "msg": "not an object"},
    ]
    assert describe("data[3] (m)", errors) == [
        "data[3] (m).pricing.tiers.0: too many",
        "data[3] (m): not an object",
    ]


def test_a_long_part_of_a_path_is_clipped() -> None:
    (line,) = describe("m", [{"loc": ("k" * 500,), "msg": "bad"}])
    # describe() shows a path part to 3 characters more than printable()'s default of 64.
    assert line == "m." + "k" * 67 + "...: bad"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("plain text", "plain text"),
        ("tab\there", "tab\\there"),
        ("nul\x00", "nul\\x00"),
        ("lone \ud800", "lone \\ud800"),
        ("caf\u00e9 \u4e2d", "caf\u00e9 \u4e2d"),  # printable, kept as it is
    ],
)
def test_printable_escapes_what_a_terminal_or_log_would_misread(text: str, shown: str) -> None:
    assert printable(text) == shown


def test_printable_clips_before_escaping() -> None:
    assert printable("a" * 10, limit=4) == "aaaa..."
    assert printable("\n" * 10, limit=2) == "\\n\\n..."


def test_a_clients_value_is_quoted_and_at_most_its_limit() -> None:
    assert quoted("gpt-9") == "'gpt-9'"
    long = quoted("x" * 10_000)
    assert long == "'" + "x" * VALUE_LIMIT + "...'"
    assert quoted("a\r\nb") == "'a\\r\\nb'"

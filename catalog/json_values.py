"""Checks of raw JSON values that pydantic cannot express, run before any of a value is kept.

Exact JSON types, integers within +-(2**53 - 1), finite floats, valid UTF-8, bounded strings,
keys and depth: Model's validator checks a model's extra fields with them, and the parser a
document's own keys beside `data`.
"""

from __future__ import annotations

import math
from typing import Any

from pydantic_core import InitErrorDetails

from catalog.limits import (
    MAX_DEPTH,
    MAX_EXTRA_FIELDS,
    MAX_EXTRA_KEY_LENGTH,
    MAX_PROBLEMS_PER_MODEL,
    MAX_SAFE_INTEGER,
    MAX_STRING_LENGTH,
)
from catalog.problems import problem_at


def check_extras(data: dict[Any, Any], extras: list[Any], problems: list[InitErrorDetails]) -> None:
    """The fields beyond the schema's: their number, their names and every value in them."""
    if len(extras) > MAX_EXTRA_FIELDS:
        problems.append(
            problem_at((), f"{len(extras)} extra fields, over the cap of {MAX_EXTRA_FIELDS}")
        )
    for key in extras:
        if len(problems) > MAX_PROBLEMS_PER_MODEL:
            return
        if not isinstance(key, str) or not 1 <= len(key) <= MAX_EXTRA_KEY_LENGTH:
            problems.append(
                problem_at(
                    (key,),
                    f"an extra field's name must be a string of 1-{MAX_EXTRA_KEY_LENGTH} "
                    "characters",
                )
            )
            continue
        if not key.isascii() and not _is_utf8(key):
            problems.append(problem_at((key,), "field name is not valid UTF-8 (lone surrogate)"))
            continue
        check_value(data[key], (key,), 1, problems)


def check_value(
    value: Any, loc: tuple[int | str, ...], depth: int, problems: list[InitErrorDetails]
) -> None:
    """Check one JSON value at `depth` (levels of containers around it) and what it holds.

    Only the exact types JSON decodes to are JSON values here (a subclass is not). Stops once
    the model has more problems than are listed: the rest would not be shown.
    """
    if len(problems) > MAX_PROBLEMS_PER_MODEL:
        return
    kind = type(value)
    if kind is str:
        problem = _string_problem(value)
        if problem:
            problems.append(problem_at(loc, problem))
    elif kind is int:
        if not -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
            problems.append(
                problem_at(
                    loc, f"integer out of range: JSON integers are within +-{MAX_SAFE_INTEGER}"
                )
            )
    elif kind is float:
        if not math.isfinite(value):
            what = "NaN" if math.isnan(value) else "Infinity (or a number beyond +-1.8e308)"
            problems.append(problem_at(loc, f"{what} is not a JSON number"))
    elif kind is dict or kind is list:
        if depth + 1 > MAX_DEPTH:
            problems.append(problem_at(loc, f"nested deeper than {MAX_DEPTH} levels"))
        elif kind is list:
            for index, item in enumerate(value):
                check_value(item, (*loc, index), depth + 1, problems)
        else:
            for key, item in value.items():
                if type(key) is not str:
                    problems.append(problem_at((*loc, repr(key)), "key is not a string"))
                    continue
                problem = _string_problem(key)
                if problem:
                    problems.append(problem_at((*loc, key), f"key: {problem}"))
                else:
                    check_value(item, (*loc, key), depth + 1, problems)
    elif value is not None and kind is not bool:
        problems.append(problem_at(loc, f"not a JSON value ({kind.__name__})"))


def _string_problem(text: str) -> str | None:
    if len(text) > MAX_STRING_LENGTH:
        return f"string of {len(text):,} characters, over the cap of {MAX_STRING_LENGTH:,}"
    if not text.isascii() and not _is_utf8(text):
        return "string is not valid UTF-8 (lone surrogate)"
    return None


def _is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True

"""How a catalog's problems are worded: located as pydantic errors, printable in messages."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic_core import InitErrorDetails, PydanticCustomError


def problem_at(loc: tuple[Any, ...], message: str) -> InitErrorDetails:
    """A problem at `loc` of a model, as pydantic reports it (a custom error of type `catalog`)."""
    return {
        "type": PydanticCustomError("catalog", "{problem}", {"problem": message}),
        # Shown now: pydantic would replace a lone surrogate in a key by U+FFFD.
        "loc": tuple(part if isinstance(part, int) else printable(str(part)) for part in loc),
        "input": None,
    }


def describe(label: str, errors: Sequence[Any]) -> list[str]:
    """Pydantic's errors of what `label` names, one printable line each: `label.path: message`."""
    described = []
    for error in errors:
        path = ".".join(printable(str(part), limit=_SHOWN_LIMIT + 3) for part in error["loc"])
        described.append(f"{label}.{path}: {error['msg']}" if path else f"{label}: {error['msg']}")
    return described


_SHOWN_LIMIT = 64


def printable(text: str, *, limit: int = _SHOWN_LIMIT) -> str:
    """`text` safe to print in a message: clipped, control characters and surrogates escaped."""
    clipped = text if len(text) <= limit else text[:limit] + "..."
    if clipped.isprintable():
        return clipped
    return "".join(
        char if char.isprintable() else char.encode("unicode_escape").decode("ascii")
        for char in clipped
    )


# How much of a client's value an error message quotes: enough to recognise it, never the whole
# of a 10 KB id or query string.
CLIENT_VALUE_LIMIT = 100


def quoted(value: str) -> str:
    """A client's value as every error message quotes it: in single quotes, at most
    CLIENT_VALUE_LIMIT characters of it (then `...`), control characters escaped."""
    return "'" + printable(value, limit=CLIENT_VALUE_LIMIT) + "'"

"""How a catalog's problems are worded: located as pydantic errors, printable in messages.

The one way any message of the product shows a value it did not write: `quoted` for a value
(a client's id or query parameter, a stored attribute, an event's key), `printable` for text
embedded as is (a name, a reason, a path), each clipped at one of the limits below.
"""

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
        path = ".".join(printable(str(part), limit=NAME_LIMIT + 3) for part in error["loc"])
        described.append(f"{label}.{path}: {error['msg']}" if path else f"{label}: {error['msg']}")
    return described


# How much of a text a message shows: a name (an id, an alias, a field's name), a value, and a
# longer text (a reason, a path or URL). Enough to recognise each, never the whole of a 10 KB id
# or query string.
NAME_LIMIT = 64
VALUE_LIMIT = 100
TEXT_LIMIT = 200


def printable(text: str, *, limit: int = NAME_LIMIT) -> str:
    """`text` safe to print in a message: clipped, control characters and surrogates escaped."""
    clipped = text if len(text) <= limit else text[:limit] + "..."
    if clipped.isprintable():
        return clipped
    return "".join(
        char if char.isprintable() else char.encode("unicode_escape").decode("ascii")
        for char in clipped
    )


def quoted(value: str) -> str:
    """A value as every message quotes it: in single quotes, at most VALUE_LIMIT characters
    of it (then `...`), control characters and lone surrogates escaped."""
    return "'" + printable(value, limit=VALUE_LIMIT) + "'"

"""The dialects an app answers in, most specific first (handler/dialects/base.py says what a
dialect is). `DIALECTS` is the deployed list: Anthropic's for a request with
`anthropic-version`, else OpenAI's. A new dialect is one new module and one entry here (or in
the list given to `create_app`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from handler.dialects.anthropic import ANTHROPIC
from handler.dialects.base import Dialect, HeaderLookup, ListFilters
from handler.dialects.openai import OPENAI

__all__ = ["DIALECTS", "VARY", "Dialect", "Dialects", "HeaderLookup", "ListFilters"]


@dataclass(frozen=True, slots=True)
class Dialects:
    """An ordered list of dialects; the last is the default and must recognise any request."""

    dialects: tuple[Dialect, ...]
    # Every request header an answer of the /v1 routes depends on: the key (either header), the
    # headers that select a dialect, and the encoding. A shared cache must key on all of them.
    vary: str = field(init=False)

    def __post_init__(self) -> None:
        selecting = [name for dialect in self.dialects for name in dialect.selecting_headers]
        vary = ", ".join(["Authorization", "x-api-key", *selecting, "Accept-Encoding"])
        object.__setattr__(self, "vary", vary)

    def select(self, header: HeaderLookup) -> Dialect:
        """The dialect of a request with these headers."""
        for dialect in self.dialects:
            if dialect.recognises(header):
                return dialect
        return self.dialects[-1]

    def select_from_asgi(self, raw_headers: Iterable[tuple[bytes, bytes]]) -> Dialect:
        """The dialect of an ASGI request (names in lower case, as uvicorn and Mangum give
        them)."""
        headers = raw_headers if isinstance(raw_headers, list | tuple) else list(raw_headers)

        def header(name: str) -> str | None:
            key = name.encode()
            for found, value in headers:
                if found == key:
                    return bytes(value).decode("latin-1")
            return None

        return self.select(header)


DIALECTS = Dialects((ANTHROPIC, OPENAI))
VARY = DIALECTS.vary

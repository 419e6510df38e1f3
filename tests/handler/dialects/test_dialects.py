"""handler/dialects/__init__.py: `Dialects`, the ordered list an app answers in. The first that
recognises a request speaks for it, the last is the default, and `vary` names every header an
answer depends on. (A dialect added by a test is tests/handler/dialects/test_third_dialect.py.)"""

from __future__ import annotations

from handler.dialects import DIALECTS, VARY, Dialects
from handler.dialects.anthropic import ANTHROPIC
from handler.dialects.openai import OPENAI


def headers(**present: str) -> dict[str, str]:
    return {name.replace("_", "-"): value for name, value in present.items()}


def test_the_deployed_list_is_anthropic_for_its_header_else_openai() -> None:
    assert DIALECTS.dialects == (ANTHROPIC, OPENAI)
    assert DIALECTS.select(headers(anthropic_version="2023-06-01").get) is ANTHROPIC
    assert DIALECTS.select(headers(anthropic_version="").get) is ANTHROPIC  # any value
    assert DIALECTS.select(headers(x_api_key="k").get) is OPENAI
    assert DIALECTS.select(headers().get) is OPENAI


def test_the_last_dialect_is_the_default_whatever_the_others_recognise() -> None:
    only_openai = Dialects((OPENAI,))
    assert only_openai.select(headers(anthropic_version="2023-06-01").get) is OPENAI
    # Order matters: OpenAI recognises every request, so a dialect after it is never chosen.
    openai_first = Dialects((OPENAI, ANTHROPIC))
    assert openai_first.select(headers(anthropic_version="2023-06-01").get) is OPENAI


def test_vary_names_the_key_headers_each_selecting_header_and_the_encoding() -> None:
    assert VARY == DIALECTS.vary == "Authorization, x-api-key, anthropic-version, Accept-Encoding"
    assert Dialects((OPENAI,)).vary == "Authorization, x-api-key, Accept-Encoding"


def test_asgi_headers_are_read_as_bytes_from_a_list_or_any_iterable() -> None:
    raw = [(b"host", b"x"), (b"anthropic-version", b"2023-06-01")]
    assert DIALECTS.select_from_asgi(raw) is ANTHROPIC
    assert DIALECTS.select_from_asgi(tuple(raw)) is ANTHROPIC
    assert DIALECTS.select_from_asgi(iter(raw)) is ANTHROPIC  # read more than once
    assert DIALECTS.select_from_asgi([(b"host", b"x")]) is OPENAI
    # ASGI names are lower case: another case is another header.
    assert DIALECTS.select_from_asgi([(b"Anthropic-Version", b"1")]) is OPENAI

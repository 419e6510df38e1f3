"""catalog/bounded_json.py: a stored document's shape is measured on its bytes, so a hostile one is
refused before `json.loads` could recurse or build a value of it."""

from __future__ import annotations

import json

import pytest

from catalog.bounded_json import entries_within

PREFIX = b'{"object":"list","data":['
SUFFIX = b"]}"


def within(body: bytes, *, max_entries: int = 10, max_depth: int = 3) -> list[object]:
    return entries_within(
        body, prefix=PREFIX, suffix=SUFFIX, max_entries=max_entries, max_depth=max_depth
    )


def framed(*entries: object) -> bytes:
    return PREFIX + b",".join(json.dumps(entry).encode() for entry in entries) + SUFFIX


def test_a_document_within_both_bounds_is_parsed() -> None:
    entries = [{"id": "a", "tags": ["x", {"deep": 1}]}, {"id": "b"}]
    assert within(framed(*entries)) == entries


def test_brackets_commas_and_escaped_quotes_inside_strings_are_not_structure() -> None:
    entries = [{"id": 'a[,{"b\\'}, {"id": "]]]],,,,\\\\"}]
    assert within(framed(*entries), max_entries=2, max_depth=1) == entries


def test_one_entry_more_than_the_cap_is_refused() -> None:
    body = framed(*({"id": str(n)} for n in range(11)))
    with pytest.raises(ValueError, match="11 models, over the cap of 10"):
        within(body)
    assert len(within(body, max_entries=11)) == 11


def test_one_level_deeper_than_the_cap_is_refused_without_recursing() -> None:
    assert within(framed({"a": {"b": [1]}})) == [{"a": {"b": [1]}}]  # 3 levels
    with pytest.raises(ValueError, match="nested deeper than 3 levels"):
        within(framed({"a": {"b": [[1]]}}))
    hostile = PREFIX + b"[" * 100_000 + b"]" * 100_000 + SUFFIX  # RecursionError in json.loads
    with pytest.raises(ValueError, match="nested deeper"):
        within(hostile)


@pytest.mark.parametrize(
    "body",
    [
        b'{"object":"list","data":{}}',
        b"[]",
        PREFIX + b"nope" + SUFFIX,
        PREFIX + b"\xff" + SUFFIX,
    ],
)
def test_anything_but_such_a_document_is_a_value_error(body: bytes) -> None:
    with pytest.raises(ValueError, match=r"not a catalog document|not valid JSON"):
        within(body)

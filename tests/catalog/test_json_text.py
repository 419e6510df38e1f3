"""catalog/json_text.py: JSON as one line (logs, metrics) and for a person (the CLI, files)."""

from __future__ import annotations

import json

from catalog.json_text import json_line, pretty_json

VALUE = {"id": "gpt-ü", "note": "two\nlines", "n": [1, 2.5, None, True]}


def test_a_log_line_is_one_compact_ascii_line_that_reads_back() -> None:
    line = json_line(VALUE)
    assert "\n" not in line
    assert line.isascii()
    assert line.startswith('{"id":"gpt-\\u00fc","note":"two\\nlines","n":[1,2.5,null,true]')
    assert json.loads(line) == VALUE


def test_a_lone_surrogate_still_makes_a_line() -> None:
    assert json.loads(json_line({"id": "\ud800"})) == {"id": "\ud800"}


def test_json_for_a_person_is_indented_utf8_with_one_trailing_newline() -> None:
    text = pretty_json(VALUE)
    assert text.endswith("}\n")
    assert not text.endswith("\n\n")
    assert '\n  "id": "gpt-ü",\n' in text
    assert json.loads(text) == VALUE


def test_ascii_only_escapes_what_is_not_ascii() -> None:
    text = pretty_json(VALUE, ascii_only=True)
    assert text.isascii()
    assert '"gpt-\\u00fc"' in text
    assert json.loads(text) == VALUE

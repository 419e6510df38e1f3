"""catalog/body.py: a serialised body, its strong ETag derived from its bytes, its response
headers, and its gzip encoding and text form made once and kept."""

from __future__ import annotations

import base64
import dataclasses
import gzip
import hashlib
import json
import random

import pytest

from catalog.body import GZIP_MIN_SIZE, Body


def test_a_body_of_a_payload_is_compact_utf8_not_escaped() -> None:
    payload = {"id": "m\u00e9", "n": [1, 2], "x": None}
    content = Body.of(payload).content
    assert content == '{"id":"m\u00e9","n":[1,2],"x":null}'.encode()
    assert json.loads(content) == payload


def test_the_etag_is_strong_derived_from_the_bytes_alone() -> None:
    one = Body.of({"a": 1}, {"Sunset": "x"})
    assert one.etag == '"' + hashlib.sha256(one.content).hexdigest()[:32] + '"'
    assert Body.of_bytes(b'{"a":1}').etag == one.etag  # headers take no part in it
    assert Body.of({"a": 2}).etag != one.etag


def test_headers_go_with_the_body_in_order() -> None:
    headers = {"Deprecation": "@1", "Sunset": "Thu, 14 Jan 2027 00:00:00 GMT", "Link": "<x>"}
    assert Body.of({"a": 1}, headers).headers == tuple(headers.items())
    assert Body.of({"a": 1}).headers == ()


def test_held_bytes_count_the_gzip_encoding_once_made() -> None:
    body = Body.of({"data": ["x" * 50] * 40})
    assert body.held_bytes == len(body.content)
    gzipped = body.gzipped()
    assert gzipped is not None
    assert body.held_bytes == len(body.content) + len(gzipped.content)
    small = Body.of({"a": 1})
    assert small.gzipped() is None
    assert small.held_bytes == len(small.content)  # no gain kept: nothing more held


def test_gzip_of_a_large_body_is_made_once_and_kept() -> None:
    body = Body.of({"object": "list", "data": [{"id": f"model-{i}"} for i in range(100)]})
    assert len(body.content) >= GZIP_MIN_SIZE
    gzipped = body.gzipped()
    assert gzipped is not None
    assert gzip.decompress(gzipped.content) == body.content
    assert len(gzipped.content) < len(body.content)
    assert body.gzipped() is gzipped  # kept, not recompressed
    assert gzipped.etag == body.etag[:-1] + '-gzip"' == body.gzip_etag
    assert gzipped.etag.startswith('"')  # strong too


def test_gzip_is_deterministic_so_every_container_serves_the_same_bytes() -> None:
    payload = {"data": ["x" * 50] * 40}
    one, other = Body.of(payload), Body.of(payload)
    assert one.gzipped() == other.gzipped()
    assert one == other  # the kept gzip takes no part in equality


@pytest.mark.parametrize("size", [0, 10, GZIP_MIN_SIZE - 20])
def test_a_small_body_is_not_gzipped(size: int) -> None:
    body = Body.of("x" * size)
    assert len(body.content) < GZIP_MIN_SIZE
    assert body.gzipped() is None
    assert body.gzipped() is None


def test_gzip_is_kept_only_where_it_shrinks_the_body() -> None:
    incompressible = Body(random.Random(7).randbytes(4096), '"random"')
    assert incompressible.gzipped() is None
    # base64 of random bytes: 6 bits of 8 carry information, gzip still gains a little.
    text = Body(base64.b64encode(random.Random(7).randbytes(3000)), '"text"')
    gzipped = text.gzipped()
    assert gzipped is not None
    assert len(gzipped.content) < len(text.content)


def test_body_stays_frozen() -> None:
    body = Body.of({"a": 1})
    with pytest.raises(dataclasses.FrozenInstanceError):
        body.content = b"{}"  # type: ignore[misc]
    assert "gzip" not in repr(body)


def test_a_body_keeps_its_text_form_and_counts_it() -> None:
    body = Body.of({"data": ["é" * 600, "x" * 600]})
    assert body.held_bytes == len(body.content)
    text, encoded = body.proxy_text()
    assert (text, encoded) == (body.content.decode(), False)
    assert body.proxy_text()[0] is text
    assert body.held_bytes == len(body.content) + len(text)
    zipped = body.gzipped()
    assert zipped is not None
    zipped_text, zipped_encoded = zipped.proxy_text()
    assert zipped_encoded is True
    assert base64.b64decode(zipped_text) == zipped.content
    assert body.held_bytes == (
        len(body.content) + len(text) + len(zipped.content) + len(zipped_text)
    )

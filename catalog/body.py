"""A serialised response body: its bytes, its strong ETag, and its gzip encoding made once."""

from __future__ import annotations

import base64
import hashlib
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from catalog.wire import wire_json

# Below this size gzip saves a few hundred bytes at most: not worth a Content-Encoding.
GZIP_MIN_SIZE = 1024


@dataclass(frozen=True, slots=True)
class Body:
    """A serialised JSON body and its strong ETag (derived from the bytes, so equal everywhere).

    Its gzip encoding is made on first use and kept with it (`gzipped`), under an ETag of its
    own, so a cache never takes one encoding for the other.
    """

    content: bytes
    etag: str
    # Response headers that go with this body whatever its encoding (a retrieve's Deprecation,
    # Sunset and Link), as (name, value) pairs.
    headers: tuple[tuple[str, str], ...] = ()
    # Filled on the first `gzipped()`: the gzip Body, or _NO_GAIN when gzip would not help.
    _gzip: Body | None = field(default=None, init=False, repr=False, compare=False)
    # Filled on the first `proxy_text()`.
    _text: tuple[str, bool] | None = field(default=None, init=False, repr=False, compare=False)

    @classmethod
    def of(cls, payload: Any, headers: Mapping[str, str] | None = None) -> Body:
        """`payload` as the API sends it (`catalog.wire.wire_json`: compact UTF-8 JSON)."""
        return cls.of_bytes(wire_json(payload), headers)

    @classmethod
    def of_bytes(cls, content: bytes, headers: Mapping[str, str] | None = None) -> Body:
        """A body already serialised (a page assembled from serialised models)."""
        etag = '"' + hashlib.sha256(content).hexdigest()[:32] + '"'
        return cls(content, etag, tuple((headers or {}).items()))

    @property
    def held_bytes(self) -> int:
        """The bytes this body holds: its content, and its gzip encoding and text forms once
        made (what a cache of bodies bounds)."""
        encoded, text = self._gzip, self._text
        return (
            len(self.content)
            + (0 if encoded is None else encoded.held_bytes)
            + (0 if text is None else len(text[0]))
        )

    @property
    def gzip_etag(self) -> str:
        """The ETag of the gzip encoding: this one with `-gzip` inside the quotes."""
        return self.etag[:-1] + '-gzip"'

    def gzipped(self) -> Body | None:
        """The gzip encoding of this body, or None when it would not help (a small body).

        Compressed once and kept: every later call, and every request, gets the same object.
        The bytes are deterministic (no timestamp, fixed level), like the plain ones.
        """
        encoded = self._gzip
        if encoded is None:
            encoded = _NO_GAIN
            if len(self.content) >= GZIP_MIN_SIZE:
                compressed = zlib.compress(self.content, 9, wbits=31)  # wbits 31: gzip framing
                if len(compressed) < len(self.content):
                    encoded = Body(compressed, self.gzip_etag)
            object.__setattr__(self, "_gzip", encoded)  # frozen: a lazily filled slot
        return None if encoded is _NO_GAIN else encoded

    def proxy_text(self) -> tuple[str, bool]:
        """This body as a JSON string carries it (an API Gateway proxy response, through
        handler/text_body.py): its UTF-8 text, or its base64 when the bytes are not UTF-8 (a
        gzip encoding), and which of the two. Made on first use and kept, like `gzipped`.

        Mangum's rule for a JSON body, so the answer is the same as through it."""
        text = self._text
        if text is None:
            try:
                text = (self.content.decode(), False)
            except UnicodeDecodeError:
                text = (base64.b64encode(self.content).decode(), True)
            object.__setattr__(self, "_text", text)  # frozen: a lazily filled slot
        return text


_NO_GAIN = Body(b"", '""')

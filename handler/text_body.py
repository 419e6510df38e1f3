"""A prebuilt body handed to the Lambda adapter in the form a proxy response carries it.

An API Gateway proxy response carries its body as a JSON string: the text, or base64 for bytes
that are not UTF-8 (gzip). Through plain ASGI, Mangum copies every body into a buffer and then
decodes (or base64-encodes) it, on every request: at 10,000 models (1.6 MiB) nearly all of a
0.63 ms median and a 2.9 ms p99 (measured; 0.15 and 0.3 ms without), though the body itself
was built once per catalog version.

So the Lambda adapter offers this ASGI extension: `scope["extensions"][TEXT_BODY]` holds a
`TextBodySlot`. A response whose body keeps its text form (catalog.body.Body.proxy_text) puts
it in the slot and sends an empty body; the adapter answers with that text. A server that does
not offer the extension (uvicorn) gets the bytes as usual. The answer is the same either way,
byte for byte (tests/handler/test_text_body.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from starlette.responses import Response

if TYPE_CHECKING:
    from starlette.types import Receive, Scope, Send

    from catalog.body import Body

TEXT_BODY = "assistantrouter.text_body"


@dataclass(slots=True)
class TextBodySlot:
    """Where a response leaves its body as text: `text` (base64 if `base64`), or None when the
    response sent its body as bytes."""

    text: str | None = None
    base64: bool = False


_JSON = (b"content-type", b"application/json")


class BodyResponse(Response):
    """A prebuilt JSON body: its bytes, or, where the server offers TEXT_BODY, its text.

    Its headers are given raw, as ASGI sends them (names in lower case, latin-1 bytes), and
    Content-Length and Content-Type added last, as Starlette's Response adds them: the same
    headers, without its generic rendering of every header on every request."""

    def __init__(self, body: Body, raw_headers: list[tuple[bytes, bytes]]) -> None:
        # Response.__init__ is not called: everything it would set is set here.
        self.status_code = 200
        self.background = None
        self.body = body.content
        raw_headers.append((b"content-length", str(len(body.content)).encode()))
        raw_headers.append(_JSON)
        self.raw_headers = raw_headers
        self._prebuilt = body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        slot = (scope.get("extensions") or {}).get(TEXT_BODY)
        if not isinstance(slot, TextBodySlot):
            await super().__call__(scope, receive, send)
            return
        await send(
            {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
        )
        slot.text, slot.base64 = self._prebuilt.proxy_text()
        await send({"type": "http.response.body", "body": b""})

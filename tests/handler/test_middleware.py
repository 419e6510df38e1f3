"""handler/middleware.py: what every response carries, added in one place. The request id (API
Gateway's when usable, else a fresh one), `nosniff`, the dialect's headers, and HEAD served as
GET without its body, on a bare ASGI app (the API's own answers are tests/handler/test_app.py's).
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.types import Receive, Scope, Send

from handler.dialects import DIALECTS
from handler.dialects.anthropic import ANTHROPIC
from handler.dialects.openai import OPENAI
from handler.middleware import EdgeMiddleware, request_id_from_event, request_id_of

BODY = b'{"ok":true}'


class Echo:
    """An ASGI app that records the state and method it was called with."""

    def __init__(self) -> None:
        self.seen: list[dict[str, Any]] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.seen.append({"method": scope["method"], **scope["state"]})
        headers = [(b"content-type", b"application/json"), (b"x-content-type-options", b"own")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": BODY})


@pytest.mark.parametrize(
    ("event", "request_id"),
    [
        ({"requestContext": {"requestId": "abc-123="}}, "abc-123="),
        ({"requestContext": {"requestId": "x" * 128}}, "x" * 128),
        ({"requestContext": {"requestId": "x" * 129}}, None),
        ({"requestContext": {"requestId": "has space"}}, None),
        ({"requestContext": {"requestId": "bell\x07"}}, None),
        ({"requestContext": {"requestId": "\ud800"}}, None),
        ({"requestContext": {"requestId": 42}}, None),
        ({"requestContext": None}, None),
        ({}, None),
        (None, None),
        ("requestContext", None),
    ],
)
def test_only_a_usable_api_gateway_request_id_is_echoed(event: Any, request_id: str | None) -> None:
    assert request_id_from_event(event) == request_id


def test_without_one_each_request_gets_a_fresh_id() -> None:
    assert request_id_of({"aws.event": {"requestContext": {"requestId": "gw-1"}}}) == "gw-1"
    first, second = request_id_of({}), request_id_of({"aws.event": {}})
    assert first != second
    assert len(first) == 32
    int(first, 16)


def test_every_answer_carries_the_id_and_nosniff_and_the_state_says_the_dialect() -> None:
    app = Echo()
    client = TestClient(EdgeMiddleware(app, DIALECTS))
    openai = client.get("/")
    anthropic = client.get("/", headers={"anthropic-version": "2023-06-01"})
    assert "request-id" not in openai.headers
    assert anthropic.headers["request-id"] == anthropic.headers["x-request-id"]
    assert openai.headers["x-request-id"] != anthropic.headers["x-request-id"]
    # A header the app set itself is kept, not doubled.
    assert openai.headers.get_list("x-content-type-options") == ["own"]
    assert [seen["dialect"] for seen in app.seen] == [OPENAI, ANTHROPIC]
    assert [seen["vary"] for seen in app.seen] == [DIALECTS.vary] * 2
    assert [seen["request_id"] for seen in app.seen] == [
        openai.headers["x-request-id"],
        anthropic.headers["x-request-id"],
    ]


def test_nosniff_is_added_when_the_app_did_not_set_it() -> None:
    async def plain(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    response = TestClient(EdgeMiddleware(plain, DIALECTS)).get("/")
    assert response.headers["x-content-type-options"] == "nosniff"


def test_head_is_served_as_get_without_the_body() -> None:
    app = Echo()
    client = TestClient(EdgeMiddleware(app, DIALECTS))
    get, head = client.get("/"), client.head("/")
    assert (head.status_code, head.content) == (get.status_code, b"")
    assert get.content == BODY
    assert [seen["method"] for seen in app.seen] == ["GET", "GET"]

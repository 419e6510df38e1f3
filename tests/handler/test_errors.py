"""handler/errors.py: the one table from exceptions to answers. Each error's status, type, code,
param and headers, in the body of each dialect, on an app that has nothing else of ours but the
middleware that picks the dialect (the API's own routes are tests/handler/test_app.py's)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from apikeys.errors import KeyStoreUnavailable
from catalog.errors import InvalidCursor, InvalidFilter, ModelNotFound
from catalog.problems import VALUE_LIMIT
from handler.dialects import DIALECTS, VARY
from handler.errors import (
    INTERNAL_ERROR_MESSAGE,
    RETRY_AFTER_SECONDS,
    APIError,
    install_error_handlers,
)
from handler.middleware import EdgeMiddleware

ANTHROPIC = {"anthropic-version": "2023-06-01"}


def error_app() -> FastAPI:
    app = FastAPI()

    @app.get("/refused")
    async def refused() -> None:
        raise APIError(
            403, "Not for you.", type="permission_error", code="forbidden", headers={"X-Why": "1"}
        )

    @app.get("/model")
    async def model() -> None:
        raise ModelNotFound("gpt-nope")

    @app.get("/filter")
    async def bad_filter() -> None:
        raise InvalidFilter("owned_by", "nobody!", ["openai", "anthropic"])

    @app.get("/cursor")
    async def bad_cursor() -> None:
        raise InvalidCursor("after_id", "zz")

    @app.get("/keys")
    async def keys_down() -> None:
        raise KeyStoreUnavailable("the keys table timed out")

    @app.get("/crash")
    async def crash() -> None:
        raise ZeroDivisionError("boom")

    @app.get("/number")
    async def number(n: int) -> dict[str, int]:
        return {"n": n}

    install_error_handlers(app)
    return app


@pytest.fixture
def client() -> Iterator[TestClient]:
    edge = EdgeMiddleware(error_app(), DIALECTS)
    with TestClient(edge, raise_server_exceptions=False) as client:
        yield client


# path (GET unless a method is given), status, type, code, param, message
CASES: list[tuple[str, str, int, str, str | None, str | None, str]] = [
    ("GET", "/refused", 403, "permission_error", "forbidden", None, "Not for you."),
    ("GET", "/model", 404, "invalid_request_error", "model_not_found", "model", "gpt-nope"),
    ("GET", "/filter", 400, "invalid_request_error", "invalid_value", "owned_by", "'nobody!'"),
    ("GET", "/cursor", 400, "invalid_request_error", "invalid_value", "after_id", "'zz'"),
    ("GET", "/keys", 503, "server_error", "service_unavailable", None, "retry shortly"),
    ("GET", "/crash", 500, "server_error", "internal_error", None, INTERNAL_ERROR_MESSAGE),
    ("GET", "/number?n=ten", 400, "invalid_request_error", "invalid_value", "n", "'ten'"),
    ("GET", "/nowhere", 404, "invalid_request_error", "unknown_url", None, "GET /nowhere"),
    ("DELETE", "/model", 405, "invalid_request_error", "method_not_allowed", None, "DELETE"),
]


@pytest.mark.parametrize(("method", "path", "status", "type", "code", "param", "message"), CASES)
def test_each_error_in_openais_shape(
    client: TestClient,
    method: str,
    path: str,
    status: int,
    type: str,
    code: str | None,
    param: str | None,
    message: str,
) -> None:
    response = client.request(method, path)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    assert response.headers["vary"] == VARY
    error = response.json()["error"]
    assert set(response.json()) == {"error"}
    assert (error["type"], error["code"], error["param"]) == (type, code, param)
    assert message in error["message"]


# Anthropic's error type for each status (docs.claude.com, "Errors").
ANTHROPIC_TYPES = {
    400: "invalid_request_error",
    403: "permission_error",
    404: "not_found_error",
    405: "invalid_request_error",
    500: "api_error",
    503: "overloaded_error",
}


@pytest.mark.parametrize(("method", "path", "status", "type", "code", "param", "message"), CASES)
def test_each_error_in_anthropics_shape_with_the_request_id(
    client: TestClient,
    method: str,
    path: str,
    status: int,
    type: str,
    code: str | None,
    param: str | None,
    message: str,
) -> None:
    response = client.request(method, path, headers=ANTHROPIC)
    assert response.status_code == status
    body: dict[str, Any] = response.json()
    assert set(body) == {"type", "error", "request_id"}
    assert body["type"] == "error"
    assert body["error"]["type"] == ANTHROPIC_TYPES[status]
    assert message in body["error"]["message"]
    assert body["request_id"] == response.headers["request-id"] == response.headers["x-request-id"]


def test_an_error_keeps_the_headers_it_carries(client: TestClient) -> None:
    assert client.get("/refused").headers["x-why"] == "1"
    assert client.get("/keys").headers["retry-after"] == str(RETRY_AFTER_SECONDS)
    # HEAD is answered wherever GET is (the middleware), so the Allow header names it too.
    assert client.delete("/model").headers["allow"] == "GET, HEAD"


def test_a_rejected_value_is_quoted_bounded(client: TestClient) -> None:
    huge = "9x" * 5000
    message = client.get(f"/number?n={huge}").json()["error"]["message"]
    assert "'" + huge[:VALUE_LIMIT] + "...'" in message
    assert len(message) < VALUE_LIMIT + 200


def test_a_crash_is_logged_with_its_traceback_and_never_shown(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="handler.errors"):
        response = client.get("/crash")
    assert "boom" not in response.text
    (record,) = [r for r in caplog.records if r.name == "handler.errors"]
    assert "GET /crash" in record.getMessage()
    assert response.headers["x-request-id"] in record.getMessage()
    assert record.exc_info is not None
    assert isinstance(record.exc_info[1], ZeroDivisionError)


def test_a_key_store_outage_is_logged_as_a_warning(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="handler.errors"):
        client.get("/keys")
    assert [r.levelname for r in caplog.records if r.name == "handler.errors"] == ["WARNING"]
    assert "the keys table timed out" in caplog.text


def test_fastapis_own_error_body_never_reaches_a_client(client: TestClient) -> None:
    for response in (client.get("/number"), client.get("/nowhere"), client.post("/number")):
        assert "detail" not in response.json()
        assert response.status_code in (400, 404, 405)

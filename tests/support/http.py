"""Calling the API in tests: an app with the services a test chose, and error-shape checks."""

from __future__ import annotations

import base64
import gzip
from collections.abc import Mapping
from typing import Any, Protocol

from fastapi.testclient import TestClient

from awsclients import AwsClients

# One stand-in for the Lambda context, shared with the benchmarks (re-exported).
from bench.support import LambdaContext as LambdaContext
from handler.app import create_app
from handler.compose import build_api
from handler.deps import Services
from handler.settings import Settings

# The key tests authenticate with; `Settings(dev_api_key=DEV_KEY)` makes the API accept it.
DEV_KEY = "ar-dev-test-key-0123456789"
ERROR_KEYS = {"message", "type", "param", "code"}


def api_client(
    settings: Settings | None = None,
    *,
    services: Services | None = None,
    aws: AwsClients | None = None,
    key: str | None = DEV_KEY,
) -> TestClient:
    """A TestClient of an app built from `services`, else from `settings` (default: the dev key,
    bundled catalog). It sends `key` as a Bearer token (None: no key), and answers a server
    error with the 500 response instead of raising it."""
    if services is None:
        services = build_api(settings or Settings(dev_api_key=DEV_KEY), aws=aws)
    headers = {"Authorization": f"Bearer {key}"} if key is not None else {}
    return TestClient(create_app(services), headers=headers, raise_server_exceptions=False)


class Response(Protocol):
    """What the error checks read of a response: TestClient's (httpx2) and httpx's both fit."""

    @property
    def status_code(self) -> int: ...

    @property
    def text(self) -> str: ...

    def json(self, **kwargs: Any) -> Any: ...


def assert_openai_error(response: Response, status: int, **expected: Any) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert "detail" not in response.json()
    error: dict[str, Any] = response.json()["error"]
    assert set(error) == ERROR_KEYS
    for name, value in expected.items():
        assert error[name] == value, error
    return error


class HeadedResponse(Response, Protocol):
    """A response whose headers the Anthropic error check reads as well."""

    @property
    def headers(self) -> Mapping[str, str]: ...


ANTHROPIC_ERROR_KEYS = {"type", "error", "request_id"}


def assert_anthropic_error(response: HeadedResponse, status: int, type: str) -> dict[str, Any]:
    """Anthropic's error shape exactly (`{"type": "error", "error": {"type", "message"},
    "request_id"}`), with the request id of the body in both `request-id` and `x-request-id`.
    Returns the `error` object."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == ANTHROPIC_ERROR_KEYS, body
    assert body["type"] == "error"
    error: dict[str, Any] = body["error"]
    assert set(error) == {"type", "message"}, error
    assert error["type"] == type, error
    assert isinstance(error["message"], str)
    assert error["message"]
    request_id = body["request_id"]
    assert isinstance(request_id, str)
    assert request_id
    assert response.headers["request-id"] == request_id
    assert response.headers["x-request-id"] == request_id
    return error


def lambda_headers(response: dict[str, Any]) -> dict[str, str]:
    """A Lambda proxy response's headers, names in lower case."""
    return {k.lower(): v for k, v in (response.get("headers") or {}).items()}


def lambda_body(response: dict[str, Any]) -> bytes:
    """A Lambda proxy response's body as the client receives it: API Gateway decodes base64,
    the client gunzips."""
    raw: str = response["body"]
    body = base64.b64decode(raw) if response["isBase64Encoded"] else raw.encode()
    if lambda_headers(response).get("content-encoding") == "gzip":
        body = gzip.decompress(body)
    return body

"""Claude Code's gateway model discovery, replayed as it sends it, against the app served by
uvicorn on loopback.

With ANTHROPIC_BASE_URL set to a gateway, Claude Code asks `GET /v1/models?limit=1000` (no
redirect followed, a short timeout), keeps the ids that contain "claude" or "anthropic" for its
model picker, and on any failure keeps the list it cached before. It also probes the base URL
with `HEAD /`, best effort.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.support.factories import model_doc
from tests.support.http import DEV_KEY
from tests.support.server import served
from tests.support.services import make_services, memory_catalog

NOV_27_2026 = 1795737600.0
CLAUDE_CODE = {
    "anthropic-version": "2023-06-01",
    "User-Agent": "claude-cli/2.1.131 (external, cli)",
    "x-app": "cli",
}
# How the key travels: ANTHROPIC_AUTH_TOKEN, ANTHROPIC_API_KEY, or both set to the same key.
AUTH = {
    "ANTHROPIC_AUTH_TOKEN": {"Authorization": f"Bearer {DEV_KEY}"},
    "ANTHROPIC_API_KEY": {"x-api-key": DEV_KEY},
    "both": {"Authorization": f"Bearer {DEV_KEY}", "x-api-key": DEV_KEY},
}
CATALOG = [
    model_doc("gpt-6-luna", created=1770000000),
    model_doc("claude-opus-4-8", created=1780000000, owned_by="anthropic", line="opus"),
    model_doc("claude-sonnet-4-6", created=1775000000, owned_by="anthropic", line="sonnet"),
    model_doc("gemini-3-pro", created=1765000000, owned_by="google"),
    model_doc("claude-haiku-4-5-20251001", created=1760000000, owned_by="anthropic"),
    model_doc("anthropic/claude-via-router", created=1758000000, owned_by="anthropic"),
    model_doc(
        "claude-2.1",
        created=1700000000,
        owned_by="anthropic",
        lifecycle={"deprecated_at": "2024-07-21", "shutdown_at": "2025-07-21"},
    ),
]
# What the picker gets: the active claude models, newest first (the retired one is not listed).
PICKER = [
    "claude-opus-4-8",
    "claude-sonnet-4-6",
    "claude-haiku-4-5-20251001",
    "anthropic/claude-via-router",
]


@pytest.fixture
def root() -> Iterator[str]:
    services = make_services(memory_catalog(CATALOG), wall_clock=lambda: NOV_27_2026)
    with served(services, path="") as url:
        yield url


def claude_code_request(
    root: str, method: str = "GET", path: str = "/v1/models?limit=1000", **headers: str
) -> httpx.Response:
    """One request as Claude Code's discovery sends it: no redirect followed, 3 s timeout."""
    with httpx.Client(follow_redirects=False, timeout=3.0) as client:
        return client.request(method, root + path, headers={**CLAUDE_CODE, **headers})


def picker_ids(page: dict[str, Any]) -> list[str]:
    """Claude Code's filter of a discovered list."""
    ids = [str(model["id"]) for model in page["data"]]
    return [model_id for model_id in ids if "claude" in model_id or "anthropic" in model_id]


@pytest.mark.parametrize("auth", AUTH)
def test_discovery_gets_the_active_claude_models_for_the_picker(root: str, auth: str) -> None:
    response = claude_code_request(root, **AUTH[auth])
    assert response.status_code == 200, response.text
    assert not response.is_redirect
    assert response.headers["content-type"] == "application/json"
    assert response.headers["request-id"] == response.headers["x-request-id"]
    page = response.json()
    assert set(page) == {"data", "has_more", "first_id", "last_id"}
    assert (page["has_more"], page["first_id"], page["last_id"]) == (
        False,
        "claude-opus-4-8",
        "anthropic/claude-via-router",
    )
    assert all(model["type"] == "model" for model in page["data"])
    assert all(model["lifecycle"] == "active" for model in page["data"])
    assert picker_ids(page) == PICKER


def test_discovery_without_a_key_is_a_401_in_anthropics_shape(root: str) -> None:
    """Claude Code keeps its cached list on a failure: it must be a clean one, not a redirect."""
    response = claude_code_request(root)
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {
        "type": "error",
        "error": {"type": "authentication_error", "message": response.json()["error"]["message"]},
        "request_id": response.headers["request-id"],
    }
    assert "API key" in response.json()["error"]["message"]


def test_discovery_with_a_wrong_key_is_a_401(root: str) -> None:
    response = claude_code_request(root, **{"x-api-key": "ar-not-a-real-key"})
    assert response.status_code == 401
    assert response.json()["error"]["type"] == "authentication_error"


@pytest.mark.parametrize("dialect", [CLAUDE_CODE, {}], ids=["claude-code", "no-headers"])
def test_the_head_probe_of_the_root_is_a_clean_404(root: str, dialect: dict[str, str]) -> None:
    with httpx.Client(follow_redirects=False, timeout=3.0) as client:
        response = client.head(root + "/", headers=dialect)
        get = client.get(root + "/", headers=dialect)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    assert "location" not in response.headers
    assert response.content == b""
    # The same answer as GET, whose JSON body says what was not found.
    assert get.status_code == 404
    assert int(response.headers["content-length"]) == len(get.content)
    body = get.json()
    error = body["error"]
    assert ("type" in body) == bool(dialect)  # Anthropic's shape with anthropic-version
    assert "Invalid URL (GET /)" in error["message"]


def test_discovery_on_the_bundled_catalog_finds_the_current_claude_models() -> None:
    """Claude Code's request replayed against the bundled catalog, today: its picker gets the
    current Claude models, newest first, and none the provider has shut down."""
    with served(make_services(), path="") as root:
        response = claude_code_request(root, **AUTH["ANTHROPIC_API_KEY"])
    assert response.status_code == 200, response.text
    assert picker_ids(response.json()) == [
        "claude-fable-5-2",
        "claude-haiku-5-5",
        "claude-sonnet-5-5",
        "claude-opus-5-5",
        "claude-haiku-4-5-20251001",
    ]
    assert {model["lifecycle"] for model in response.json()["data"]} <= {"active", "deprecated"}

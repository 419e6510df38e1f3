"""devtools/fake_providers.py, read on the wire with a plain HTTP client: each fake answers its
provider's path, auth header, paging and error bodies as the module documents them, injected
faults come first, the servers listen on 127.0.0.1 and are gone once `serving` returns, and
the demo's fakes agree with the catalog they are made of.

How our audit's clients read these answers is tested in tests/audit/.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from audit import ProviderSetup, run_audit
from audit.providers import build_providers
from catalog.bundled import bundled_models
from catalog.lifecycle import status_at
from devtools.fake_providers import (
    DEMO_KEYS,
    FakeAnthropic,
    FakeGemini,
    FakeOpenAI,
    Fault,
    Served,
    anthropic_model,
    demo_environment,
    fakes_of,
    gemini_model,
    openai_model,
    serving,
)
from handler.settings import AuditSettings
from tests.support.audit import NOW

KEY = "sk-test-fake-providers"
ANTHROPIC_HEADERS = {"x-api-key": KEY, "anthropic-version": "2023-06-01"}


@pytest.fixture
def served() -> Iterator[dict[str, Served]]:
    fakes = [
        FakeOpenAI([openai_model(f"gpt-{i}") for i in range(3)], key=KEY, page_size=2),
        FakeAnthropic(
            [
                anthropic_model("claude-a"),
                anthropic_model("claude-b", lifecycle="deprecated"),
                anthropic_model("claude-c"),
                anthropic_model("claude-old", lifecycle="retired"),
            ],
            key=KEY,
            page_size=2,
        ),
        FakeGemini([gemini_model(f"gemini-{i}") for i in range(3)], key=KEY, page_size=2),
    ]
    with serving(*fakes) as running:
        yield running


def get(served: Served, path: str, headers: dict[str, str], **params: Any) -> httpx.Response:
    return httpx.get(served.root + path, headers=headers, params=params, timeout=10)


def test_each_fake_listens_on_loopback_and_is_gone_after_serving() -> None:
    with serving(FakeOpenAI([], key=KEY)) as running:
        root = running["openai"].root
        assert root.startswith("http://127.0.0.1:")
        assert running["openai"].base_url == root + "/v1"
        assert get(running["openai"], "/v1/models", {"authorization": f"Bearer {KEY}"}).is_success
    with pytest.raises(httpx.ConnectError):
        httpx.get(root + "/v1/models", timeout=2)


def test_openai_lists_every_model_in_one_page_for_its_bearer_key(
    served: dict[str, Served],
) -> None:
    openai = served["openai"]
    body = get(openai, "/v1/models", {"authorization": f"Bearer {KEY}"}).json()
    assert body["object"] == "list"
    assert [m["id"] for m in body["data"]] == ["gpt-0", "gpt-1", "gpt-2"]  # no paging

    wrong = get(openai, "/v1/models", {"authorization": "Bearer sk-wrong"})
    assert wrong.status_code == 401
    error = wrong.json()["error"]
    assert (error["type"], error["code"]) == ("invalid_request_error", "invalid_api_key")
    assert "sk-wrong" in error["message"]  # quoted whole, so our redaction can be tested


def test_anthropic_pages_by_after_id_and_filters_by_lifecycle(served: dict[str, Served]) -> None:
    anthropic = served["anthropic"]
    first = get(anthropic, "/v1/models", ANTHROPIC_HEADERS, limit=20).json()
    assert [m["id"] for m in first["data"]] == ["claude-a", "claude-b"]  # page_size caps limit
    assert (first["has_more"], first["first_id"], first["last_id"]) == (
        True,
        "claude-a",
        "claude-b",
    )
    second = get(anthropic, "/v1/models", ANTHROPIC_HEADERS, after_id=first["last_id"]).json()
    assert [m["id"] for m in second["data"]] == ["claude-c"]  # retired: not asked for
    assert second["has_more"] is False

    retired = get(anthropic, "/v1/models", ANTHROPIC_HEADERS, lifecycle="retired").json()
    assert [m["id"] for m in retired["data"]] == ["claude-old"]


@pytest.mark.parametrize(
    "headers",
    [{"x-api-key": "sk-wrong", "anthropic-version": "2023-06-01"}, {"x-api-key": KEY}],
    ids=["wrong key", "no version"],
)
def test_anthropic_refuses_a_wrong_key_or_a_missing_version(
    served: dict[str, Served], headers: dict[str, str]
) -> None:
    refused = get(served["anthropic"], "/v1/models", headers)
    assert refused.status_code == 401
    assert refused.json()["type"] == "error"
    assert refused.json()["error"]["type"] == "authentication_error"


def test_gemini_pages_by_page_token_and_refuses_a_wrong_key_with_400(
    served: dict[str, Served],
) -> None:
    gemini, headers = served["gemini"], {"x-goog-api-key": KEY}
    first = get(gemini, "/v1beta/models", headers, pageSize=50).json()
    assert [m["name"] for m in first["models"]] == ["models/gemini-0", "models/gemini-1"]
    second = get(gemini, "/v1beta/models", headers, pageToken=first["nextPageToken"]).json()
    assert [m["name"] for m in second["models"]] == ["models/gemini-2"]
    assert "nextPageToken" not in second

    wrong = get(gemini, "/v1beta/models", {"x-goog-api-key": "wrong"})
    assert wrong.status_code == 400
    [detail] = wrong.json()["error"]["details"]
    assert detail["reason"] == "API_KEY_INVALID"


def test_a_queued_fault_answers_first_then_the_page_and_an_unknown_path_is_404(
    served: dict[str, Served],
) -> None:
    openai = served["openai"]
    openai.provider.fail(Fault(status=429, retry_after="3", times=2))
    auth = {"authorization": f"Bearer {KEY}"}

    for _ in range(2):
        limited = get(openai, "/v1/models", auth)
        assert (limited.status_code, limited.headers["retry-after"]) == (429, "3")
        assert limited.json()["error"]["code"] == "rate_limit_exceeded"
    assert get(openai, "/v1/models", auth).is_success
    assert get(openai, "/v1/other", auth).status_code == 404
    assert [r.path for r in openai.provider.requests] == ["/v1/models"] * 3 + ["/v1/other"]


def test_the_demo_fakes_list_the_catalog_s_served_models_and_an_audit_finds_no_drift() -> None:
    models = bundled_models()
    with serving(*fakes_of(models, now=NOW)) as running:
        listed = {name: served.provider.models for name, served in running.items()}
        settings = AuditSettings.from_environ(demo_environment(running))
        providers = build_providers(dict(settings.base_urls))
        report = run_audit(
            [ProviderSetup(p, settings.api_keys[p.name]) for p in providers],
            models,
            catalog_origin="bundled",
            now=NOW,
        )

    assert settings.api_keys == DEMO_KEYS
    assert all(listed.values())
    ids = {m.get("id") or m["name"].removeprefix("models/") for ms in listed.values() for m in ms}
    retired = {m.id for m in models if status_at(m, NOW) == "retired"}
    assert retired
    assert ids.isdisjoint(retired)
    assert [(o.provider, o.status) for o in report.providers] == [
        ("openai", "ok"),
        ("anthropic", "ok"),
        ("gemini", "ok"),
    ]
    assert report.drift == []

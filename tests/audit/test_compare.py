"""Every drift kind, found against the fake providers' lists; and no drift when they agree."""

from __future__ import annotations

from typing import Any

import pytest

from audit.report import EXIT_DRIFT, EXIT_NO_DRIFT
from tests.audit.conftest import Auditor, agreeing_fakes
from tests.support.fake_providers import (
    FakeProvider,
    anthropic_model,
    gemini_model,
    openai_model,
)


def entries(report: Any) -> list[tuple[str, str, str, str, Any, Any]]:
    return [(e.provider, e.model, e.kind, e.field, e.ours, e.theirs) for e in report.drift]


def test_lists_that_agree_with_the_catalog_are_no_drift(auditor: Auditor) -> None:
    report = auditor()
    assert [(o.provider, o.status) for o in report.providers] == [
        ("openai", "ok"),
        ("anthropic", "ok"),
        ("gemini", "ok"),
    ]
    assert report.drift == []
    assert report.exit_code() == EXIT_NO_DRIFT
    assert [o.upstream_models for o in report.providers] == [4, 2, 3]


def drifting_fakes() -> list[FakeProvider]:
    openai, anthropic, gemini = agreeing_fakes()
    openai.models = [
        openai_model("gpt-4o", shutdown_date="2027-02-01"),  # lifecycle: a later shutdown
        # gpt-5 (and its alias) gone: missing_upstream
        openai_model("gpt-6-luna"),  # new_upstream
        openai_model("o4-mini"),  # new_upstream: o<digit>*
        openai_model("dall-e-3"),  # filtered out
    ]
    anthropic.models = [
        anthropic_model(
            "claude-opus-5-5",
            lifecycle="deprecated",
            deprecated_at="2026-11-20T00:00:00Z",
            retires_at="2027-05-20T00:00:00Z",
            max_input_tokens=1000000,
            max_tokens=128000,
        ),
        anthropic_model("claude-sonnet-5-5"),  # new_upstream
        # claude-3-haiku (retired for us) gone: no drift
    ]
    gemini.models = [
        gemini_model("gemini-2.5-flash", input_tokens=1048576, output_tokens=65535),
        gemini_model("gemini-3-pro"),
        gemini_model("gemini-embedding-001", methods=["embedContent"]),
    ]
    return [openai, anthropic, gemini]


@pytest.mark.parametrize("fakes", [drifting_fakes()], ids=["drifting"])
def test_every_kind_of_drift_is_named_with_our_value_and_theirs(auditor: Auditor) -> None:
    report = auditor()
    assert entries(report) == [
        ("openai", "gpt-6-luna", "new_upstream", "id", None, "gpt-6-luna"),
        ("openai", "o4-mini", "new_upstream", "id", None, "o4-mini"),
        ("openai", "gpt-4o", "lifecycle", "lifecycle.shutdown_at", "2027-01-14", "2027-02-01"),
        ("openai", "gpt-5", "missing_upstream", "id", "gpt-5", None),
        ("anthropic", "claude-sonnet-5-5", "new_upstream", "id", None, "claude-sonnet-5-5"),
        ("anthropic", "claude-opus-5-5", "lifecycle", "lifecycle.status", "active", "deprecated"),
        (
            "anthropic",
            "claude-opus-5-5",
            "lifecycle",
            "lifecycle.deprecated_at",
            None,
            "2026-11-20",
        ),
        ("anthropic", "claude-opus-5-5", "lifecycle", "lifecycle.shutdown_at", None, "2027-05-20"),
        ("anthropic", "claude-opus-5-5", "limits", "context_length", 200000, 1000000),
        ("anthropic", "claude-opus-5-5", "limits", "max_output_tokens", 64000, 128000),
        ("gemini", "gemini-3-pro", "new_upstream", "id", None, "gemini-3-pro"),
        ("gemini", "gemini-2.5-flash", "limits", "max_output_tokens", 65536, 65535),
    ]
    assert report.exit_code() == EXIT_DRIFT
    assert report.counts() == {
        "missing_upstream": 1,
        "new_upstream": 4,
        "lifecycle": 4,
        "limits": 3,
    }


def test_anthropic_is_asked_for_every_lifecycle_and_paged_to_the_end(auditor: Auditor) -> None:
    anthropic = auditor.fake("anthropic")
    anthropic.models = [anthropic_model(f"claude-extra-{i}") for i in range(5)] + anthropic.models
    anthropic.page_size = 2
    report = auditor()
    assert report.providers[1].upstream_models == 7
    assert report.providers[1].requests == 4  # 7 models, 2 a page
    first, second = anthropic.requests[0], anthropic.requests[1]
    assert first.query["lifecycle"] == ["active", "deprecated", "retired"]
    assert "after_id" not in first.query
    assert second.query["after_id"] == ["claude-extra-1"]
    # The retired haiku is listed only because `retired` was asked for: it is found, no drift.
    assert [e.model for e in report.drift] == [f"claude-extra-{i}" for i in range(5)]


def test_gemini_is_paged_by_token_and_its_names_lose_the_models_prefix(auditor: Auditor) -> None:
    gemini = auditor.fake("gemini")
    gemini.page_size = 1
    report = auditor()
    assert report.providers[2].status == "ok"
    assert [r.query.get("pageToken") for r in gemini.requests] == [None, ["1"], ["2"]]
    assert all(r.headers["x-goog-api-key"] == auditor.keys["gemini"] for r in gemini.requests)
    assert all("key" not in r.query for r in gemini.requests)  # never in the URL
    assert report.drift == []


def test_a_model_of_another_provider_is_never_judged_by_this_one(auditor: Auditor) -> None:
    auditor.fake("openai").models.append(openai_model("claude-opus-5-5"))
    report = auditor()
    assert report.drift == []


def test_the_include_filter_is_configurable(auditor: Auditor) -> None:
    from audit import AuditRun, ProviderSetup, run_audit
    from audit.providers.openai import OpenAIProvider
    from tests.audit.conftest import NOW, catalog

    provider = OpenAIProvider(auditor.served["openai"].base_url, include=["dall-e-*"])
    report = run_audit(
        [ProviderSetup(provider, auditor.keys["openai"])],
        catalog(),
        catalog_origin="test",
        now=NOW,
        run=AuditRun(sleep=auditor.pauses.append),
    )
    assert entries(report) == [("openai", "dall-e-3", "new_upstream", "id", None, "dall-e-3")]


def test_a_provider_without_a_key_is_skipped_and_says_so(auditor: Auditor) -> None:
    auditor.keys["gemini"] = None
    report = auditor()
    assert (report.providers[2].status, report.providers[2].reason) == ("skipped", "no API key")
    assert auditor.fake("gemini").requests == []
    assert report.exit_code() == EXIT_NO_DRIFT

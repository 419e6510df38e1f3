"""audit/compare.py: every drift kind, found against the fake providers' lists; no drift when
they agree; and `compare` itself on lists given in memory."""

from __future__ import annotations

from typing import Any

import pytest

from audit import AuditRun, ProviderSetup, run_audit
from audit.compare import compare
from audit.providers.anthropic import AnthropicProvider
from audit.providers.base import Provider, UpstreamModel
from audit.providers.gemini import GeminiProvider
from audit.providers.openai import OpenAIProvider
from audit.report import EXIT_DRIFT, EXIT_NO_DRIFT, Value
from catalog.schema import Model
from tests.support.audit import NOW, Auditor, agreeing_fakes, catalog, entries
from tests.support.factories import model_doc
from tests.support.fake_providers import (
    FakeProvider,
    anthropic_model,
    gemini_model,
    openai_model,
)


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


def test_a_model_of_another_provider_is_never_judged_by_this_one(auditor: Auditor) -> None:
    auditor.fake("openai").models.append(openai_model("claude-opus-5-5"))
    report = auditor()
    assert report.drift == []


def test_the_include_filter_is_configurable(auditor: Auditor) -> None:
    provider = OpenAIProvider(auditor.served["openai"].base_url, include=["dall-e-*"])
    report = run_audit(
        [ProviderSetup(provider, auditor.keys["openai"])],
        catalog(),
        catalog_origin="test",
        now=NOW,
        run=AuditRun(sleep=auditor.pauses.append),
    )
    assert entries(report) == [("openai", "dall-e-3", "new_upstream", "id", None, "dall-e-3")]


# --- compare on lists in memory -----------------------------------------------------------------


def drift_of(
    provider: Provider, upstream: list[UpstreamModel], *docs: dict[str, Any]
) -> list[tuple[str, str, str, Value, Value]]:
    """`compare` of our models `docs` with `upstream` at NOW, each entry without its provider."""
    models = [Model.model_validate(doc) for doc in docs]
    return [
        (e.model, e.kind, e.field, e.ours, e.theirs)
        for e in compare(provider, upstream, models, now=NOW)
    ]


def test_a_value_the_provider_leaves_null_is_never_drift() -> None:
    ours = model_doc(
        "claude-x",
        owned_by="anthropic",
        context_length=200000,
        max_output_tokens=64000,
        lifecycle={"deprecated_at": "2026-10-01", "shutdown_at": "2027-04-01"},
    )
    unsaid = UpstreamModel("claude-x")  # every value None: "not stated"
    assert drift_of(AnthropicProvider(), [unsaid], ours) == []
    stated = UpstreamModel("claude-x", shutdown_at="2027-05-01", context_length=1000000)
    assert drift_of(AnthropicProvider(), [stated], ours) == [
        ("claude-x", "lifecycle", "lifecycle.shutdown_at", "2027-04-01", "2027-05-01"),
        ("claude-x", "limits", "context_length", 200000, 1000000),
    ]


def test_the_status_compared_is_ours_at_now_derived_from_our_dates() -> None:
    # Deprecated at NOW (2026-12-01) by our dates though no status is written in the document.
    ours = model_doc(
        "gpt-old", lifecycle={"deprecated_at": "2026-11-01", "shutdown_at": "2027-06-01"}
    )
    assert drift_of(OpenAIProvider(), [UpstreamModel("gpt-old", status="deprecated")], ours) == []
    assert drift_of(OpenAIProvider(), [UpstreamModel("gpt-old", status="active")], ours) == [
        ("gpt-old", "lifecycle", "lifecycle.status", "deprecated", "active")
    ]


def test_only_a_retired_model_may_be_gone_upstream_without_drift() -> None:
    retired = model_doc("gpt-gone", lifecycle={"shutdown_at": "2026-11-30"})
    retiring = model_doc("gpt-going", lifecycle={"shutdown_at": "2026-12-02"})
    assert drift_of(OpenAIProvider(), [], retired, retiring) == [
        ("gpt-going", "missing_upstream", "id", "gpt-going", None)
    ]


def test_an_alias_listed_upstream_is_our_model_and_the_first_entry_is_the_one_compared() -> None:
    ours = model_doc("gpt-y", aliases=["gpt-y-latest"], lifecycle={"shutdown_at": "2027-03-01"})
    upstream = [
        UpstreamModel("gpt-y-latest", shutdown_at="2027-02-01"),
        UpstreamModel("gpt-y", shutdown_at="2027-03-01"),
    ]
    assert drift_of(OpenAIProvider(), upstream, ours) == [
        ("gpt-y", "lifecycle", "lifecycle.shutdown_at", "2027-03-01", "2027-02-01")
    ]


def test_new_upstream_is_only_what_the_provider_deems_a_candidate() -> None:
    upstream = [
        UpstreamModel("gemini-9-pro"),
        UpstreamModel("gemini-9-embedding", generates=False),  # embeddings only
        UpstreamModel("imagen-9"),  # not `gemini-*`
    ]
    assert drift_of(GeminiProvider(), upstream) == [
        ("gemini-9-pro", "new_upstream", "id", None, "gemini-9-pro")
    ]
    assert drift_of(GeminiProvider(include=["imagen-*"]), upstream) == [
        ("imagen-9", "new_upstream", "id", None, "imagen-9")
    ]


def test_our_models_of_other_providers_are_neither_missing_nor_compared() -> None:
    theirs = model_doc("claude-z", owned_by="anthropic", context_length=200000)
    listed = [UpstreamModel("claude-z", context_length=1)]
    assert drift_of(OpenAIProvider(), [], theirs) == []
    assert drift_of(OpenAIProvider(), listed, theirs) == []

"""audit/core.py: each provider in turn within its own budget, then the compare. A provider
without a key is skipped, one that cannot be read is failed with no drift, and neither stops
the others; the report says which catalog was audited, and when."""

from __future__ import annotations

import pytest

from audit import AuditRun, ProviderSetup, run_audit
from audit.core import USER_AGENT
from audit.providers import build_providers
from audit.report import EXIT_NO_DRIFT
from tests.support.audit import NOW, Auditor, catalog, only_failed
from tests.support.fake_providers import Fault, anthropic_model


def test_a_provider_without_a_key_is_skipped_and_says_so(auditor: Auditor) -> None:
    auditor.keys["gemini"] = None
    report = auditor()
    assert (report.providers[2].status, report.providers[2].reason) == ("skipped", "no API key")
    assert auditor.fake("gemini").requests == []
    assert report.exit_code() == EXIT_NO_DRIFT


def test_a_failed_provider_reports_no_missing_model_even_if_it_listed_some(
    auditor: Auditor,
) -> None:
    """Page 1 read, page 2 refused: the half-read list is never compared."""
    fake = auditor.fake("anthropic")
    fake.models = [anthropic_model(f"claude-extra-{i}") for i in range(3)]
    fake.page_size = 1
    fake.fail(Fault(), Fault(status=403))  # the first answers normally
    fake.faults[0].status = None
    only_failed(auditor(), "anthropic")


def test_a_bug_in_one_provider_module_never_stops_the_others(
    auditor: Auditor, monkeypatch: pytest.MonkeyPatch
) -> None:
    from audit.providers.gemini import GeminiProvider

    def broken(*_: object) -> list[object]:
        raise KeyError("models")

    monkeypatch.setattr(GeminiProvider, "list_models", broken)
    assert only_failed(auditor(), "gemini") == "internal error reading the list (KeyError)"


def test_the_report_names_the_catalog_the_instant_and_our_models_per_provider(
    auditor: Auditor,
) -> None:
    auditor.keys["anthropic"] = None
    models = catalog()
    providers = build_providers({name: s.base_url for name, s in auditor.served.items()})
    report = run_audit(
        [ProviderSetup(p, auditor.keys[p.name]) for p in providers],
        models,
        catalog_origin="s3://bucket/models.json",
        catalog_version=41,
        now=NOW + 90,
        run=AuditRun(sleep=auditor.pauses.append),
    )
    assert (report.catalog, report.catalog_version, report.catalog_models) == (
        "s3://bucket/models.json",
        41,
        len(models),
    )
    assert report.started_at == "2026-12-01T00:01:30Z"
    ours = {
        owner: sum(1 for m in models if m.owned_by == owner)
        for owner in ("openai", "anthropic", "google")
    }
    assert [(o.provider, o.compared_models) for o in report.providers] == [
        ("openai", ours["openai"]),
        ("anthropic", ours["anthropic"]),  # counted though skipped
        ("gemini", ours["google"]),
    ]
    assert [o.requests for o in report.providers] == [
        len(auditor.fake(name).requests) for name in ("openai", "anthropic", "gemini")
    ]
    assert report.providers[1].requests == 0


def test_each_request_says_who_asks_and_what_it_accepts(auditor: Auditor) -> None:
    auditor()
    for name in ("openai", "anthropic", "gemini"):
        for request in auditor.fake(name).requests:
            assert request.headers["user-agent"] == USER_AGENT
            assert request.headers["accept"] == "application/json"


@pytest.mark.parametrize("timeout", [0, -1.0, float("nan")])
def test_a_budget_that_is_not_positive_is_refused(timeout: float) -> None:
    with pytest.raises(ValueError, match="timeout must be > 0 seconds"):
        run_audit([], catalog(), catalog_origin="x", now=NOW, run=AuditRun(timeout=timeout))


def test_a_key_is_never_in_the_repr_of_a_setup() -> None:
    (provider,) = build_providers({"openai": None})
    setup = ProviderSetup(provider, "sk-secret-in-repr-check")
    assert "sk-secret-in-repr-check" not in repr(setup)
    assert setup.key == "sk-secret-in-repr-check"

"""handler/audit_metrics.py: the audit's EMF lines, as CloudWatch reads them and template.yaml's
alarms watch them (names, dimensions, values; tests/test_template_audit.py checks the alarms)."""

from __future__ import annotations

import json
from typing import Any

from audit.report import AuditReport, DriftEntry, ProviderOutcome
from handler.audit_metrics import audit_metric_lines

FUNCTION = "assistantrouter-AuditFunction"
STARTED = "2026-12-01T00:00:00Z"
STARTED_MS = 1796083200000  # STARTED in epoch milliseconds


def drift(provider: str, model: str) -> DriftEntry:
    return DriftEntry(provider, model, "new_upstream", "id", None, model)


REPORT = AuditReport(
    started_at=STARTED,
    catalog="catalog version 3 (models)",
    catalog_version=3,
    catalog_models=6,
    providers=(
        ProviderOutcome("openai", "ok", drift=(drift("openai", "a"), drift("openai", "b"))),
        ProviderOutcome("anthropic", "failed", reason="HTTP 403"),
        ProviderOutcome("gemini", "skipped", reason="no key"),
        ProviderOutcome("mistral", "ok"),
    ),
)


def lines_of(report: AuditReport) -> list[dict[str, Any]]:
    lines = audit_metric_lines(report, FUNCTION)
    assert all(line.endswith("\n") and line.count("\n") == 1 for line in lines)
    return [json.loads(line) for line in lines]


def test_one_line_per_provider_read_or_failed_then_the_total() -> None:
    lines = lines_of(REPORT)

    assert [line.get("Provider") for line in lines] == ["openai", "anthropic", "mistral", None]
    values = [(line.get("ModelsDrifted"), line.get("ProviderAuditFailed")) for line in lines]
    assert values == [(2, 0), (0, 1), (0, 0), (2, None)]


def test_each_line_is_an_emf_directive_with_its_dimensions() -> None:
    *per_provider, total = lines_of(REPORT)

    for line in per_provider:
        [directive] = line["_aws"]["CloudWatchMetrics"]
        assert line["_aws"]["Timestamp"] == STARTED_MS
        assert directive["Namespace"] == "AssistantRouter/Models"
        assert directive["Dimensions"] == [["FunctionName", "Provider"]]
        assert directive["Metrics"] == [
            {"Name": "ModelsDrifted", "Unit": "Count"},
            {"Name": "ProviderAuditFailed", "Unit": "Count"},
        ]
        assert line["FunctionName"] == FUNCTION
    [directive] = total["_aws"]["CloudWatchMetrics"]
    assert total["_aws"]["Timestamp"] == STARTED_MS
    assert directive["Dimensions"] == [["FunctionName"]]
    assert directive["Metrics"] == [{"Name": "ModelsDrifted", "Unit": "Count"}]
    assert total["FunctionName"] == FUNCTION
    assert "Provider" not in total


def test_a_run_with_every_provider_skipped_still_reports_a_zero_total() -> None:
    report = AuditReport(STARTED, "bundled", None, 6, (ProviderOutcome("openai", "skipped"),))

    [total] = lines_of(report)

    assert total["ModelsDrifted"] == 0
    assert total["_aws"]["CloudWatchMetrics"][0]["Dimensions"] == [["FunctionName"]]

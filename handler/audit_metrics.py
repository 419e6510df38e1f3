"""The audit's metrics, as EMF lines (see handler/metrics.py): per provider `ModelsDrifted` and
`ProviderAuditFailed` (dimensions FunctionName, Provider), and the run's total `ModelsDrifted`
(dimension FunctionName). template.yaml's audit alarms watch exactly these.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from catalog.json_text import json_line
from handler.metrics import DIMENSION, NAMESPACE

if TYPE_CHECKING:
    from audit import AuditReport

MODELS_DRIFTED = "ModelsDrifted"
PROVIDER_AUDIT_FAILED = "ProviderAuditFailed"
PROVIDER_DIMENSION = "Provider"


def audit_metric_lines(report: AuditReport, function_name: str) -> list[str]:
    """One line per provider read or failed (a skipped one has no datapoint), then the total."""
    timestamp = int(datetime.fromisoformat(report.started_at).timestamp() * 1000)
    lines = []
    for outcome in report.providers:
        if outcome.status == "skipped":
            continue
        values = {
            MODELS_DRIFTED: len(outcome.drift),
            PROVIDER_AUDIT_FAILED: int(outcome.status == "failed"),
        }
        lines.append(
            _line(
                timestamp,
                [DIMENSION, PROVIDER_DIMENSION],
                values,
                {
                    DIMENSION: function_name,
                    PROVIDER_DIMENSION: outcome.provider,
                },
            )
        )
    total = {MODELS_DRIFTED: len(report.drift)}
    lines.append(_line(timestamp, [DIMENSION], total, {DIMENSION: function_name}))
    return lines


def _line(
    timestamp: int, dimensions: list[str], values: dict[str, int], labels: dict[str, Any]
) -> str:
    line = {
        "_aws": {
            "Timestamp": timestamp,
            "CloudWatchMetrics": [
                {
                    "Namespace": NAMESPACE,
                    "Dimensions": [dimensions],
                    "Metrics": [{"Name": name, "Unit": "Count"} for name in values],
                }
            ],
        },
        **labels,
        **values,
    }
    return json_line(line) + "\n"

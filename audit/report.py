"""The audit's report: per provider what happened, and every drift entry. Table and JSON.

The JSON is a contract (README "Provider drift audit" documents it; `SCHEMA` names its version):
the deployed job writes it to S3 and its summary goes into the CatalogDrift event.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

SCHEMA = "assistantrouter.audit/1"

DriftKind = Literal["missing_upstream", "new_upstream", "lifecycle", "limits"]
DRIFT_KINDS: tuple[DriftKind, ...] = ("missing_upstream", "new_upstream", "lifecycle", "limits")
OutcomeStatus = Literal["ok", "failed", "skipped"]
# A JSON scalar: what `ours` and `theirs` hold.
Value = str | int | bool | None

# Exit statuses of `ar-models audit`.
EXIT_NO_DRIFT, EXIT_FAILED, EXIT_DRIFT = 0, 1, 2


@dataclass(frozen=True, slots=True)
class DriftEntry:
    """One difference. `field` is our catalog's field (dotted), `ours` and `theirs` its values:
    missing_upstream: field `id`, ours the id, theirs null (not listed);
    new_upstream: field `id`, ours null, theirs the upstream id."""

    provider: str
    model: str
    kind: DriftKind
    field: str
    ours: Value
    theirs: Value

    def to_dict(self) -> dict[str, Any]:
        return {
            "provider": self.provider,
            "model": self.model,
            "kind": self.kind,
            "field": self.field,
            "ours": self.ours,
            "theirs": self.theirs,
        }


@dataclass(frozen=True, slots=True)
class ProviderOutcome:
    """What one provider's audit came to. `reason`: why it failed or was skipped."""

    provider: str
    status: OutcomeStatus
    reason: str | None = None
    upstream_models: int = 0
    compared_models: int = 0  # ours with its owned_by
    requests: int = 0
    seconds: float = 0.0
    drift: tuple[DriftEntry, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "provider": self.provider,
            "status": self.status,
            "reason": self.reason,
            "upstream_models": self.upstream_models,
            "compared_models": self.compared_models,
            "requests": self.requests,
            "seconds": round(self.seconds, 3),
            "drift": len(self.drift),
        }


@dataclass(frozen=True, slots=True)
class AuditReport:
    """One run: the catalog audited, and each provider's outcome in order."""

    started_at: str  # RFC 3339, UTC, seconds
    catalog: str  # where the catalog came from
    catalog_version: int | None  # the published version, None for a file or the bundled one
    catalog_models: int
    providers: tuple[ProviderOutcome, ...] = field(default=())

    @property
    def drift(self) -> list[DriftEntry]:
        return [entry for outcome in self.providers for entry in outcome.drift]

    @property
    def failed(self) -> list[str]:
        return [o.provider for o in self.providers if o.status == "failed"]

    def exit_code(self) -> int:
        """1 if a provider failed (its drift is unknown, whatever the others found), else 2 if
        there is drift, else 0."""
        if self.failed:
            return EXIT_FAILED
        return EXIT_DRIFT if self.drift else EXIT_NO_DRIFT

    def counts(self) -> dict[str, int]:
        """Drift entries per kind, every kind present."""
        return {kind: sum(1 for e in self.drift if e.kind == kind) for kind in DRIFT_KINDS}

    def summary(self) -> dict[str, Any]:
        return {
            "drift": len(self.drift),
            "by_kind": self.counts(),
            "failed": self.failed,
            "skipped": [o.provider for o in self.providers if o.status == "skipped"],
            "exit_code": self.exit_code(),
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "started_at": self.started_at,
            "catalog": {
                "origin": self.catalog,
                "version": self.catalog_version,
                "models": self.catalog_models,
            },
            "summary": self.summary(),
            "providers": [outcome.to_dict() for outcome in self.providers],
            "drift": [entry.to_dict() for entry in self.drift],
        }


def format_report(report: AuditReport) -> str:
    """The readable form: one line per provider, then the drift as a table."""
    lines = [f"catalog: {report.catalog} ({report.catalog_models} models)"]
    for o in report.providers:
        detail = (
            f"{o.upstream_models} upstream, {o.compared_models} ours, {len(o.drift)} drift, "
            f"{o.requests} request(s), {o.seconds:.2f} s"
            if o.status == "ok"
            else o.reason or ""
        )
        lines.append(f"{o.provider:<10} {o.status:<8} {detail}".rstrip())
    drift = report.drift
    if not drift:
        lines.append("no drift" if not report.failed else "no drift among the providers read")
        return "\n".join(lines)
    rows = [("PROVIDER", "MODEL", "KIND", "FIELD", "OURS", "THEIRS")]
    rows += [(e.provider, e.model, e.kind, e.field, _cell(e.ours), _cell(e.theirs)) for e in drift]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines.append("")
    lines.extend(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )
    return "\n".join(lines)


def _cell(value: Value) -> str:
    if value is None:
        return "\u2014"  # an em dash: none, not listed
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)

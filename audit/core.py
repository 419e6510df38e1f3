"""The audit's walk: each provider in turn, each within its own time budget, then the compare.

A provider that cannot be read is `failed` with the reason and yields no drift at all (a fault
must never look like a retirement); one without a key is `skipped`; neither stops the others.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx

from audit.compare import compare
from audit.errors import ProviderFailed
from audit.http import Budget, HttpLimits, JsonFetcher
from audit.providers.base import Provider
from audit.report import AuditReport, ProviderOutcome
from catalog.schema import Model

logger = logging.getLogger(__name__)

USER_AGENT = "assistantrouter-models-audit/1"


@dataclass(frozen=True, slots=True)
class ProviderSetup:
    """A provider to audit and its key (None: skipped). The key is never in a repr."""

    provider: Provider
    key: str | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class AuditRun:
    """How a run reads the providers. `transport`: httpx's, swapped by tests (None: the network);
    `sleep` and `clock` likewise, for the retries' pauses and the budgets."""

    timeout: float = 60.0  # seconds per provider
    limits: HttpLimits = field(default_factory=HttpLimits)
    transport: httpx.BaseTransport | None = None
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic


def run_audit(
    setups: Sequence[ProviderSetup],
    catalog: Sequence[Model],
    *,
    catalog_origin: str,
    catalog_version: int | None = None,
    now: float,
    run: AuditRun | None = None,
) -> AuditReport:
    """Audit `catalog` against each provider of `setups`, in order, at `now` (epoch seconds)."""
    run = run or AuditRun()
    if not run.timeout > 0:
        raise ValueError(f"timeout must be > 0 seconds, got {run.timeout!r}")
    outcomes = [_audit_one(setup, catalog, now=now, run=run) for setup in setups]
    started = datetime.fromtimestamp(now, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    return AuditReport(
        started_at=started,
        catalog=catalog_origin,
        catalog_version=catalog_version,
        catalog_models=len(catalog),
        providers=tuple(outcomes),
    )


def _audit_one(
    setup: ProviderSetup, catalog: Sequence[Model], *, now: float, run: AuditRun
) -> ProviderOutcome:
    provider = setup.provider
    ours = sum(1 for model in catalog if model.owned_by == provider.owned_by)
    if not setup.key:
        return ProviderOutcome(provider.name, "skipped", "no API key", compared_models=ours)
    started = run.clock()
    budget = Budget(run.timeout, clock=run.clock)
    with httpx.Client(
        transport=run.transport,
        follow_redirects=False,
        # No proxy or .netrc from the environment: the key goes to the provider and nowhere else.
        trust_env=False,
        headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
    ) as client:
        fetcher = JsonFetcher(
            client,
            budget=budget,
            secrets=[setup.key],
            limits=run.limits,
            sleep=run.sleep,
            describe_error=provider.describe_error,
        )
        try:
            upstream = provider.list_models(fetcher, setup.key)
        except Exception as exc:  # one provider failing never stops the others
            # A ProviderFailed is a reason of ours; anything else is a bug in a provider module,
            # said by its type (its text could quote what the provider sent).
            reason = fetcher.redact(
                exc.reason
                if isinstance(exc, ProviderFailed)
                else f"internal error reading the list ({type(exc).__name__})"
            )
            logger.warning("provider %s failed: %s", provider.name, reason)
            return ProviderOutcome(
                provider.name,
                "failed",
                reason,
                compared_models=ours,
                requests=fetcher.requests,
                seconds=run.clock() - started,
            )
    drift = compare(provider, upstream, catalog, now=now)
    return ProviderOutcome(
        provider.name,
        "ok",
        upstream_models=len(upstream),
        compared_models=ours,
        requests=fetcher.requests,
        seconds=run.clock() - started,
        drift=tuple(drift),
    )

"""`ar-models audit`: each provider's own model list against the catalog; the drift reported.

Exit 0: no drift; 2: drift found; 1: a provider failed (or the audit could not run). Nothing is
written to any table; `--propose OUT` writes a catalog file for a person to review.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from devtools.output import fail
from handler.settings import Settings, SettingsError

if TYPE_CHECKING:
    from audit import AuditReport
    from catalog.schema import Model


def wall_clock() -> float:
    """The instant our models' statuses are evaluated at (tests set it)."""
    return time.time()


def audit_catalog(args: argparse.Namespace, settings: Settings) -> int:
    # Imported when the command runs, so `ar-models --help` starts in 0.4 s, not 1-2 s.
    from awsclients import AwsClients
    from catalog.errors import CatalogError
    from catalog.json_text import pretty_json
    from handler.audit_job import JobOptions, run_audit_job
    from handler.settings import load_audit_settings

    if args.timeout is not None and not args.timeout > 0:
        return fail(f"--timeout must be a number of seconds > 0, got {args.timeout:g}")
    include: dict[str, list[str]] = {}
    for item in args.include or ():
        name, _, pattern = item.partition("=")
        if not name or not pattern:
            return fail(f"--include must be NAME=PATTERN, got {item!r}")
        include.setdefault(name, []).append(pattern)
    try:
        audit_settings = load_audit_settings()
        report, audited = run_audit_job(
            settings,
            audit_settings,
            aws=AwsClients(),
            options=JobOptions(
                providers=args.provider,
                source=args.source,
                allow_files=True,
                timeout=args.timeout,
                include=include,
            ),
            wall_clock=wall_clock,
        )
    except (CatalogError, SettingsError) as exc:
        return fail(str(exc))
    if args.json:
        print(pretty_json(report.to_dict()), end="")
    else:
        from audit.report import format_report

        print(format_report(report))
    if args.propose:
        status = _write_proposal(args.propose, report, audited.models)
        if status:
            return status
    return report.exit_code()


def _write_proposal(out: str, report: AuditReport, models: Sequence[Model]) -> int:
    """Write the proposed catalog to `out`; its changes on stderr. 1 if it cannot be written."""
    # Imported when a proposal is written: most runs write none.
    from pathlib import Path

    from audit.proposal import propose
    from audit.providers import PROVIDERS
    from devtools.catalog_commands import _write_atomically

    authority = {provider.name: provider.authoritative_for for provider in PROVIDERS}
    proposal = propose(models, report.drift, authority)
    path = Path(out)
    try:
        _write_atomically(path, proposal.body)
    except OSError as exc:
        return fail(f"cannot write {path}: {exc.strerror or exc}")
    lines = [f"{path}: {len(proposal.applied)} change(s) proposed, review then `ar-models sync`"]
    lines += [
        f"  applied  {e.provider} {e.model} {e.field}: {e.ours} -> {e.theirs}"
        for e in proposal.applied
    ]
    lines += [
        f"  left     {e.provider} {e.model} {e.kind} {e.field}: {reason}"
        for e, reason in proposal.not_applied
    ]
    print("\n".join(lines), file=sys.stderr)
    return 0

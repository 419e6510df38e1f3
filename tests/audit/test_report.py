"""audit/report.py: the exit status of a run, its JSON (a contract) and its readable table."""

from __future__ import annotations

import json

import pytest

from audit.report import (
    DRIFT_KINDS,
    EXIT_DRIFT,
    EXIT_FAILED,
    EXIT_NO_DRIFT,
    SCHEMA,
    AuditReport,
    DriftEntry,
    ProviderOutcome,
    format_report,
)

GONE = DriftEntry("openai", "gpt-5", "missing_upstream", "id", "gpt-5", None)
NEW = DriftEntry("anthropic", "claude-sonnet-9", "new_upstream", "id", None, "claude-sonnet-9")
LATER = DriftEntry(
    "openai", "gpt-4o", "lifecycle", "lifecycle.shutdown_at", "2027-01-14", "2027-02-01"
)


def report(*outcomes: ProviderOutcome) -> AuditReport:
    return AuditReport(
        started_at="2026-12-01T00:00:00Z",
        catalog="bundled",
        catalog_version=None,
        catalog_models=6,
        providers=outcomes,
    )


def ok(name: str, *drift: DriftEntry) -> ProviderOutcome:
    return ProviderOutcome(
        name, "ok", upstream_models=4, compared_models=3, requests=1, seconds=0.1234, drift=drift
    )


FAILED = ProviderOutcome("gemini", "failed", "HTTP 403: PERMISSION_DENIED", compared_models=1)
SKIPPED = ProviderOutcome("gemini", "skipped", "no API key", compared_models=1)


@pytest.mark.parametrize(
    ("outcomes", "expected"),
    [
        ((ok("openai"), SKIPPED), EXIT_NO_DRIFT),
        ((ok("openai", GONE), SKIPPED), EXIT_DRIFT),
        ((ok("openai"), FAILED), EXIT_FAILED),
        # A failure wins over drift: the failed provider's drift is unknown.
        ((ok("openai", GONE), FAILED), EXIT_FAILED),
        ((), EXIT_NO_DRIFT),
    ],
)
def test_the_exit_code_is_failed_then_drift_then_none(
    outcomes: tuple[ProviderOutcome, ...], expected: int
) -> None:
    assert report(*outcomes).exit_code() == expected
    assert report(*outcomes).summary()["exit_code"] == expected


def test_the_exit_codes_are_the_documented_ones() -> None:
    # README: "Exit 0: no drift; 2: drift (a table of it); 1: a provider ..." failed.
    assert (EXIT_NO_DRIFT, EXIT_FAILED, EXIT_DRIFT) == (0, 1, 2)


def test_counts_name_every_kind_even_those_with_none() -> None:
    counts = report(ok("openai", GONE, LATER), ok("anthropic", NEW)).counts()
    assert list(counts) == list(DRIFT_KINDS)
    assert counts == {"missing_upstream": 1, "new_upstream": 1, "lifecycle": 1, "limits": 0}


def test_the_json_holds_the_catalog_the_summary_each_provider_and_every_entry() -> None:
    audited = report(ok("openai", GONE, LATER), ok("anthropic", NEW), FAILED)
    document = json.loads(json.dumps(audited.to_dict()))  # JSON all the way down
    assert document["schema"] == SCHEMA
    assert document["started_at"] == "2026-12-01T00:00:00Z"
    assert document["catalog"] == {"origin": "bundled", "version": None, "models": 6}
    assert document["summary"] == {
        "drift": 3,
        "by_kind": {"missing_upstream": 1, "new_upstream": 1, "lifecycle": 1, "limits": 0},
        "failed": ["gemini"],
        "skipped": [],
        "exit_code": EXIT_FAILED,
    }
    assert document["providers"][0] == {
        "provider": "openai",
        "status": "ok",
        "reason": None,
        "upstream_models": 4,
        "compared_models": 3,
        "requests": 1,
        "seconds": 0.123,  # rounded to the millisecond
        "drift": 2,  # a count here; the entries are in `drift`
    }
    assert document["providers"][2]["reason"] == "HTTP 403: PERMISSION_DENIED"
    assert document["drift"] == [
        {
            "provider": e.provider,
            "model": e.model,
            "kind": e.kind,
            "field": e.field,
            "ours": e.ours,
            "theirs": e.theirs,
        }
        for e in (GONE, LATER, NEW)
    ]


def test_the_table_has_a_line_per_provider_then_the_drift_in_aligned_columns() -> None:
    flag = DriftEntry("openai", "gpt-4o", "limits", "vision", True, False)
    text = format_report(report(ok("openai", GONE, flag), SKIPPED))
    lines = text.splitlines()
    assert lines[0] == "catalog: bundled (6 models)"
    assert lines[1] == "openai     ok       4 upstream, 3 ours, 2 drift, 1 request(s), 0.12 s"
    assert lines[2] == "gemini     skipped  no API key"
    assert lines[3] == ""
    header, gone, flagged = lines[4:]
    assert header.split() == ["PROVIDER", "MODEL", "KIND", "FIELD", "OURS", "THEIRS"]
    assert gone.split() == ["openai", "gpt-5", "missing_upstream", "id", "gpt-5", "\u2014"]
    assert flagged.split() == ["openai", "gpt-4o", "limits", "vision", "true", "false"]
    # Every column starts where its header does.
    for word in ("MODEL", "KIND", "FIELD", "OURS", "THEIRS"):
        column = header.index(word)
        assert gone[column - 1] == " "
        assert gone[column] != " "
    assert all(line == line.rstrip() for line in lines)


@pytest.mark.parametrize(
    ("outcomes", "last"),
    [
        ((ok("openai"),), "no drift"),
        ((ok("openai"), FAILED), "no drift among the providers read"),
    ],
)
def test_no_drift_is_said_and_a_failure_qualifies_it(
    outcomes: tuple[ProviderOutcome, ...], last: str
) -> None:
    assert format_report(report(*outcomes)).splitlines()[-1] == last


def test_a_failed_provider_line_gives_the_reason() -> None:
    assert "gemini     failed   HTTP 403: PERMISSION_DENIED" in format_report(report(FAILED))

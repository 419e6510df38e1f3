"""`propose`: only what a provider is authoritative for is applied, never a status backwards,
never a change that makes a model invalid; the rest is listed with the reason."""

from __future__ import annotations

import json

from audit.proposal import propose
from audit.providers import PROVIDERS
from audit.report import DriftEntry
from catalog.document import parse_catalog_json
from tests.support.audit import catalog

AUTHORITY = {provider.name: provider.authoritative_for for provider in PROVIDERS}


def test_each_provider_is_applied_only_for_what_it_states() -> None:
    drift = [
        DriftEntry("openai", "gpt-5", "limits", "context_length", 128000, 400000),
        DriftEntry(
            "gemini", "gemini-2.5-flash", "lifecycle", "lifecycle.status", "active", "retired"
        ),
        DriftEntry(
            "openai", "gpt-4o", "lifecycle", "lifecycle.shutdown_at", "2027-01-14", "2027-03-01"
        ),
    ]
    proposal = propose(catalog(), drift, AUTHORITY)
    assert proposal.applied == [drift[2]]
    assert [(e, reason) for e, reason in proposal.not_applied] == [
        (drift[0], "openai is not authoritative for limits"),
        (drift[1], "gemini is not authoritative for lifecycle"),
    ]
    models = {m.id: m for m in parse_catalog_json(proposal.body, origin="proposal")}
    assert models["gpt-4o"].lifecycle is not None
    assert models["gpt-4o"].lifecycle.shutdown_at == "2027-03-01"
    assert models["gpt-5"].context_length == 128000


def test_a_status_is_never_moved_backwards_by_the_proposal() -> None:
    entry = DriftEntry(
        "anthropic",
        "claude-3-haiku-20240307",
        "lifecycle",
        "lifecycle.status",
        "retired",
        "deprecated",
    )
    proposal = propose(catalog(), [entry], AUTHORITY)
    assert proposal.applied == []
    assert proposal.not_applied == [
        (entry, "our dates make it later than theirs: edit them by hand")
    ]


def test_nothing_to_apply_is_the_catalog_as_it_was() -> None:
    proposal = propose(catalog(), [], AUTHORITY)
    assert json.loads(proposal.body)["data"] == [m.to_wire() for m in catalog()]

"""What `ar-models validate` warns about in a valid catalog (catalog/curation.py)."""

from __future__ import annotations

from catalog.bundled import bundled_models
from catalog.curation import curation_warnings
from catalog.lifecycle import day_start
from tests.support.factories import make_model

PRICED = {"pricing": {"input_per_mtok": 1}}
NOW = day_start("2026-12-01")


def test_a_clean_catalog_has_no_warning() -> None:
    models = [
        make_model("old", lifecycle={"deprecated_at": "2026-01-01", "successor": "new"}),
        make_model("new", **PRICED),
    ]
    assert curation_warnings(models, NOW) == []


def test_each_finding_is_one_line_naming_the_model() -> None:
    models = [
        make_model("old", lifecycle={"shutdown_at": "2026-01-01", "successor": "gone-4"}),
        make_model("alias-ok", lifecycle={"status": "deprecated", "successor": "n-latest"}),
        make_model("n", aliases=["n-latest"], **PRICED),
        make_model("unpriced"),
        make_model(
            "stale-schedule",
            pricing={"input_per_mtok": 1},
            pricing_schedule=[
                {"effective_at": "2026-10-01", "pricing": {"input_per_mtok": 2}},
                {"effective_at": "2026-11-01", "pricing": {"input_per_mtok": 3}},
                {"effective_at": "2027-01-01", "pricing": {"input_per_mtok": 4}},
            ],
        ),
    ]
    assert curation_warnings(models, NOW) == [
        "model 'old': its successor 'gone-4' is not in the catalog (the Link header points "
        "clients to a 404)",
        "model 'unpriced': active without pricing (a router cannot bill it)",
        "model 'stale-schedule': pricing_schedule entry 2026-10-01 is in the past and superseded "
        "by 2026-11-01: it is never served again (remove it, or make it the base pricing)",
    ]
    # A retired model without pricing bills nothing: no warning.
    assert curation_warnings([make_model("r", lifecycle={"status": "retired"})], NOW) == []


def test_the_bundled_catalog_warns_only_of_the_seed_successors_it_lacks() -> None:
    warnings = curation_warnings(bundled_models(), NOW)
    assert [line.split("'")[3] for line in warnings] == [
        "claude-sonnet-4-6",
        "claude-opus-4-8",
        "gemini-2.5-pro",
        "gemini-2.5-flash",
    ]

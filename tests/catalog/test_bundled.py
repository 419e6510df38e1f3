"""catalog/bundled.py: the curated catalog packaged with the code, read once per process, and
its snapshot (version 0, no version of its own); what it holds, as shared/*.md sources it."""

from __future__ import annotations

import json
import time

from catalog.bundled import (
    BUNDLED_CATALOG_PATH,
    BUNDLED_VERSION,
    bundled_models,
    bundled_snapshot,
)
from catalog.document import parse_catalog_json
from catalog.lifecycle import status_at
from catalog.limits import MAX_DOCUMENT_BYTES, MAX_LIST_BYTES, MAX_MODELS
from catalog.wire import served_list_size
from tests.support.factories import (
    BUNDLED_IDS,
    CURRENT_MODELS,
    SEED_IDS,
    SEED_MODELS,
    make_model,
)


def test_the_bundled_models_are_the_packaged_file_read_once() -> None:
    from_file = parse_catalog_json(BUNDLED_CATALOG_PATH.read_bytes(), origin="test")
    assert list(bundled_models()) == from_file
    assert bundled_models() is bundled_models()  # read once per process
    assert BUNDLED_CATALOG_PATH.name == "models.json"
    assert BUNDLED_CATALOG_PATH.parent.name == "catalog"


def test_the_bundled_snapshot_serves_every_bundled_model_as_version_0() -> None:
    snapshot = bundled_snapshot()
    assert snapshot is bundled_snapshot()
    assert snapshot.version == BUNDLED_VERSION == 0
    assert snapshot.models == bundled_models()
    for model in bundled_models():  # every one retrievable, retired ones included
        assert json.loads(snapshot.model_body(model.id).content)["id"] == model.id
    # Built when first asked for (now or by an earlier test), its statuses of that moment.
    assert snapshot.built_at <= time.time()
    assert snapshot.statuses == {m.id: status_at(m, snapshot.built_at) for m in bundled_models()}
    assert snapshot.valid_until > snapshot.built_at


def test_bundled_catalog_holds_every_seed_model_in_the_documented_order() -> None:
    models = {model.id: model for model in bundled_models()}
    assert [m.id for m in bundled_models() if m.id in SEED_IDS] == SEED_IDS
    for model_id, owned_by, context_length in SEED_MODELS:
        model = models[model_id]
        assert (model.owned_by, model.context_length) == (owned_by, context_length)
        assert model.capabilities.vision
        assert model.capabilities.function_calling


def test_bundled_release_times_are_real_dates_not_the_placeholder() -> None:
    document = json.loads(BUNDLED_CATALOG_PATH.read_text())
    assert document["object"] == "list"
    created = {entry["id"]: entry["created"] for entry in document["data"]}
    # The reference's example uses one placeholder time for every model; ours are release dates,
    # two of them shared by models released the same day (shared/current-models.md).
    assert created["gpt-6.2-astra"] == created["gpt-6.2-sol"]  # 2026-11-17
    assert created["claude-opus-5-5"] == created["gpt-6-luna"]  # 2026-09-22
    assert len(set(created.values())) == len(created) - 2
    assert created["gpt-4o"] < created["gpt-4o-mini"]  # May 2024 before July 2024
    assert created["claude-3-opus-20240229"] < created["claude-3-5-sonnet-20241022"]


def test_the_bundled_catalog_is_far_inside_every_cap() -> None:
    models = bundled_models()
    assert len(models) < MAX_MODELS
    assert served_list_size(models) < MAX_LIST_BYTES // 100
    assert BUNDLED_CATALOG_PATH.stat().st_size < MAX_DOCUMENT_BYTES // 100


def test_the_bundled_catalog_carries_the_facts_and_keeps_the_seed() -> None:
    document = json.loads(BUNDLED_CATALOG_PATH.read_text())
    models = {model.id: model for model in bundled_models()}
    assert list(models) == BUNDLED_IDS  # the seed's eight stay, grouped with their provider's
    for entry in document["data"]:
        if entry["id"] not in SEED_IDS:
            continue
        model = models[entry["id"]]
        assert model.display_name
        assert model.max_output_tokens
        assert model.knowledge_cutoff
        assert model.modalities is not None
        assert model.modalities.output == ["text"]
        assert model.max_output_tokens <= model.context_length
        assert model.lifecycle is not None
        assert model.lifecycle.shutdown_at is not None
        caps = model.capabilities
        assert None not in (caps.structured_outputs, caps.reasoning, caps.prompt_caching)
    gpt_4o = models["gpt-4o"]
    assert gpt_4o.pricing is not None
    assert gpt_4o.pricing.cache_write_per_mtok is None
    assert gpt_4o.to_wire()["pricing"] == {
        "input_per_mtok": 2.5,
        "output_per_mtok": 10,
        "cached_input_per_mtok": 1.25,
    }
    assert models["gpt-4-turbo"].lifecycle is not None
    assert models["gpt-4-turbo"].lifecycle.successor is None  # unknown: absent
    assert models["gemini-1.5-pro"].lifecycle is not None
    assert models["gemini-1.5-pro"].lifecycle.deprecated_at is None
    assert models["gemini-1.5-pro"].modalities is not None
    assert models["gemini-1.5-pro"].modalities.input == ["text", "image", "audio", "video"]
    assert (
        models["claude-3-opus-20240229"].pricing
        == make_model(
            "x",
            pricing={
                "input_per_mtok": 15,
                "output_per_mtok": 75,
                "cached_input_per_mtok": 1.5,
                "cache_write_per_mtok": 18.75,
            },
        ).pricing
    )


def test_the_bundled_catalog_carries_the_current_models_as_sourced() -> None:
    """shared/current-models.md: every current model active, with its sourced values only."""
    models = {model.id: model for model in bundled_models()}
    for model_id, owned_by, context_length in CURRENT_MODELS:
        model = models[model_id]
        assert (model.owned_by, model.context_length) == (owned_by, context_length)
        assert model.lifecycle is None  # no deprecation announced for any of them
        assert model.pricing is not None
        assert model.capabilities.vision
        assert model.capabilities.function_calling
    # Unknown is absent: never a guess.
    assert models["gpt-6-luna"].capabilities.reasoning is None
    assert models["gpt-6-luna"].knowledge_cutoff is None
    assert (
        models["claude-haiku-4-5-20251001"].pricing
        == make_model("x", pricing={"input_per_mtok": 1, "output_per_mtok": 5}).pricing
    )
    assert models["claude-haiku-4-5-20251001"].aliases == ["claude-haiku-4-5"]
    assert [models[i].line for i in ("claude-fable-5-2", "claude-opus-5-5")] == ["fable", "opus"]
    # Tiers above a prompt size, on the whole request, and the 1-hour cache write.
    astra = models["gpt-6.2-astra"].to_wire()["pricing"]
    assert astra == {
        "input_per_mtok": 8,
        "output_per_mtok": 40,
        "cached_input_per_mtok": 0.4,
        "cache_write_per_mtok": 10,
        "tiers": [
            {
                "input_per_mtok": 16,
                "output_per_mtok": 60,
                "cached_input_per_mtok": 0.8,
                "cache_write_per_mtok": 20,
                "above_input_tokens": 272000,
            }
        ],
    }
    haiku = models["claude-haiku-5-5"].pricing
    assert haiku is not None
    assert haiku.tiers is not None
    assert (haiku.cache_write_1h_per_mtok, haiku.tiers[0].above_input_tokens) == (0.2, 100000)
    assert haiku.tiers[0].cache_write_1h_per_mtok == 1
    # The providers' dated price changes.
    schedules = {
        model_id: [
            (entry.effective_at, entry.pricing.input_per_mtok, entry.pricing.output_per_mtok)
            for entry in model.pricing_schedule or ()
        ]
        for model_id, model in models.items()
        if model.pricing_schedule
    }
    assert schedules == {
        "claude-sonnet-5-5": [("2026-10-07", 2, 10)],
        "gemini-4-argon": [("2026-12-01", 4, 20)],
        "gemini-4-carbon": [("2026-12-01", 4, 20)],
        "gemini-3.8-flash": [("2027-01-01", 1.5, 7.5)],
    }

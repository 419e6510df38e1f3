"""The figures README.md states are the code's: a default changed in one place fails here."""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from typing import Any

import pytest

from apikeys.verifier import KeyVerifier
from catalog.dynamodb import DynamoDBCatalogStore
from devtools.devstack import DEV_CACHE_TTL
from handler import settings as env
from handler.settings import Settings

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def _default(cls: type, name: str) -> Any:
    """The default of a constructor's keyword argument."""
    return inspect.signature(cls).parameters[name].default


def configuration_table() -> dict[str, str]:
    """README's Configuration table: variable -> default column, as written."""
    section = README.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([A-Z_]+)`[^|]* \| ([^|]*) \|", section, flags=re.MULTILINE)
    return {name: default.strip() for name, default in rows}


@pytest.mark.parametrize(
    ("variable", "field"),
    [
        (env.MODELS_TABLE, "models_table"),
        (env.API_KEYS_TABLE, "api_keys_table"),
        (env.DEV_API_KEY, "dev_api_key"),
        (env.CATALOG_CACHE_TTL, "catalog_cache_ttl"),
        (env.CATALOG_SOURCE, "catalog_source"),
        (env.SYNC_MAX_REMOVE_FRACTION, "sync_max_remove_fraction"),
        (env.CATALOG_EVENT_BUS, "catalog_event_bus"),
        (env.LIFECYCLE_WARNING_DAYS, "lifecycle_warning_days"),
    ],
)
def test_the_configuration_table_states_the_settings_defaults(variable: str, field: str) -> None:
    default: str | float | None = getattr(Settings(), field)
    if default is None:
        expected = "unset"
    elif isinstance(default, float):
        expected = f"`{default:g}`"
    else:
        expected = f"`{default}`"
    assert configuration_table()[variable] == expected


def test_the_key_cache_figures_are_the_verifiers() -> None:
    from apikeys import material
    from awsclients import REQUEST_ATTEMPTS

    ttl = _default(KeyVerifier, "ttl")
    negative = _default(KeyVerifier, "negative_ttl")
    entries = _default(KeyVerifier, "max_entries")
    unknown_entries = _default(KeyVerifier, "max_unknown_entries")
    stale = _default(KeyVerifier, "stale_for")
    backoff = _default(KeyVerifier, "failure_backoff")
    text = " ".join(README.split())
    assert stale == 3600
    assert (
        f"caches a key's verdict for {ttl:g} s (at most {entries:,} verified keys; unknown and "
        f"revoked keys for {negative:g} s, at most {unknown_entries:,} of them, in a cache of "
        "their own" in text
    )
    assert f"stops working within {ttl:g} s" in text
    assert "verified within the last hour" in text
    assert f"A lookup makes at most {REQUEST_ATTEMPTS} attempts" in text
    assert f"leaves the table alone for {backoff:g} s from the moment the failed call" in text
    assert f"A key is {material.KEY_LENGTH} characters" in text
    assert f"{material.SECRET_LENGTH} URL-safe characters (32 random bytes" in text
    assert f"a {material.CHECKSUM_LENGTH}-character checksum" in text
    assert f"the CRC-32 of the {material.LEGACY_KEY_LENGTH} characters before" in text


def test_the_sync_retry_figure_is_the_stores() -> None:
    attempts = _default(DynamoDBCatalogStore, "max_batch_attempts")
    assert f"({attempts} attempts, then the run fails loudly)" in " ".join(README.split())


def test_the_dev_stack_ttl_is_the_one_it_uses() -> None:
    assert f"({DEV_CACHE_TTL:g} s, unless `CATALOG_CACHE_TTL` is set)" in " ".join(README.split())


def test_the_catalog_limits_are_the_schemas() -> None:
    from catalog import schema

    section = " ".join(README.split("### What a catalog may hold", 1)[1].split("\n#", 1)[0].split())
    stated = [
        f"at most {schema.MAX_PROBLEMS_PER_MODEL} per model and {schema.MAX_PROBLEMS:,} in all",
        f"at most {schema.MAX_MODELS:,} models",
        f"at most 4 MiB ({schema.MAX_LIST_BYTES:,} bytes)",
        f"at most 64 KiB ({schema.MAX_MODEL_BYTES:,} bytes)",
        f"at most 8 MiB ({schema.MAX_DOCUMENT_BYTES:,} bytes)",
        f"`id`: 1 to {schema.MAX_ID_LENGTH} characters",
        f"`owned_by`: 1 to {schema.MAX_OWNED_BY_LENGTH} letters",
        f"any other string at most {schema.MAX_STRING_LENGTH:,} characters",
        f"`context_length` from 1 to {schema.MAX_CONTEXT_LENGTH:,}",
        f"at most {schema.MAX_EXTRA_FIELDS} per model, names of 1 to {schema.MAX_EXTRA_KEY_LENGTH}",
        f"nested at most {schema.MAX_DEPTH} levels deep",
    ]
    assert schema.MAX_LIST_BYTES == 4 * 2**20
    assert schema.MAX_MODEL_BYTES == 64 * 2**10
    assert schema.MAX_DOCUMENT_BYTES == 8 * 2**20
    assert schema.MAX_SAFE_INTEGER == 2**53 - 1
    assert [claim for claim in stated if claim not in section] == []


def test_the_request_budget_figures_are_the_clients() -> None:
    from awsclients import _TIMINGS, REQUEST_ATTEMPTS, Profile
    from catalog.cache import CatalogCache

    timing = _TIMINGS[Profile.REQUEST]
    text = " ".join(README.split())
    assert (
        f"a {timing.connect_timeout:g} s connect and {timing.read_timeouts['dynamodb']:g} s read "
        f"timeout and makes at most {REQUEST_ATTEMPTS} attempts"
    ) in text
    backoff = _default(CatalogCache, "failure_backoff")
    assert backoff == _default(KeyVerifier, "failure_backoff")
    assert f"leave their table alone for {backoff:g} s counted from the moment" in text


def test_every_test_the_readme_names_exists() -> None:
    root = Path(__file__).resolve().parents[1]
    named = set(re.findall(r"(tests/[\w/]+\.py)(?:::(\w+))?", README))
    missing = [
        f"{path}::{name}" if name else path
        for path, name in sorted(named)
        if not (root / path).is_file()
        or (name and not re.search(rf"def {name}\b", (root / path).read_text()))
    ]
    assert missing == []

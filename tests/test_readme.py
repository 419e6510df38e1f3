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
from tests.support.docs import DOCUMENTATION

# README.md and docs/: a figure may be stated in either.
README = DOCUMENTATION


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
        (env.CATALOG_CLEANUP_GRACE_MINUTES, "cleanup_grace_minutes"),
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


def test_the_multi_region_figures_are_the_codes() -> None:
    """docs/multi-region.md: how fast a key or a catalog reaches every region, and the limits."""
    from catalog.cache import CatalogCache
    from devtools.template_tables import load_template

    ttl = _default(KeyVerifier, "ttl")
    negative = _default(KeyVerifier, "negative_ttl")
    text = " ".join(README.split())
    assert (ttl, negative, _default(KeyVerifier, "stale_for")) == (60, 10, 3600)
    assert f"a revoked key stops working within the lag + {ttl:g} s" in text
    assert f"(a verified key is trusted for {ttl:g} s)" in text
    assert f"a new key works within the lag + {negative:g} s" in text
    assert f'remembers "unknown" for {negative:g} s' in text
    assert "keys verified there within the last hour keep working" in text
    template = load_template()
    parameters, resources = template["Parameters"], template["Resources"]
    grace = parameters["CleanupGraceMinutes"]["Default"]
    assert f"`CleanupGraceMinutes` (default {grace})" in text
    assert f"| `CleanupGraceMinutes` | `{grace}` or more |" in text
    assert f"(`CatalogCacheTtl`, {Settings().catalog_cache_ttl:g} s by default)" in text
    backoff = _default(CatalogCache, "failure_backoff")
    assert f"(plus the {backoff:g} s backoff for a container" in text
    check = resources["ApiHealthCheck"]["Properties"]["HealthCheckConfig"]
    interval, failures = check["RequestInterval"], check["FailureThreshold"]
    assert f"(every {interval} s, {failures} failures)" in text
    assert "{0,3}" in parameters["ReplicaRegions"]["AllowedPattern"]  # 1 + up to 3 more
    assert "no spaces, at most 4, never the writer's" in text


def test_the_sync_retry_figure_is_the_stores() -> None:
    attempts = _default(DynamoDBCatalogStore, "max_batch_attempts")
    assert f"({attempts} attempts, then the run fails loudly)" in " ".join(README.split())


def test_the_dev_stack_ttl_is_the_one_it_uses() -> None:
    assert f"({DEV_CACHE_TTL:g} s, unless `CATALOG_CACHE_TTL` is set)" in " ".join(README.split())


def test_the_catalog_limits_stated_are_catalog_limits() -> None:
    from catalog import limits

    section = " ".join(README.split("### What a catalog may hold", 1)[1].split("\n#", 1)[0].split())
    stated = [
        f"at most {limits.MAX_PROBLEMS_PER_MODEL} per model and {limits.MAX_PROBLEMS:,} in all",
        f"at most {limits.MAX_MODELS:,} models",
        f"at most 4 MiB ({limits.MAX_LIST_BYTES:,} bytes)",
        f"at most 64 KiB ({limits.MAX_MODEL_BYTES:,} bytes)",
        f"at most 8 MiB ({limits.MAX_DOCUMENT_BYTES:,} bytes)",
        f"`id`: 1 to {limits.MAX_ID_LENGTH} characters",
        f"`owned_by`: 1 to {limits.MAX_OWNED_BY_LENGTH} letters",
        f"any other string at most {limits.MAX_STRING_LENGTH:,} characters",
        f"`context_length` from 1 to {limits.MAX_CONTEXT_LENGTH:,}",
        f"at most {limits.MAX_EXTRA_FIELDS} per model, names of 1 to {limits.MAX_EXTRA_KEY_LENGTH}",
        f"nested at most {limits.MAX_DEPTH} levels deep",
    ]
    assert limits.MAX_LIST_BYTES == 4 * 2**20
    assert limits.MAX_MODEL_BYTES == 64 * 2**10
    assert limits.MAX_DOCUMENT_BYTES == 8 * 2**20
    assert limits.MAX_SAFE_INTEGER == 2**53 - 1
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


def anthropic_section() -> str:
    """README's "Anthropic clients and Claude Code" section, as written."""
    return README.split("## Anthropic clients and Claude Code", 1)[1].split("\n## ", 1)[0]


def test_the_vary_header_stated_is_the_apis() -> None:
    from handler.dialects import VARY

    text = " ".join(README.split())
    assert f"`Vary: {VARY}`" in text
    assert f"says `Vary: {VARY}`" in " ".join(anthropic_section().split())


def test_the_anthropic_error_types_are_the_handlers() -> None:
    from handler.dialects.anthropic import ANTHROPIC_ERROR_TYPES
    from handler.errors import RETRY_AFTER_SECONDS

    rows = re.findall(r"^\| `(\d{3})` \| `(\w+)` \|", anthropic_section(), flags=re.MULTILINE)
    assert rows, "no error table"
    assert {int(status): kind for status, kind in rows} == {
        int(status): ANTHROPIC_ERROR_TYPES[int(status)] for status, _ in rows
    }
    # Every status the app itself answers with is in the table.
    assert {400, 401, 404, 405, 500, 503} <= {int(status) for status, _ in rows}
    assert f"with `Retry-After: {RETRY_AFTER_SECONDS}`" in anthropic_section()


def test_the_anthropic_paging_figures_are_the_codes() -> None:
    from catalog.anthropic import DEFAULT_LIFECYCLES, DEFAULT_LIMIT, MAX_LIMIT, PAGE_CACHE_BYTES
    from handler.dialects.anthropic import LIFECYCLE_PARAMS, MAX_LIFECYCLE_VALUES

    section = " ".join(anthropic_section().split())
    assert f"models per page, 1 to {MAX_LIMIT} (ASCII digits), default {DEFAULT_LIMIT}" in section
    assert LIFECYCLE_PARAMS == ("lifecycle", "lifecycle[]")
    assert f"repeatable, at most {MAX_LIFECYCLE_VALUES} values" in section
    assert {"active", "deprecated"} == DEFAULT_LIFECYCLES
    assert "Without it, `active` and `deprecated` models" in section
    assert PAGE_CACHE_BYTES == 8 * 2**20
    assert "(at most 8 MiB of pages per snapshot" in " ".join(README.split())


def test_the_mapping_table_names_every_model_info_field_and_no_other() -> None:
    from catalog.anthropic import capabilities_of, model_info
    from catalog.schema import Model
    from tests.support.factories import model_doc

    section = anthropic_section().split("**The mapping**", 1)[1]
    names = re.findall(r"^\| `([\w.]+)` \|", section, flags=re.MULTILINE)
    info = model_info(Model.model_validate(model_doc("m")), "active")
    top = [name for name in names if "." not in name and name != "ModelInfo"]
    assert sorted(top) == sorted(key for key in info if key != "capabilities")
    capabilities = capabilities_of(Model.model_validate(model_doc("m")))
    mapped = set()
    for name in names:
        if name.startswith("capabilities."):
            value: Any = {"capabilities": capabilities}
            for part in name.split("."):
                value = value[part]  # a KeyError names a path ModelInfo does not have
            mapped.add(name.split(".")[1])
    rest = section.split("| the rest of `capabilities` |", 1)[1].split("\n", 1)[0]
    others = set(re.findall(r"`(\w+)`", rest.split("(features", 1)[0])) - {"thinking", "types"}
    assert mapped | others == set(capabilities)


def test_the_anthropic_sdk_version_is_the_one_pinned() -> None:
    import tomllib

    root = Path(__file__).resolve().parents[1]
    dev = tomllib.loads((root / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    pinned = [dep.split("==", 1)[1] for dep in dev["dev"] if dep.startswith("anthropic==")]
    assert pinned
    assert f"(the type of the anthropic SDK, {pinned[0]};" in " ".join(anthropic_section().split())


def test_the_lines_stated_are_the_schemas() -> None:
    from catalog.schema import MODEL_LINES

    text = " ".join(README.split())
    assert "one of " + ", ".join(f"`{line}`" for line in MODEL_LINES) + " (" in text


def test_what_claude_code_discovers_in_the_bundled_catalog_is_as_stated() -> None:
    import time

    from catalog.bundled import bundled_models
    from catalog.lifecycle import LISTED_BY_DEFAULT, status_at

    now = time.time()
    claude = [m for m in bundled_models() if "claude" in m.id or "anthropic" in m.id]
    listed = sorted(
        (m for m in claude if status_at(m, now) in LISTED_BY_DEFAULT), key=lambda m: -m.created
    )
    retired = [m for m in claude if status_at(m, now) == "retired"]
    assert len(retired) == 3
    last = max(str(m.lifecycle.shutdown_at) for m in retired if m.lifecycle is not None)
    section = " ".join(anthropic_section().split())
    ids = ", ".join(f"`{model.id}`" for model in listed)
    assert f"From the bundled catalog it discovers the current Claude models ({ids})" in section
    assert f"the seed's three Claude models are retired (the last on {last})" in section


# -- the README's first screen reads in a terminal, and says what is true -----------------------


def _outside_code_blocks(text: str) -> list[str]:
    lines, fenced = [], False
    for line in text.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced:
            lines.append(line)
    return lines


def test_readme_lines_and_tables_fit_a_terminal() -> None:
    from tests.support.docs import README_PATH

    text = README_PATH.read_text(encoding="utf-8")
    long = [line for line in _outside_code_blocks(text) if len(line) > 120]
    assert long == []
    assert len(text.splitlines()) < 300  # the reference lives in docs/


def test_the_bundled_catalog_is_as_the_readme_says() -> None:
    import time

    from catalog.bundled import bundled_models
    from catalog.lifecycle import statuses_at
    from tests.support.docs import README_PATH

    models = bundled_models()
    statuses = list(statuses_at(models, time.time()).values())
    deprecated = [m for m in models if statuses_at([m], time.time())[m.id] == "deprecated"]
    shutdown = {m.lifecycle.shutdown_at for m in deprecated if m.lifecycle is not None}
    text = " ".join(README_PATH.read_text(encoding="utf-8").split()).replace("six", "6")
    assert f"holds {len(models)} models: {statuses.count('active')} current ones" in text
    assert f"two (`gpt-4o`, `gpt-4o-mini`) are deprecated until {shutdown.pop()}" in text
    assert f"and {statuses.count('retired')} are retired" in text
    assert [m.id for m in deprecated] == ["gpt-4o", "gpt-4o-mini"]


def test_every_relative_link_of_the_docs_resolves() -> None:
    from tests.support.docs import DOC_PATHS

    def anchors(path: Path) -> set[str]:
        headings = re.findall(r"^#+ (.+)$", path.read_text(encoding="utf-8"), flags=re.MULTILINE)
        return {re.sub(r"[^\w\- ]", "", h).strip().lower().replace(" ", "-") for h in headings}

    broken = []
    for page in DOC_PATHS:
        text = "\n".join(_outside_code_blocks(page.read_text(encoding="utf-8")))
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if target.startswith(("http://", "https://", "mailto:")):
                continue
            file, _, anchor = target.partition("#")
            resolved = (page.parent / file).resolve() if file else page
            if not resolved.exists() or (anchor and anchor not in anchors(resolved)):
                broken.append(f"{page.name}: {target}")
    assert broken == []

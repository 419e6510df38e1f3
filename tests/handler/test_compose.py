"""handler/compose.py, each job's wiring from `Settings`: which stores the API reads, which key
it accepts, what the deployed init prebuilds, and what one sync run is given.

The jobs themselves run end to end in tests/handler/test_sync.py (the sync's events, guards,
events and metrics) and through the API's tests, all of which build their services here.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest

from apikeys.errors import InvalidApiKey
from apikeys.store import ApiKeyStore
from awsclients import AwsClients
from catalog.anthropic import AnthropicView
from catalog.bundled import bundled_models, bundled_snapshot
from catalog.cache import ServedFrom
from handler import compose
from handler import settings as env
from handler.compose import build_api, run_sync
from handler.operations import documented_routes
from handler.settings import Settings, SettingsError
from tests.support.factories import CatalogBucket, model_doc, publish, published_ids
from tests.support.fake_keys import make_key
from tests.support.fakes import CallCounter
from tests.support.http import DEV_KEY

BUNDLED_IDS = [m.id for m in bundled_models()]
REFUSED_ALL = "every /v1 request is refused"


# --- The API --------------------------------------------------------------------------------


def test_without_tables_the_api_serves_the_bundled_catalog_and_the_dev_key(
    aws: AwsClients, caplog: pytest.LogCaptureFixture
) -> None:
    calls = CallCounter(aws.dynamodb())

    services = build_api(Settings(dev_api_key=DEV_KEY), aws=aws)

    served = services.catalog_cache.current()
    assert served.served_from is ServedFrom.BUNDLED
    assert [m.id for m in served.snapshot.models] == BUNDLED_IDS
    assert services.key_verifier.verify(DEV_KEY).name
    with pytest.raises(InvalidApiKey):
        services.key_verifier.verify(make_key("not-the-dev-key"))
    assert calls.calls == []  # no table, no AWS
    assert REFUSED_ALL not in caplog.text


def test_without_a_keys_table_or_a_dev_key_the_log_says_every_request_is_refused(
    caplog: pytest.LogCaptureFixture,
) -> None:
    services = build_api(Settings())

    assert not services.key_verifier.configured
    with pytest.raises(InvalidApiKey):
        services.key_verifier.verify(DEV_KEY)
    [record] = [r for r in caplog.records if REFUSED_ALL in r.getMessage()]
    assert record.levelno == logging.ERROR
    assert "API_KEYS_TABLE" in record.getMessage()
    assert "DEV_API_KEY" in record.getMessage()


def test_with_tables_the_api_reads_the_catalog_and_the_keys_from_them(
    aws: AwsClients, models_table: str, keys_table: str, caplog: pytest.LogCaptureFixture
) -> None:
    publish(aws.dynamodb(), models_table, [model_doc("model-a"), model_doc("model-b")])
    key, _ = ApiKeyStore(keys_table, dynamodb=aws.dynamodb).create("compose-test")
    settings = Settings(models_table=models_table, api_keys_table=keys_table)

    services = build_api(settings, aws=aws)

    served = services.catalog_cache.current()
    assert served.served_from is ServedFrom.DYNAMODB
    assert (served.snapshot.version, [m.id for m in served.snapshot.models]) == (
        1,
        ["model-a", "model-b"],
    )
    assert services.key_verifier.verify(key).name == "compose-test"
    with pytest.raises(InvalidApiKey):
        services.key_verifier.verify(make_key("never-created"))
    with pytest.raises(InvalidApiKey):
        services.key_verifier.verify(DEV_KEY)  # no dev key configured
    assert REFUSED_ALL not in caplog.text


def test_a_models_table_alone_leaves_keys_to_the_dev_key(
    aws: AwsClients, models_table: str, keys_table: str
) -> None:
    key, _ = ApiKeyStore(keys_table, dynamodb=aws.dynamodb).create("in-an-unwired-table")

    services = build_api(Settings(models_table=models_table, dev_api_key=DEV_KEY), aws=aws)

    assert services.key_verifier.verify(DEV_KEY).name
    with pytest.raises(InvalidApiKey):
        services.key_verifier.verify(key)


@pytest.fixture
def fresh_bundled_snapshot() -> Iterator[None]:
    """The bundled snapshot not built yet in this process, as at a container's init."""
    bundled_snapshot.cache_clear()
    yield
    bundled_snapshot.cache_clear()


def test_api_at_init_reads_the_environment_and_prebuilds_the_fallback_in_both_shapes(
    fresh_bundled_snapshot: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[int] = []
    build = AnthropicView.build

    def counting_build(*args: Any, **kwargs: Any) -> AnthropicView:
        built.append(1)
        return build(*args, **kwargs)

    monkeypatch.setattr(AnthropicView, "build", counting_build)
    monkeypatch.setenv(env.DEV_API_KEY, DEV_KEY)

    services = compose.api_at_init()

    assert bundled_snapshot.cache_info().currsize == 1  # the OpenAI shape, serialised
    assert len(built) == 1  # and its Anthropic view
    served = services.catalog_cache.current()
    assert served.served_from is ServedFrom.BUNDLED
    assert [m.id for m in served.snapshot.anthropic.models] == [
        m.id for m in bundled_snapshot().anthropic.models
    ]
    assert len(built) == 1  # a request finds both built
    assert services.key_verifier.verify(DEV_KEY).name


@pytest.mark.parametrize(
    ("initialization", "built"),
    [("snap-start", 1), ("provisioned-concurrency", 1), ("on-demand", 0), (None, 0)],
)
def test_api_at_init_builds_the_declared_operations_when_no_request_waits_for_it(
    initialization: str | None, built: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A SnapStart or provisioned init keeps them; an on-demand cold start leaves them to the
    first request that needs them (handler/operations.py)."""
    monkeypatch.setenv(env.DEV_API_KEY, DEV_KEY)
    if initialization is not None:
        monkeypatch.setenv(env.INITIALIZATION_TYPE, initialization)
    documented_routes.cache_clear()
    try:
        compose.api_at_init()
        assert documented_routes.cache_info().currsize == built
    finally:
        documented_routes.cache_clear()


def test_api_at_init_fails_on_a_bad_setting_naming_the_api(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv(env.CATALOG_CACHE_TTL, "soon")
    with pytest.raises(SettingsError, match=env.CATALOG_CACHE_TTL):
        compose.api_at_init()
    assert "the API cannot start" in caplog.text


# --- The sync -------------------------------------------------------------------------------


def test_a_dry_run_reports_what_it_would_publish_and_writes_nothing(
    aws: AwsClients, models_table: str
) -> None:
    calls = CallCounter(aws.dynamodb())

    report = run_sync(Settings(models_table=models_table), aws=aws, dry_run=True)

    assert (report.dry_run, report.added, report.version) == (True, BUNDLED_IDS, None)
    assert calls.calls  # it read the published catalog to compare
    assert calls.writes == []
    assert published_ids(aws.dynamodb(), models_table) == []


def test_run_sync_takes_a_source_over_the_setting(
    aws: AwsClients, source_bucket: CatalogBucket, models_table: str
) -> None:
    settings = Settings(
        models_table=models_table, catalog_source=source_bucket.upload([model_doc("a")])
    )
    override = source_bucket.upload([model_doc("b")], key="other.json")
    report = run_sync(settings, aws=aws, source=override)
    assert report.source == override
    assert published_ids(aws.dynamodb(), models_table) == ["b"]


def test_the_deployed_handler_reads_the_environment_once(
    aws: AwsClients, models_table: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`sync_at_init()` is what the module builds at init: settings read then, once."""
    monkeypatch.setenv("MODELS_TABLE", models_table)
    handler = compose.sync_at_init()
    monkeypatch.setenv("MODELS_TABLE", "another-table")  # not seen: read once per container
    assert handler({}, None)["version"] == 1
    assert published_ids(aws.dynamodb(), models_table) == BUNDLED_IDS


def test_sync_at_init_fails_on_a_bad_setting_naming_the_sync(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv(env.SYNC_MAX_REMOVE_FRACTION, "2")
    with pytest.raises(SettingsError, match=env.SYNC_MAX_REMOVE_FRACTION):
        compose.sync_at_init()
    assert "the sync cannot start" in caplog.text

"""The composition root: each job's wiring, in one place, from `Settings`.

- the API: `build_api(settings)` gives the `Services` its app answers with
  (`handler.app.create_app(services)`); `api_at_init()` is the deployed one (handler/api.py);
- the sync: `run_sync(settings, ...)` is one run, wired; `build_sync(settings)` the Lambda
  handler that runs it per event; `sync_at_init()` the deployed one (handler/sync.py).

The third job, the provider audit, is composed in handler/audit_job.py (`run_audit_job`,
`deployed_handler`), not here: it ships in an artifact of its own (httpx, the providers), and
this module is on the API's cold path. The deployed entries, the CLI (devtools/) and
`ar-models dev` all call these, so there is one wiring per job; nothing here runs at import.
`*_at_init()` reads this process's environment (handler/settings.py) and, on a bad setting,
logs one line naming it and raises, so the Lambda init fails instead of every request or run.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from apikeys.store import ApiKeyStore
from apikeys.verifier import KeyVerifier
from awsclients import REQUEST_ATTEMPTS, AwsClients, Profile, preload
from catalog.bundled import bundled_snapshot
from catalog.cache import CatalogCache
from catalog.dynamodb import DynamoDBCatalogStore
from handler.deps import Services
from handler.metrics import catalog_degraded_reporter, lifecycle_reporter
from handler.operations import documented_routes
from handler.settings import MODELS_TABLE, Settings, SettingsError, settings_at_init
from handler.sync_event import SyncHandler, SyncRequest

if TYPE_CHECKING:
    from catalog.sync import PublishedCatalog, SyncReport

logger = logging.getLogger(__name__)


# --- The API --------------------------------------------------------------------------------


def build_api(settings: Settings, *, aws: AwsClients | None = None) -> Services:
    """The API's services. `aws`: the clients to use (default: boto3's own resolution, with
    the request profile's short timeouts)."""
    aws = aws or AwsClients(profile=Profile.REQUEST)
    if settings.models_table or settings.api_keys_table:
        # Paid here, at init, not by the first request (and kept in a SnapStart snapshot); the
        # client itself is still built on first use, after any restore.
        preload()
    catalog_store = (
        DynamoDBCatalogStore(
            settings.models_table, dynamodb=aws.dynamodb, read_attempts=REQUEST_ATTEMPTS
        )
        if settings.models_table
        else None
    )
    key_store = (
        ApiKeyStore(settings.api_keys_table, dynamodb=aws.dynamodb, read_attempts=REQUEST_ATTEMPTS)
        if settings.api_keys_table
        else None
    )
    verifier = KeyVerifier(key_store, dev_key=settings.dev_api_key)
    if not verifier.configured:
        logger.error("neither API_KEYS_TABLE nor DEV_API_KEY is set: every /v1 request is refused")
    report = (
        catalog_degraded_reporter(settings.function_name)
        if settings.function_name and catalog_store is not None
        else None
    )
    cache = CatalogCache(catalog_store, ttl=settings.catalog_cache_ttl, on_revalidated=report)
    return Services(cache, verifier)


def api_at_init() -> Services:
    """The services of the deployed API, from this process's environment."""
    settings = settings_at_init("API")
    services = build_api(settings)
    # The fallback, serialised now rather than by the first request that needs it (and kept in
    # a SnapStart snapshot): pure CPU work on packaged data, no I/O, nothing unique. Its
    # Anthropic shape too: Claude Code asks for it at start-up, with a 3 s timeout.
    bundled_snapshot().anthropic  # noqa: B018 (built on first access, kept)
    if settings.init_ahead_of_requests:
        # The declared operations too (about 80 ms, handler/operations.py): on demand, a cold
        # start leaves them to the first request that needs them (a filtered list,
        # /openapi.json); when no request waits for the init, they are built here, and kept.
        documented_routes()
    return services


# --- The sync -------------------------------------------------------------------------------


def run_sync(
    settings: Settings,
    *,
    aws: AwsClients,
    source: str | None = None,
    dry_run: bool = False,
    force: bool = False,
    allow_files: bool = False,
    wall_clock: Callable[[], float] = time.time,
    on_published: Callable[[PublishedCatalog], None] | None = None,
) -> SyncReport:
    """Read and validate the source, then publish it. Raises a CatalogError or SettingsError.

    `source` overrides `settings.catalog_source` for this run (`ar-models sync --source`).
    `allow_files`: a local path is a source too (the CLI, on the operator's machine); the
    deployed function leaves it false, so a path in its CATALOG_SOURCE is InvalidSource.
    `wall_clock` (epoch seconds) is the instant lifecycle statuses are evaluated at;
    `on_published` is told what is published after a run that is not a dry run (the metrics).
    """
    # Here, not at the top: the API's init imports this module too, and pays at every cold
    # start for each module imported (the sync's modules are not on its path).
    from catalog.change_events import EventBridgePublisher
    from catalog.source import CatalogSourceReader, SourceLocation
    from catalog.sync import CatalogSync

    if not settings.models_table:
        raise SettingsError(f"{MODELS_TABLE} is not set: there is no table to publish into")
    location = SourceLocation.parse(source or settings.catalog_source, allow_files=allow_files)
    models = CatalogSourceReader(s3=aws.s3).read(location)
    bus = settings.catalog_event_bus
    sync = CatalogSync(
        DynamoDBCatalogStore(
            settings.models_table,
            dynamodb=aws.dynamodb,
            cleanup_grace=settings.cleanup_grace_minutes * 60,
            wall_clock=wall_clock,
        ),
        publisher=EventBridgePublisher(bus, events=aws.events) if bus else None,
        max_remove_fraction=settings.sync_max_remove_fraction,
        wall_clock=wall_clock,
        on_published=on_published,
    )
    return sync.run(models, source=str(location), dry_run=dry_run, force=force)


def build_sync(
    settings: Settings,
    *,
    aws: AwsClients | None = None,
    wall_clock: Callable[[], float] = time.time,
) -> SyncHandler:
    """The sync's Lambda handler with these settings. `wall_clock` (epoch seconds): the instant
    each run evaluates lifecycle statuses at. On Lambda (a function name is set), every run that
    is not a dry run writes the lifecycle metrics of the published catalog (handler/metrics.py).
    """
    clients = aws or AwsClients()
    on_published = (
        lifecycle_reporter(settings.function_name, warning_days=settings.lifecycle_warning_days)
        if settings.function_name
        else None
    )

    def run(request: SyncRequest) -> SyncReport:
        return run_sync(
            settings,
            aws=clients,
            dry_run=request.dry_run,
            force=request.force,
            wall_clock=wall_clock,
            on_published=on_published,
        )

    return SyncHandler(run)


def sync_at_init() -> SyncHandler:
    """The sync of the deployed function, from this process's environment."""
    return build_sync(settings_at_init("sync"))

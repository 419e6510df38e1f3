"""Entry point of CatalogSyncFunction: the EventBridge schedule, a manual invoke, or the CLI.

The event may carry `{"dry_run": true}` (compute the change, write nothing) and `{"force": true}`
(lift the removal guard); a scheduled event carries neither. A failed run raises, so Lambda
counts an error (the alarm), retries, and finally dead-letters the event.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from awsclients import AwsClients
from handler.lambda_types import LambdaContext
from handler.settings import MODELS_TABLE, Settings, SettingsError, settings_at_init

if TYPE_CHECKING:
    from catalog.sync import PublishedCatalog, SyncReport

logger = logging.getLogger(__name__)


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
    from catalog.change_events import EventBridgePublisher
    from catalog.dynamodb import DynamoDBCatalogStore
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


class SyncHandler:
    """A Lambda entry point running the sync with these settings."""

    def __init__(
        self,
        settings: Settings,
        *,
        aws: AwsClients | None = None,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        """`wall_clock` (epoch seconds): the instant each run evaluates lifecycle statuses at.
        On Lambda (a function name is set), every run that is not a dry run writes the
        lifecycle metrics of the published catalog (handler/metrics.py)."""
        from handler.metrics import lifecycle_reporter

        self._settings = settings
        self._aws = aws or AwsClients()
        self._wall_clock = wall_clock
        self._on_published = (
            lifecycle_reporter(settings.function_name, warning_days=settings.lifecycle_warning_days)
            if settings.function_name
            else None
        )

    def __call__(self, event: Any, _context: LambdaContext | None) -> dict[str, Any]:
        """Run one sync; returns the report (also logged as one JSON line)."""
        from catalog.errors import RemovalRefused

        dry_run, force = _flag(event, "dry_run"), _flag(event, "force")
        try:
            report = run_sync(
                self._settings,
                aws=self._aws,
                dry_run=dry_run,
                force=force,
                wall_clock=self._wall_clock,
                on_published=self._on_published,
            )
        except RemovalRefused as exc:
            raise RemovalRefused(
                f'{exc}; to publish it anyway, invoke with {{"force": true}}',
                removed=exc.removed,
                published=exc.published,
            ) from None
        return report.to_dict()


def _flag(event: Any, name: str) -> bool:
    """A boolean option of the event; absent is false, anything but a JSON boolean is refused."""
    if event is None:
        return False
    if not isinstance(event, dict):
        raise ValueError(f"a sync event must be a JSON object, got {type(event).__name__}")
    value = event.get(name, False)
    if not isinstance(value, bool):
        raise ValueError(f"'{name}' must be true or false, got {value!r}")
    return value


def deployed_handler() -> SyncHandler:
    """The sync of the deployed function, from this process's environment. On a bad setting it
    logs one line naming it and raises, so the Lambda init fails instead of every run."""
    return SyncHandler(settings_at_init("sync"))


# The deployed function (template.yaml: handler.sync.lambda_handler), built at init.
lambda_handler = deployed_handler()

"""Entry point of CatalogSyncFunction: the EventBridge schedule, a manual invoke, or the CLI.

The event may carry `{"dry_run": true}` (compute the change, write nothing) and `{"force": true}`
(lift the removal guard); a scheduled event carries neither. A failed run raises, so Lambda
counts an error (the alarm), retries, and finally dead-letters the event.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from handler.settings import MODELS_TABLE, Settings, SettingsError, get_settings

if TYPE_CHECKING:
    from catalog.sync import SyncReport
    from handler.lambda_types import LambdaContext

logger = logging.getLogger(__name__)


def run_sync(
    settings: Settings, *, source: str | None = None, dry_run: bool = False, force: bool = False
) -> SyncReport:
    """Read and validate the source, then publish it. Raises a CatalogError or SettingsError."""
    from catalog.dynamodb import DynamoDBCatalogStore
    from catalog.events import EventBridgePublisher
    from catalog.source import CatalogSourceReader, SourceLocation
    from catalog.sync import CatalogSync

    if not settings.models_table:
        raise SettingsError(f"{MODELS_TABLE} is not set: there is no table to publish into")
    location = SourceLocation.parse(source or settings.catalog_source)
    models = CatalogSourceReader().read(location)
    bus = settings.catalog_event_bus
    sync = CatalogSync(
        DynamoDBCatalogStore(settings.models_table),
        publisher=EventBridgePublisher(bus) if bus else None,
        max_remove_fraction=settings.sync_max_remove_fraction,
    )
    return sync.run(models, source=str(location), dry_run=dry_run, force=force)


def lambda_handler(event: Any, _context: LambdaContext | None) -> dict[str, Any]:
    """Run one sync; returns the report (also logged as one JSON line)."""
    settings = get_settings()
    return run_sync(
        settings, dry_run=_flag(event, "dry_run"), force=_flag(event, "force")
    ).to_dict()


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

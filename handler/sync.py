"""Entry point of CatalogSyncFunction (template.yaml: handler.sync.lambda_handler): the
EventBridge schedule, a manual invoke. What an event may ask is handler/sync_event.py; the
wiring is handler/compose.py. Built at init: settings read and checked once.
"""

from __future__ import annotations

from handler.compose import sync_at_init
from handler.sync_event import SyncHandler

__all__ = ["lambda_handler"]

lambda_handler: SyncHandler = sync_at_init()

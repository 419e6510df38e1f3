"""The `CatalogChanged` event: what the sync tells routers and caches after it changed the catalog.

(Not to be confused with `events/`, the sample Lambda events for `sam local invoke`.)
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

from catalog.errors import EventPublishFailed

if TYPE_CHECKING:
    from mypy_boto3_events import EventBridgeClient

EVENT_SOURCE = "assistantrouter.models"
DETAIL_TYPE = "CatalogChanged"


def event_detail(detail: Any) -> str:
    """An event's `Detail` as EventBridge stores it (this one and the audit's CatalogDrift), or
    a part of one: compact JSON, ASCII. What the sync measures against EventBridge's size
    limit."""
    return json.dumps(detail, separators=(",", ":"))


class ChangePublisher(Protocol):
    """Somewhere a CatalogChanged event goes. Raises EventPublishFailed when it cannot."""

    def publish(self, detail: Mapping[str, Any]) -> None: ...


class EventBridgePublisher:
    """Puts one event of `detail_type` (CatalogChanged, or the audit's CatalogDrift) on an
    EventBridge bus, from EVENT_SOURCE."""

    def __init__(
        self,
        bus_name: str,
        *,
        events: Callable[[], EventBridgeClient],
        detail_type: str = DETAIL_TYPE,
    ) -> None:
        """`events` gives the client, built on first use (e.g. `AwsClients().events`)."""
        if not bus_name:
            raise ValueError("bus_name must not be empty")
        self.bus_name = bus_name
        self.detail_type = detail_type
        self._events = events

    def publish(self, detail: Mapping[str, Any]) -> None:
        # botocore comes with boto3: loaded when awsclients builds a client, never at import.
        from botocore.exceptions import BotoCoreError, ClientError

        entry = {
            "EventBusName": self.bus_name,
            "Source": EVENT_SOURCE,
            "DetailType": self.detail_type,
            "Detail": event_detail(detail),
        }
        try:
            response = self._events().put_events(Entries=[entry])  # type: ignore[list-item]
        except (ClientError, BotoCoreError) as exc:
            raise EventPublishFailed(f"{self.detail_type} to bus {self.bus_name}: {exc}") from exc
        # PutEvents answers 200 even when an entry failed: the failure is in the entry.
        if response.get("FailedEntryCount", 0):
            failed = response["Entries"][0]
            raise EventPublishFailed(
                f"{self.detail_type} to bus {self.bus_name}: "
                f"{failed.get('ErrorCode')}: {failed.get('ErrorMessage')}"
            )

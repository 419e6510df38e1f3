"""Test doubles: a clock moved by hand, a call counter on the wire, change-event recorders."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from catalog.errors import EventPublishFailed


class FakeClock:
    """A monotonic clock that tests move by hand (`clock.now += ttl`)."""

    def __init__(self, now: float = 0.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class CallCounter:
    """Counts the API calls a botocore client really makes, by operation name (on the wire)."""

    WRITES = frozenset({"BatchWriteItem", "PutItem", "UpdateItem", "DeleteItem"})

    def __init__(self, client: Any) -> None:
        self.calls: list[str] = []
        client.meta.events.register("before-call", self._record)

    def _record(self, model: Any, **_: Any) -> None:
        self.calls.append(model.name)

    def count(self, operation: str) -> int:
        return self.calls.count(operation)

    @property
    def writes(self) -> list[str]:
        return [name for name in self.calls if name in self.WRITES]

    def reset(self) -> None:
        self.calls.clear()


class RecordingPublisher:
    """Keeps every CatalogChanged detail it is given."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    def publish(self, detail: Mapping[str, Any]) -> None:
        self.events.append(dict(detail))


class FailingPublisher:
    """A bus that refuses every event."""

    def publish(self, detail: Mapping[str, Any]) -> None:
        raise EventPublishFailed("bus is gone")

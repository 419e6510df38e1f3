"""Test doubles: a clock moved by hand, a call counter on the wire, change-event recorders."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bench.support import CallCounter as BenchCallCounter
from bench.support import FakeClock

__all__ = ["CallCounter", "FakeClock", "RecordingPublisher"]
from catalog.errors import EventPublishFailed


class CallCounter(BenchCallCounter):
    """Counts the API calls a botocore client really makes, by operation name (on the wire);
    the benchmarks' counter, with what the tests ask of it."""

    WRITES = frozenset({"BatchWriteItem", "PutItem", "UpdateItem", "DeleteItem"})

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

"""What one invoke of CatalogSyncFunction asks for, and the handler that runs it.

The event may carry `{"dry_run": true}` (compute the change, write nothing) and `{"force": true}`
(lift the removal guard); a scheduled event carries neither (EventBridge's envelope keys are
accepted and ignored). Any other key is refused before anything is read: `{"dryrun": true}`
must not publish for real. A failed run raises, so Lambda counts an error (the alarm), retries,
and finally dead-letters the event. The wiring (stores, source, metrics) is handler/compose.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from catalog.errors import RemovalRefused
from catalog.problems import quoted

if TYPE_CHECKING:
    from catalog.sync import SyncReport
    from handler.lambda_types import LambdaContext

_OPTIONS = ("dry_run", "force")
# What an EventBridge rule or schedule wraps around its payload (events/scheduled-sync.json).
_ENVELOPE = frozenset(
    {"version", "id", "detail-type", "source", "account", "time", "region", "resources", "detail"}
)


@dataclass(frozen=True, slots=True)
class SyncRequest:
    """The options of one run, read from its event."""

    dry_run: bool = False
    force: bool = False

    @classmethod
    def from_event(cls, event: Any) -> SyncRequest:
        """Read and check the event; anything it cannot mean raises ValueError saying why."""
        if event is None:
            return cls()
        if not isinstance(event, dict):
            raise ValueError(f"a sync event must be a JSON object, got {type(event).__name__}")
        unknown = sorted(str(key) for key in event if key not in _OPTIONS and key not in _ENVELOPE)
        if unknown:
            raise ValueError(
                f"unknown key(s) in the sync event: {', '.join(map(quoted, unknown[:5]))}; "
                f"a sync event takes only {' and '.join(map(repr, _OPTIONS))} (true or false)"
            )
        return cls(dry_run=_flag(event, "dry_run"), force=_flag(event, "force"))


def _flag(event: dict[str, Any], name: str) -> bool:
    """A boolean option of the event; absent is false, anything but a JSON boolean is refused."""
    value = event.get(name, False)
    if not isinstance(value, bool):
        raise ValueError(f"'{name}' must be true or false, got {value!r}")
    return value


class SyncHandler:
    """A Lambda entry point: reads the event, then runs the sync it asks for with `run`."""

    def __init__(self, run: Callable[[SyncRequest], SyncReport]) -> None:
        self._run = run

    def __call__(self, event: Any, _context: LambdaContext | None) -> dict[str, Any]:
        """Run one sync; returns the report (also logged as one JSON line)."""
        request = SyncRequest.from_event(event)
        try:
            report = self._run(request)
        except RemovalRefused as exc:
            raise RemovalRefused(
                f'{exc}; to publish it anyway, invoke with {{"force": true}}',
                removed=exc.removed,
                published=exc.published,
            ) from None
        return report.to_dict()

"""The backoff after a failed call on the request path: no call for a while, then one.

When a table fails, the API's caches serve what they have (the catalog's last good snapshot,
the keys verified a moment ago) and leave the table alone for `seconds`, so an outage costs
one failed call per container and backoff, not one per request. The time counts from the
moment the failed call ENDED: a call that hung for its whole time budget must not leave a
backoff that has already run out, or every request during an outage would pay the budget
again.

Here, beside `retry_transient`, because the two together are what a failing table costs a
request (at most two attempts, then none for `seconds`), and because this is the one package
both domains already import that imports neither of them: `catalog.cache` and
`apikeys.verifier` share this rule without an import between the domains (nor of `handler`,
which imports both).
"""

from __future__ import annotations

from collections.abc import Callable


class FailureBackoff:
    """After `failed()`, `ready()` is False for `seconds` from that moment; `succeeded()` ends
    it at once. `clock`: monotonic seconds, the one its caller times its calls with."""

    def __init__(self, seconds: float, *, clock: Callable[[], float]) -> None:
        if seconds < 0:
            raise ValueError("a backoff must not be negative")
        self.seconds = seconds
        self._clock = clock
        self._until: float | None = None  # no call before this instant

    def ready(self, now: float) -> bool:
        """Whether a call may be made at `now`: no failure yet, or its backoff is over."""
        return self._until is None or now >= self._until

    def remaining(self, now: float) -> float:
        """Seconds until the next call may be made (0 when one may be made now)."""
        return 0.0 if self._until is None else max(self._until - now, 0.0)

    def failed(self) -> float:
        """A call failed and has just returned: no call for `seconds` from now. Returns now
        (the moment the failed call ended, by the clock)."""
        ended = self._clock()
        self._until = ended + self.seconds
        return ended

    def succeeded(self) -> None:
        """A call answered: the next one may be made whenever it is needed."""
        self._until = None

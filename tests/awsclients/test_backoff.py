"""awsclients/backoff.py: after a failed call, none for the backoff, counted from when the failed
call ended; then one. The catalog cache and the key verifier both keep it (their own tests show
it through what they serve); here it is on a table that a caller guards with it."""

from __future__ import annotations

import pytest

from awsclients.backoff import FailureBackoff
from tests.support.fakes import FakeClock


class FlakyTable:
    """A table that fails (taking `latency` seconds to do so) until told to answer."""

    def __init__(self, clock: FakeClock, *, latency: float) -> None:
        self.clock = clock
        self.latency = latency
        self.failing = True
        self.calls = 0

    def get(self) -> str:
        self.calls += 1
        self.clock.now += self.latency
        if self.failing:
            raise ConnectionError("table unreachable")
        return "answer"


def guarded_get(table: FlakyTable, backoff: FailureBackoff, clock: FakeClock) -> str | None:
    """What a caller does: no call while the backoff runs, else one call (None: no answer)."""
    if not backoff.ready(clock()):
        return None
    try:
        answer = table.get()
    except ConnectionError:
        backoff.failed()
        return None
    backoff.succeeded()
    return answer


def test_a_failure_then_a_request_inside_the_backoff_makes_no_call_and_after_it_one() -> None:
    clock = FakeClock(100.0)
    table = FlakyTable(clock, latency=0.0)
    backoff = FailureBackoff(5.0, clock=clock)
    assert guarded_get(table, backoff, clock) is None
    assert table.calls == 1
    for _ in range(3):
        clock.now += 1.0
        assert guarded_get(table, backoff, clock) is None
    assert table.calls == 1  # inside the backoff: no call at all
    clock.now = 105.0
    table.failing = False
    assert guarded_get(table, backoff, clock) == "answer"
    assert table.calls == 2


def test_the_backoff_counts_from_when_the_failed_call_ended() -> None:
    clock = FakeClock(0.0)
    table = FlakyTable(clock, latency=4.0)  # a call that hangs for most of its budget
    backoff = FailureBackoff(5.0, clock=clock)
    assert guarded_get(table, backoff, clock) is None  # started at 0, ended at 4
    clock.now = 8.9  # 5 s after the start, not after the end
    assert guarded_get(table, backoff, clock) is None
    assert table.calls == 1
    assert backoff.remaining(clock()) == pytest.approx(0.1)
    clock.now = 9.0
    assert guarded_get(table, backoff, clock) is None
    assert table.calls == 2


def test_failed_returns_the_moment_the_failed_call_ended() -> None:
    clock = FakeClock(3.0)
    backoff = FailureBackoff(2.0, clock=clock)
    assert backoff.failed() == 3.0
    assert backoff.remaining(3.5) == pytest.approx(1.5)
    assert backoff.remaining(6.0) == 0.0


def test_an_answer_ends_the_backoff_and_without_a_failure_calls_are_never_held_back() -> None:
    clock = FakeClock(0.0)
    backoff = FailureBackoff(5.0, clock=clock)
    assert backoff.ready(0.0)
    assert backoff.remaining(0.0) == 0.0
    backoff.failed()
    assert not backoff.ready(1.0)
    backoff.succeeded()
    assert backoff.ready(1.0)


def test_a_zero_backoff_holds_nothing_back_and_a_negative_one_is_refused() -> None:
    clock = FakeClock(0.0)
    backoff = FailureBackoff(0.0, clock=clock)
    backoff.failed()
    assert backoff.ready(0.0)
    with pytest.raises(ValueError, match="negative"):
        FailureBackoff(-1.0, clock=clock)

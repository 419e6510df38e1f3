"""handler/sync_event.py: what one invoke of the sync may ask, read and checked before anything
runs, and the handler that runs it. (The sync wired to moto, event by event, is
tests/handler/test_sync.py's.)"""

from __future__ import annotations

import re
from typing import Any

import pytest

from catalog.errors import RemovalRefused
from catalog.problems import VALUE_LIMIT
from catalog.sync import SyncReport
from handler.sync_event import SyncHandler, SyncRequest
from tests.support.events import load


def report_of(request: SyncRequest) -> SyncReport:
    """What a run of `request` gives back (the handler answers its `to_dict()`)."""
    return SyncReport(
        source="bundled",
        dry_run=request.dry_run,
        added=["forced"] if request.force else [],
        updated=[],
        removed=[],
        deprecated=[],
        retired=[],
        unchanged=0,
        version=None,
        duration_ms=0,
    )


class Runs:
    """A run that records the requests it was given."""

    def __init__(self) -> None:
        self.requests: list[SyncRequest] = []

    def __call__(self, request: SyncRequest) -> SyncReport:
        self.requests.append(request)
        return report_of(request)


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        (None, SyncRequest()),
        ({}, SyncRequest()),
        ({"dry_run": True}, SyncRequest(dry_run=True)),
        ({"force": True}, SyncRequest(force=True)),
        ({"dry_run": False, "force": True}, SyncRequest(dry_run=False, force=True)),
        ({"dry_run": True, "force": True}, SyncRequest(dry_run=True, force=True)),
    ],
)
def test_each_option_is_read_and_an_absent_one_is_false(event: Any, expected: SyncRequest) -> None:
    assert SyncRequest.from_event(event) == expected


def test_every_key_of_an_eventbridge_envelope_is_accepted_and_ignored() -> None:
    envelope = load("scheduled-sync.json")
    assert SyncRequest.from_event(envelope) == SyncRequest()
    every_key: dict[str, Any] = dict.fromkeys(
        ["version", "id", "detail-type", "source", "account", "time", "region", "resources"], "x"
    )
    every_key["detail"] = {"dry_run": True}  # the envelope's payload is not ours to read
    assert SyncRequest.from_event(every_key) == SyncRequest()
    assert SyncRequest.from_event({**every_key, "dry_run": True}) == SyncRequest(dry_run=True)


@pytest.mark.parametrize(
    ("event", "message"),
    [
        ("dry_run", "a sync event must be a JSON object, got str"),
        ([{"dry_run": True}], "a sync event must be a JSON object, got list"),
        (True, "a sync event must be a JSON object, got bool"),
        (
            {"dryrun": True},
            "unknown key(s) in the sync event: 'dryrun'; a sync event takes only 'dry_run' and "
            "'force' (true or false)",
        ),
        ({"dry_run": "true"}, "'dry_run' must be true or false, got 'true'"),
        ({"force": 1}, "'force' must be true or false, got 1"),
        ({"force": None}, "'force' must be true or false, got None"),
    ],
)
def test_an_event_it_cannot_mean_is_refused_saying_why(event: Any, message: str) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        SyncRequest.from_event(event)


def test_unknown_keys_are_listed_sorted_bounded_and_each_shortened() -> None:
    long_key = "k" * 500
    event = {name: True for name in ["zz", "b", "a", "c", "d", "e", long_key]}
    with pytest.raises(ValueError, match="unknown key") as refused:
        SyncRequest.from_event(event)
    message = str(refused.value)
    # The first five, in order: a key the size of a payload is not quoted whole.
    assert message.startswith("unknown key(s) in the sync event: 'a', 'b', 'c', 'd', 'e'; ")
    assert "zz" not in message
    assert "k" * (VALUE_LIMIT + 1) not in message
    with pytest.raises(ValueError, match=f"'{'k' * VALUE_LIMIT}\\.\\.\\.';"):
        SyncRequest.from_event({long_key: True})


def test_the_handler_runs_what_the_event_asks_and_answers_the_report() -> None:
    runs = Runs()
    handler = SyncHandler(runs)
    assert handler({"dry_run": True}, None) == report_of(SyncRequest(dry_run=True)).to_dict()
    assert handler({"force": True}, None)["added"] == ["forced"]
    assert handler(None, None) == report_of(SyncRequest()).to_dict()
    assert runs.requests == [SyncRequest(dry_run=True), SyncRequest(force=True), SyncRequest()]


def test_a_refused_event_runs_nothing() -> None:
    runs = Runs()
    with pytest.raises(ValueError, match="unknown key"):
        SyncHandler(runs)({"dry-run": True}, None)
    assert runs.requests == []


def test_a_refused_removal_says_how_to_force_it_and_keeps_what_it_refused() -> None:
    def refuse(_request: SyncRequest) -> SyncReport:
        raise RemovalRefused("the sync would remove 3 of 4 models", removed=["a"], published=4)

    with pytest.raises(RemovalRefused) as refused:
        SyncHandler(refuse)({}, None)
    assert str(refused.value) == (
        'the sync would remove 3 of 4 models; to publish it anyway, invoke with {"force": true}'
    )
    assert (refused.value.removed, refused.value.published) == (["a"], 4)
    # One error in the log, not the same one twice: the original is not chained.
    assert refused.value.__cause__ is None
    assert refused.value.__suppress_context__


def test_any_other_failure_of_the_run_is_raised_as_it_is() -> None:
    failure = RuntimeError("the table is gone")

    def fail(_request: SyncRequest) -> SyncReport:
        raise failure

    with pytest.raises(RuntimeError) as raised:
        SyncHandler(fail)({}, None)
    assert raised.value is failure

"""Lifecycle statuses at an instant: pure functions of the document and the wall clock, and the
snapshot and cache that serve them, changing at the date itself with no store call."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

from catalog.bundled import bundled_models
from catalog.cache import CatalogCache, ServedFrom
from catalog.lifecycle import (
    day_start,
    deprecation_headers,
    next_transition,
    status_at,
    statuses_at,
)
from catalog.schema import Model
from catalog.served import served_wire
from catalog.snapshot import CatalogSnapshot
from tests.support.factories import BUNDLED_IDS, CURRENT_IDS, SEED_IDS, make_model, model_doc
from tests.support.fakes import FakeClock
from tests.support.memory_store import InMemoryCatalogStore

DEPRECATED_AT = "2026-10-14"
SHUTDOWN_AT = "2027-01-14"
D = 1791936000.0  # 2026-10-14T00:00:00Z
S = 1799884800.0  # 2027-01-14T00:00:00Z
# The day of this work: the bundled catalog's statuses are asserted on it, never on today.
NOV_27_2026 = 1795737600.0  # 2026-11-27T00:00:00Z


def dated(model_id: str = "m", **lifecycle: Any) -> Any:
    return make_model(model_id, lifecycle=lifecycle)


def test_day_start_is_midnight_utc() -> None:
    assert day_start(DEPRECATED_AT) == D
    assert day_start(SHUTDOWN_AT) == S
    assert day_start("2026-11-27") == NOV_27_2026


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (D - 1, "active"),
        (D - 0.001, "active"),
        (D, "deprecated"),  # from 00:00 UTC of the date itself
        (S - 0.001, "deprecated"),
        (S, "retired"),
        (S + 10 * 365 * 86400, "retired"),
    ],
)
def test_the_status_changes_at_00_00_utc_of_each_date(now: float, expected: str) -> None:
    model = dated(deprecated_at=DEPRECATED_AT, shutdown_at=SHUTDOWN_AT)
    assert status_at(model, now) == expected


def test_only_a_shutdown_date_goes_from_active_to_retired() -> None:
    model = dated(shutdown_at=SHUTDOWN_AT)
    assert [status_at(model, t) for t in (D, S - 1, S)] == ["active", "active", "retired"]


@pytest.mark.parametrize(
    ("stated", "now", "expected"),
    [
        ("deprecated", D - 1, "deprecated"),  # the curator's status is a floor
        ("deprecated", S, "retired"),  # the dates move it forward
        ("retired", D - 1, "retired"),
        ("active", S, "retired"),
    ],
)
def test_the_served_status_is_the_later_of_the_dates_and_the_stated_one(
    stated: str, now: float, expected: str
) -> None:
    model = dated(status=stated, deprecated_at=DEPRECATED_AT, shutdown_at=SHUTDOWN_AT)
    assert status_at(model, now) == expected


def test_a_stated_status_without_dates_and_no_lifecycle_at_all() -> None:
    assert status_at(dated(status="deprecated"), 0) == "deprecated"
    assert status_at(make_model("plain"), 0) == "active"
    assert next_transition([dated(status="retired"), make_model("plain")], 0) == math.inf


def test_next_transition_is_the_first_date_ahead_of_any_model() -> None:
    models = [
        dated("a", deprecated_at=DEPRECATED_AT, shutdown_at=SHUTDOWN_AT),
        dated("b", shutdown_at="2026-12-01"),
    ]
    assert next_transition(models, 0) == D
    assert next_transition(models, D) == day_start("2026-12-01")  # strictly after `now`
    assert next_transition(models, day_start("2026-12-01")) == S
    assert next_transition(models, S) == math.inf


def test_the_served_lifecycle_has_the_derived_status_first_and_the_dates_as_given() -> None:
    model = dated(deprecated_at=DEPRECATED_AT, shutdown_at=SHUTDOWN_AT, successor="m2")
    assert served_wire(model, D)["lifecycle"] == {
        "status": "deprecated",
        "deprecated_at": DEPRECATED_AT,
        "shutdown_at": SHUTDOWN_AT,
        "successor": "m2",
    }
    assert next(iter(served_wire(model, D)["lifecycle"])) == "status"
    assert served_wire(dated(shutdown_at=SHUTDOWN_AT), S)["lifecycle"] == {
        "status": "retired",
        "shutdown_at": SHUTDOWN_AT,
    }
    assert "lifecycle" not in served_wire(make_model("plain"), S)


def test_deprecation_headers() -> None:
    model = dated(deprecated_at=DEPRECATED_AT, shutdown_at=SHUTDOWN_AT, successor="gpt-6-luna")
    assert deprecation_headers(model, D - 1) == {}  # active: none
    assert deprecation_headers(model, D) == {
        "Deprecation": f"@{int(D)}",
        "Sunset": "Thu, 14 Jan 2027 00:00:00 GMT",
        "Link": '</v1/models/gpt-6-luna>; rel="successor-version"',
    }
    # Only a shutdown date: deprecated by then at the latest.
    assert deprecation_headers(dated(shutdown_at=SHUTDOWN_AT), S) == {
        "Deprecation": f"@{int(S)}",
        "Sunset": "Thu, 14 Jan 2027 00:00:00 GMT",
    }
    # A stated status, no date: no date is made up.
    assert deprecation_headers(dated(status="deprecated", successor="n"), 0) == {
        "Link": '</v1/models/n>; rel="successor-version"'
    }


def test_the_bundled_catalog_on_2026_11_27() -> None:
    statuses = statuses_at(bundled_models(), NOV_27_2026)
    assert list(statuses) == BUNDLED_IDS
    assert {m for m, s in statuses.items() if s == "active"} == set(CURRENT_IDS)
    assert {m for m, s in statuses.items() if s == "deprecated"} == {"gpt-4o", "gpt-4o-mini"}
    assert [s for s in statuses.values()].count("retired") == 6
    assert next_transition(bundled_models(), NOV_27_2026) == S  # gpt-4o's shutdown


# --- the snapshot and the cache ----------------------------------------------------------


def lifecycle_docs() -> list[dict[str, Any]]:
    return [
        model_doc(
            "old",
            lifecycle={
                "deprecated_at": DEPRECATED_AT,
                "shutdown_at": SHUTDOWN_AT,
                "successor": "new",
            },
        ),
        model_doc("new", aliases=["new-latest"]),
    ]


def body_of(snapshot: CatalogSnapshot, model_id: str) -> Any:
    return json.loads(snapshot.model_body(model_id).content)


def test_a_snapshot_knows_until_when_its_bodies_are_true() -> None:
    models = [Model.model_validate(doc) for doc in lifecycle_docs()]
    before = CatalogSnapshot.build(1, models, now=D - 1)
    assert (before.valid_until, before.statuses["old"]) == (D, "active")
    assert body_of(before, "old")["lifecycle"]["status"] == "active"
    assert before.model_body("old").headers == ()
    after = before.at(D)
    assert (after.valid_until, after.statuses["old"]) == (S, "deprecated")
    assert after.version == before.version
    assert after.models == before.models
    assert body_of(after, "old")["lifecycle"]["status"] == "deprecated"
    assert after.model_body("old").etag != before.model_body("old").etag
    assert after.list_body.etag != before.list_body.etag
    assert after.model_body("new").etag == before.model_body("new").etag  # unchanged: same tag
    assert dict(after.model_body("old").headers)["Link"].startswith("</v1/models/new>")


def test_an_alias_answers_the_canonical_body() -> None:
    models = [Model.model_validate(doc) for doc in lifecycle_docs()]
    snapshot = CatalogSnapshot.build(1, models, now=0)
    assert snapshot.model_body("new-latest") is snapshot.model_body("new")
    assert body_of(snapshot, "new-latest")["id"] == "new"


def test_an_alias_that_names_another_model_is_ignored_by_the_snapshot() -> None:
    # A validated catalog never has one (parse_catalog refuses it); data read some other way
    # must still never make a name answer two models.
    models = [make_model("a", aliases=["b"]), make_model("b"), make_model("c", aliases=["b"])]
    snapshot = CatalogSnapshot.build(1, models, now=0)
    assert body_of(snapshot, "b")["id"] == "b"


def test_the_status_flips_at_the_exact_date_with_no_store_call() -> None:
    store = InMemoryCatalogStore()
    store.publish(lifecycle_docs())
    monotonic, wall = FakeClock(1000.0), FakeClock(D - 1)
    cache = CatalogCache(store, ttl=60, clock=monotonic, wall_clock=wall)
    first = cache.current()
    assert first.snapshot.statuses["old"] == "active"
    reads = list(store.calls)
    wall.now = D - 0.001
    assert cache.current() is first  # not yet: the very same snapshot
    wall.now = D
    flipped = cache.current()
    assert flipped.snapshot.statuses["old"] == "deprecated"
    assert flipped.served_from is ServedFrom.DYNAMODB
    assert flipped.snapshot.model_body("old").etag != first.snapshot.model_body("old").etag
    assert store.calls == reads  # within the TTL: not one store call
    assert cache.current() is flipped  # rebuilt once, then kept
    wall.now = S
    assert cache.current().snapshot.statuses["old"] == "retired"
    assert store.calls == reads


def test_the_bundled_catalog_flips_too_with_no_store_at_all() -> None:
    wall = FakeClock(S - 1)
    bundled = CatalogSnapshot.build(0, bundled_models(), now=NOV_27_2026)
    cache = CatalogCache(None, bundled_snapshot=lambda: bundled, ttl=60, wall_clock=wall)
    assert cache.current().snapshot.statuses["gpt-4o"] == "deprecated"
    wall.now = S
    served = cache.current()
    assert served.served_from is ServedFrom.BUNDLED
    assert {served.snapshot.statuses[m] for m in SEED_IDS} == {"retired"}
    assert {served.snapshot.statuses[m] for m in CURRENT_IDS} == {"active"}
    assert served.snapshot.valid_until == math.inf


def test_a_snapshot_built_from_an_old_bundle_is_rebuilt_at_once() -> None:
    # SnapStart may restore an init-time snapshot long after it was taken.
    bundled = CatalogSnapshot.build(0, bundled_models(), now=0)
    assert set(bundled.statuses.values()) == {"active"}
    cache = CatalogCache(None, bundled_snapshot=lambda: bundled, ttl=60, wall_clock=lambda: S)
    statuses = cache.current().snapshot.statuses
    assert {statuses[m] for m in SEED_IDS} == {"retired"}


def test_lifecycle_counts_and_days_left_at_an_instant() -> None:
    """The arithmetic of the sync's metrics and of `ar-models lifecycle`, in one place."""
    from catalog.lifecycle import days_left, lifecycle_counts

    models = [
        make_model("soon", lifecycle={"deprecated_at": "2026-10-14", "shutdown_at": "2026-12-20"}),
        make_model("later", lifecycle={"shutdown_at": "2027-06-01"}),
        make_model("gone", lifecycle={"shutdown_at": "2026-11-01"}),
        make_model("plain"),
    ]
    counts = lifecycle_counts(models, NOV_27_2026, warning_days=30)
    assert (counts.deprecated, counts.retired, counts.shutting_down_soon) == (1, 1, 1)
    assert [days_left(m, NOV_27_2026) for m in models] == [23, 186, -26, None]

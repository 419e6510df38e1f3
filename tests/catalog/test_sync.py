"""The catalog sync's logic against the store port in memory: diff, guard, versions, announcements.

No moto here: what the DynamoDB adapter does on the wire (batches, retries, throttling) is
tested in test_sync_dynamodb.py, and test_store_contract.py keeps the two stores alike.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

import pytest

from catalog.errors import CatalogUnavailable, EventPublishFailed, RemovalRefused, VersionConflict
from catalog.schema import Model
from catalog.store import StoredEntry
from catalog.sync import CatalogSync, diff_entries
from tests.support.factories import make_model
from tests.support.fakes import FailingPublisher, RecordingPublisher
from tests.support.memory_store import InMemoryCatalogStore

SOURCE = "test"
# The guard every test runs with unless it says otherwise (the deployed default).
MAX_REMOVE_FRACTION = 0.2
WRITES = ("write_entries", "advance_version")


def catalog_of(n: int) -> list[Model]:
    return [make_model(f"model-{i:02}", context_length=1000 + i) for i in range(n)]


def sync_of(
    store: InMemoryCatalogStore,
    *,
    publisher: RecordingPublisher | FailingPublisher | None = None,
    max_remove_fraction: float = MAX_REMOVE_FRACTION,
) -> CatalogSync:
    return CatalogSync(store, publisher=publisher, max_remove_fraction=max_remove_fraction)


def published(store: InMemoryCatalogStore) -> tuple[int | None, list[Model]]:
    """What an API container would read now: version and models in order."""
    contents = store.read_catalog()
    return (None, []) if contents is None else (contents.version, contents.models)


def writes(store: InMemoryCatalogStore) -> list[str]:
    return [name for name in store.calls if name in WRITES]


@pytest.fixture
def store() -> InMemoryCatalogStore:
    return InMemoryCatalogStore()


def test_first_publish_adds_every_model_and_publishes_version_1(
    store: InMemoryCatalogStore,
) -> None:
    models = catalog_of(8)
    report = sync_of(store).run(models, source=SOURCE)
    assert report.added == [m.id for m in models]
    assert (report.updated, report.removed, report.unchanged) == ([], [], 0)
    assert (report.version, report.writes, report.dry_run) == (1, 8, False)
    assert writes(store) == ["write_entries", "advance_version"]
    assert published(store) == (1, models)  # same documents, same curated order


def test_a_second_run_with_the_same_source_writes_and_announces_nothing(
    store: InMemoryCatalogStore,
) -> None:
    sync = sync_of(store, publisher=(publisher := RecordingPublisher()))
    sync.run(catalog_of(30), source=SOURCE)
    store.calls.clear()
    publisher.events.clear()

    report = sync.run(catalog_of(30), source=SOURCE)

    assert store.calls == ["read_meta", "read_entries"]
    assert (report.added, report.updated, report.removed) == ([], [], [])
    assert (report.unchanged, report.version, report.writes) == (30, 1, 0)
    assert (report.event_published, publisher.events) == (False, [])


def test_changing_one_model_writes_one_entry_and_advances_the_version(
    store: InMemoryCatalogStore,
) -> None:
    sync = sync_of(store)
    models = catalog_of(5)
    sync.run(models, source=SOURCE)
    store.calls.clear()
    before = store.write_requests

    models[2] = make_model("model-02", context_length=2_000_000)
    report = sync.run(models, source=SOURCE)

    assert (report.added, report.updated, report.removed) == ([], ["model-02"], [])
    assert (report.unchanged, report.writes, report.version) == (4, 1, 2)
    assert writes(store) == ["write_entries", "advance_version"]
    assert store.write_requests - before == 1
    version, served = published(store)
    assert version == 2
    assert served[2].context_length == 2_000_000


def test_reordering_counts_as_an_update_and_is_served_in_the_new_order(
    store: InMemoryCatalogStore,
) -> None:
    sync = sync_of(store)
    models = catalog_of(3)
    sync.run(models, source=SOURCE)
    report = sync.run([models[2], models[0], models[1]], source=SOURCE)
    assert sorted(report.updated) == ["model-00", "model-01", "model-02"]
    assert [m.id for m in published(store)[1]] == ["model-02", "model-00", "model-01"]


def test_removing_a_model_within_the_guard_deletes_its_entry(store: InMemoryCatalogStore) -> None:
    sync = sync_of(store, max_remove_fraction=0.2)
    models = catalog_of(5)
    sync.run(models, source=SOURCE)
    report = sync.run(models[:4], source=SOURCE)  # 1 of 5 = 20%: allowed
    assert report.removed == ["model-04"]
    assert (report.writes, report.version) == (1, 2)
    assert "model-04" not in store.entries
    assert published(store) == (2, models[:4])


def test_removal_guard_refuses_and_leaves_the_store_untouched(
    store: InMemoryCatalogStore,
) -> None:
    sync = sync_of(store, max_remove_fraction=0.2)
    models = catalog_of(10)
    sync.run(models, source=SOURCE)
    store.calls.clear()

    with pytest.raises(RemovalRefused) as refused:
        sync.run(models[:7], source=SOURCE)  # 3 of 10 = 30%

    message = str(refused.value)
    assert "remove 3 of 10 published models (30%), more than the 20% allowed" in message
    assert "model-07, model-08, model-09" in message
    assert "force" not in message  # how to force it is the caller's to say (event, flag)
    assert refused.value.removed == ["model-07", "model-08", "model-09"]
    assert refused.value.published == 10
    assert writes(store) == []
    assert published(store) == (1, models)


def test_the_guard_compares_with_the_configured_fraction(store: InMemoryCatalogStore) -> None:
    models = catalog_of(10)
    sync_of(store).run(models, source=SOURCE)
    with pytest.raises(RemovalRefused):
        sync_of(store, max_remove_fraction=0.2).run(models[:7], source=SOURCE)
    report = sync_of(store, max_remove_fraction=0.3).run(models[:7], source=SOURCE)
    assert (len(report.removed), report.version) == (3, 2)


def test_a_zero_fraction_refuses_any_removal(store: InMemoryCatalogStore) -> None:
    models = catalog_of(10)
    sync = sync_of(store, max_remove_fraction=0)
    sync.run(models, source=SOURCE)
    with pytest.raises(RemovalRefused, match="remove 1 of 10"):
        sync.run(models[:9], source=SOURCE)
    assert sync.run([*models, make_model("model-new")], source=SOURCE).added == ["model-new"]


def test_forced_removal_goes_through_with_a_warning(
    store: InMemoryCatalogStore, caplog: pytest.LogCaptureFixture
) -> None:
    sync = sync_of(store, max_remove_fraction=0.2)
    models = catalog_of(10)
    sync.run(models, source=SOURCE, force=True)
    assert [r for r in caplog.records if r.levelname == "WARNING"] == []  # nothing removed
    report = sync.run(models[:2], source=SOURCE, force=True)
    assert len(report.removed) == 8
    assert published(store) == (2, models[:2])
    (warning,) = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert warning.startswith("forced: removing 8 model(s): ['model-02'")


def test_an_empty_source_is_refused_unless_forced(store: InMemoryCatalogStore) -> None:
    sync = sync_of(store, max_remove_fraction=1.0)  # even with no fraction limit
    sync.run(catalog_of(3), source=SOURCE)
    with pytest.raises(RemovalRefused, match=r"would empty the catalog$") as refused:
        sync.run([], source=SOURCE)
    assert (refused.value.removed, refused.value.published) == (
        ["model-00", "model-01", "model-02"],
        3,
    )
    assert len(published(store)[1]) == 3
    report = sync.run([], source=SOURCE, force=True)
    assert (len(report.removed), report.version) == (3, 2)
    assert published(store) == (2, [])


def test_an_empty_source_is_refused_even_into_an_empty_store(
    store: InMemoryCatalogStore,
) -> None:
    with pytest.raises(RemovalRefused, match="would empty the catalog"):
        sync_of(store, max_remove_fraction=1.0).run([], source=SOURCE)
    assert writes(store) == []


def test_dry_run_reports_the_change_and_writes_nothing(store: InMemoryCatalogStore) -> None:
    sync = sync_of(store, publisher=(publisher := RecordingPublisher()))
    models = catalog_of(5)
    sync.run(models, source=SOURCE)
    store.calls.clear()
    publisher.events.clear()

    changed = [make_model("model-00", owned_by="x"), *models[1:], make_model("model-new")]
    report = sync.run(changed, source=SOURCE, dry_run=True)

    assert report.dry_run is True
    assert (report.added, report.updated, report.removed) == (["model-new"], ["model-00"], [])
    assert (report.version, report.writes, report.event_published) == (1, 0, False)
    assert writes(store) == []
    assert publisher.events == []
    assert published(store) == (1, models)


def test_dry_run_on_an_empty_store_reports_no_version(store: InMemoryCatalogStore) -> None:
    report = sync_of(store).run(catalog_of(2), source=SOURCE, dry_run=True)
    assert (report.added, report.version) == (["model-00", "model-01"], None)
    assert writes(store) == []
    assert published(store) == (None, [])


def test_dry_run_applies_the_removal_guard_too(store: InMemoryCatalogStore) -> None:
    sync = sync_of(store)
    sync.run(catalog_of(4), source=SOURCE)
    with pytest.raises(RemovalRefused):
        sync.run(catalog_of(1), source=SOURCE, dry_run=True)


def test_catalog_changed_event_lists_what_changed(store: InMemoryCatalogStore) -> None:
    publisher = RecordingPublisher()
    sync = sync_of(store, publisher=publisher)
    models = catalog_of(5)
    sync.run(models, source="s3://bucket/models.json")
    report = sync.run(
        [make_model("model-00", context_length=7), *models[1:4], make_model("model-xl")],
        source="s3://bucket/models.json",
    )
    assert report.event_published is True
    assert publisher.events == [
        {
            "version": 1,
            "source": "s3://bucket/models.json",
            "added": [m.id for m in models],
            "updated": [],
            "removed": [],
        },
        {
            "version": 2,
            "source": "s3://bucket/models.json",
            "added": ["model-xl"],
            "updated": ["model-00"],
            "removed": ["model-04"],
        },
    ]


def test_an_undeliverable_event_fails_the_run_after_the_catalog_is_published(
    store: InMemoryCatalogStore, caplog: pytest.LogCaptureFixture
) -> None:
    with pytest.raises(EventPublishFailed):
        sync_of(store, publisher=FailingPublisher()).run(catalog_of(2), source=SOURCE)
    assert published(store)[0] == 1  # the catalog itself is right
    (logged,) = [r for r in caplog.records if r.levelname == "ERROR"]
    report = json.loads(logged.getMessage())
    assert report["added"] == ["model-00", "model-01"]
    assert (report["version"], report["event_published"]) == (1, False)


def test_the_report_is_logged_as_one_json_line(
    store: InMemoryCatalogStore, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO", logger="catalog.sync")
    ticks = iter([10.0, 10.25])  # the run starts, then reports 250 ms later
    sync = CatalogSync(store, max_remove_fraction=MAX_REMOVE_FRACTION, clock=lambda: next(ticks))
    report = sync.run(catalog_of(2), source=SOURCE)

    (line,) = [r.getMessage() for r in caplog.records if r.name == "catalog.sync"]
    assert "\n" not in line
    logged = json.loads(line)
    assert logged == report.to_dict()
    assert set(logged) >= {
        "source",
        "dry_run",
        "added",
        "updated",
        "removed",
        "unchanged",
        "version",
        "duration_ms",
    }
    assert logged["duration_ms"] == 250


class RacedStore(InMemoryCatalogStore):
    """Another sync run finishes while this one is writing."""

    def __init__(self) -> None:
        super().__init__()
        self.rival: Sequence[Model] | None = None

    def write_entries(self, puts: Mapping[str, StoredEntry], deletes: Sequence[str]) -> int:
        rival, self.rival = self.rival, None
        if rival is not None:
            sync_of(self).run(rival, source="rival")
        return super().write_entries(puts, deletes)


def test_a_run_that_loses_the_version_race_fails_cleanly_and_the_next_converges() -> None:
    store = RacedStore()
    sync_of(store).run(catalog_of(4), source=SOURCE)
    mine = [*catalog_of(4), make_model("model-mine")]
    store.rival = [*catalog_of(4), make_model("model-rival")]
    publisher = RecordingPublisher()

    with pytest.raises(VersionConflict):
        sync_of(store, publisher=publisher).run(mine, source=SOURCE)

    assert published(store)[0] == 2  # the rival's bump, not overwritten
    assert publisher.events == []  # the loser announces nothing
    report = sync_of(store).run(mine, source=SOURCE)
    assert report.removed == ["model-rival"]
    assert published(store) == (3, mine)


def test_a_write_that_fails_midway_is_repaired_by_the_next_run(
    store: InMemoryCatalogStore,
) -> None:
    sync_of(store).run(catalog_of(10), source=SOURCE)
    new = [make_model(f"model-{i:02}", context_length=5) for i in range(60)]
    store.accept_writes = 25

    with pytest.raises(CatalogUnavailable):
        sync_of(store).run(new, source=SOURCE)

    # 25 writes landed, the version did not move: warm containers keep serving version 1.
    version, half = published(store)
    assert version == 1
    assert sum(m.context_length == 5 for m in half) == 25

    store.accept_writes = None
    report = sync_of(store).run(new, source=SOURCE)
    assert report.version == 2
    assert len(report.updated) + len(report.added) == 35  # only what the failed run missed
    assert report.writes == 35
    assert published(store) == (2, new)


def test_items_written_but_never_announced_are_announced_by_the_next_run(
    store: InMemoryCatalogStore,
) -> None:
    sync_of(store).run(catalog_of(3), source=SOURCE)
    changed = [make_model("model-00", context_length=9), *catalog_of(3)[1:]]
    store.unavailable_for = {"advance_version"}  # the function timed out before its bump
    with pytest.raises(CatalogUnavailable):
        sync_of(store).run(changed, source=SOURCE)
    assert published(store) == (1, changed)  # the entries changed, the version did not
    store.unavailable_for = set()
    store.calls.clear()

    publisher = RecordingPublisher()
    report = sync_of(store, publisher=publisher).run(changed, source=SOURCE)

    assert (report.updated, report.writes, report.version) == ([], 0, 2)
    assert writes(store) == ["advance_version"]  # no entry rewritten, only the version moved
    assert publisher.events == [
        {"version": 2, "source": SOURCE, "added": [], "updated": [], "removed": []}
    ]
    store.calls.clear()
    assert sync_of(store).run(changed, source=SOURCE).version == 2  # and then it is stable
    assert writes(store) == []


def test_a_store_failure_before_any_write_publishes_nothing(
    store: InMemoryCatalogStore,
) -> None:
    store.unavailable = True
    publisher = RecordingPublisher()
    with pytest.raises(CatalogUnavailable):
        sync_of(store, publisher=publisher).run(catalog_of(2), source=SOURCE)
    assert writes(store) == []
    assert publisher.events == []


def test_diff_of_identical_entries_is_empty() -> None:
    entries = {"a": StoredEntry(0, {"id": "a"}), "b": StoredEntry(1, {"id": "b"})}
    diff = diff_entries(entries, dict(entries))
    assert not diff.changed
    assert diff.unchanged == 2


def test_diff_sorts_added_updated_and_removed() -> None:
    current = {
        "kept": StoredEntry(0, {"id": "kept"}),
        "moved": StoredEntry(1, {"id": "moved"}),
        "edited": StoredEntry(2, {"id": "edited"}),
        "zz-gone": StoredEntry(3, {"id": "zz-gone"}),
        "aa-gone": StoredEntry(4, {"id": "aa-gone"}),
    }
    desired = {
        "kept": StoredEntry(0, {"id": "kept"}),
        "moved": StoredEntry(3, {"id": "moved"}),
        "edited": StoredEntry(2, {"id": "edited", "x": 1}),
        "new": StoredEntry(1, {"id": "new"}),
    }
    diff = diff_entries(current, desired)
    assert (diff.added, diff.updated, diff.removed) == (
        ["new"],
        ["moved", "edited"],
        ["aa-gone", "zz-gone"],
    )
    assert diff.puts == {name: desired[name] for name in ("new", "moved", "edited")}
    assert (diff.unchanged, diff.changed) == (1, True)


@pytest.mark.parametrize("fraction", [-0.1, 1.5])
def test_remove_fraction_must_be_a_fraction(fraction: float) -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
        CatalogSync(InMemoryCatalogStore(), max_remove_fraction=fraction)

"""The catalog sync's logic against the store port in memory: diff, guard, publish, repair,
announcements, and what readers see when a run fails at any point.

No moto here: what the DynamoDB adapter does on the wire (batches, retries, throttling, calls
counted) is tested in test_sync_dynamodb.py, and test_store.py keeps the stores alike.
"""

from __future__ import annotations

import json

import pytest

from catalog.cache import CatalogCache, ServedFrom
from catalog.change_events import DETAIL_TYPE, EVENT_SOURCE, event_detail
from catalog.document import document_of
from catalog.errors import CatalogUnavailable, EventPublishFailed, RemovalRefused, VersionConflict
from catalog.lifecycle import day_start
from catalog.schema import Model
from catalog.store import CatalogDocument, Pointer, WrittenVersion
from catalog.sync import CatalogSync, Entry, PublishedCatalog, diff_entries
from tests.support.factories import make_model
from tests.support.fakes import FailingPublisher, FakeClock, RecordingPublisher
from tests.support.memory_store import InMemoryCatalogStore

SOURCE = "test"
# The guard every test runs with unless it says otherwise (the deployed default).
MAX_REMOVE_FRACTION = 0.2
WRITE_METHODS = ("write_version", "move_pointer", "clean_up")


class Crash(BaseException):
    """The run dies here (a Lambda timeout, an OOM kill): nothing after it runs, no handler."""


def catalog_of(n: int, *, context_length: int = 1000) -> list[Model]:
    return [make_model(f"model-{i:02}", context_length=context_length + i) for i in range(n)]


def digest_of(models: list[Model]) -> str:
    return document_of([m.to_wire() for m in models]).digest


def sync_of(
    store: InMemoryCatalogStore,
    *,
    publisher: RecordingPublisher | FailingPublisher | None = None,
    max_remove_fraction: float = MAX_REMOVE_FRACTION,
) -> CatalogSync:
    return CatalogSync(store, publisher=publisher, max_remove_fraction=max_remove_fraction)


def published(store: InMemoryCatalogStore) -> tuple[int | None, list[Model]]:
    """What a cold API container would read now: version and models in order."""
    contents = store.read_catalog()
    return (None, []) if contents is None else (contents.version, contents.models)


def write_calls(store: InMemoryCatalogStore) -> list[str]:
    return [name for name in store.calls if name in WRITE_METHODS]


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
    assert (report.version, report.dry_run) == (1, False)
    assert store.pointer is not None
    assert report.writes == store.pointer.chunks > 1  # the memory store's small chunks
    assert store.calls == ["read_pointer", "write_version", "move_pointer", "clean_up"]
    assert published(store) == (1, models)  # same documents, same curated order


def test_a_second_run_with_the_same_source_writes_and_announces_nothing(
    store: InMemoryCatalogStore,
) -> None:
    sync = sync_of(store, publisher=(publisher := RecordingPublisher()))
    sync.run(catalog_of(30), source=SOURCE)
    store.calls.clear()
    store.writes.clear()
    publisher.events.clear()

    report = sync.run(catalog_of(30), source=SOURCE)

    # Read back (whole, or it is repaired), then nothing to publish, nothing to clean up.
    assert store.calls == ["read_pointer", "read_document", "clean_up"]
    assert store.writes == []
    assert (report.added, report.updated, report.removed) == ([], [], [])
    assert (report.unchanged, report.version, report.writes) == (30, 1, 0)
    assert (report.event_published, publisher.events) == (False, [])


def test_changing_one_model_publishes_a_new_version_and_drops_the_one_before_the_last(
    store: InMemoryCatalogStore,
) -> None:
    sync = sync_of(store)
    models = catalog_of(5)
    sync.run(models, source=SOURCE)
    models[2] = make_model("model-02", context_length=2_000_000)
    sync.run(models, source=SOURCE)
    store.calls.clear()

    models[3] = make_model("model-03", context_length=3_000_000)
    report = sync.run(models, source=SOURCE)

    assert (report.added, report.updated, report.removed) == ([], ["model-03"], [])
    assert (report.unchanged, report.version) == (4, 3)
    assert store.calls == [
        "read_pointer",
        "read_document",
        "write_version",
        "move_pointer",
        "clean_up",
    ]
    assert store.pointer is not None
    deleted = report.writes - store.pointer.chunks
    assert deleted > 0  # version 1's chunks
    assert store.chunk_digests() == {store.pointer.digest, store.pointer.previous_digest}
    version, served = published(store)
    assert (version, served[3].context_length) == (3, 3_000_000)


def test_a_reorder_alone_lists_the_moved_model_not_updates_and_is_served_in_the_new_order(
    store: InMemoryCatalogStore,
) -> None:
    sync = sync_of(store)
    models = catalog_of(3)
    sync.run(models, source=SOURCE)
    report = sync.run([models[2], models[0], models[1]], source=SOURCE)
    assert (report.updated, report.moved, report.changes) == ([], ["model-02"], {})
    assert (report.unchanged, report.version) == (2, 2)  # a new order is a new version
    assert [m.id for m in published(store)[1]] == ["model-02", "model-00", "model-01"]


def test_inserting_a_model_in_the_middle_moves_and_updates_nothing_else(
    store: InMemoryCatalogStore,
) -> None:
    sync = sync_of(store)
    models = catalog_of(9)
    sync.run(models, source=SOURCE)
    report = sync.run([*models[:4], make_model("inserted"), *models[4:]], source=SOURCE)
    assert (report.added, report.updated, report.moved) == (["inserted"], [], [])
    assert report.unchanged == 9


def test_an_update_lists_every_changed_field_with_its_old_and_new_value(
    store: InMemoryCatalogStore,
) -> None:
    sync = sync_of(store)
    before = make_model(
        "m",
        display_name="M",
        pricing={"input_per_mtok": 2, "output_per_mtok": 10},
        lifecycle={"shutdown_at": "2027-01-14"},
    )
    sync.run([before, *catalog_of(4)], source=SOURCE)
    after = make_model(
        "m",
        pricing={"input_per_mtok": 4, "output_per_mtok": 10, "cached_input_per_mtok": 0.2},
        lifecycle={"shutdown_at": "2027-02-01"},
        knowledge_cutoff="2026-06",
    )
    report = sync.run([after, *catalog_of(4)], source=SOURCE, dry_run=True)
    assert report.updated == ["m"]
    assert report.changes == {
        "m": [
            {"field": "pricing.input_per_mtok", "old": 2, "new": 4},
            {"field": "pricing.cached_input_per_mtok", "new": 0.2},
            {"field": "knowledge_cutoff", "new": "2026-06"},
            {"field": "lifecycle.shutdown_at", "old": "2027-01-14", "new": "2027-02-01"},
            {"field": "display_name", "old": "M"},
        ]
    }


def test_removing_a_model_within_the_guard(store: InMemoryCatalogStore) -> None:
    sync = sync_of(store, max_remove_fraction=0.2)
    models = catalog_of(5)
    sync.run(models, source=SOURCE)
    report = sync.run(models[:4], source=SOURCE)  # 1 of 5 = 20%: allowed
    assert (report.removed, report.version) == (["model-04"], 2)
    assert published(store) == (2, models[:4])


def test_removal_guard_refuses_and_leaves_the_store_untouched(
    store: InMemoryCatalogStore,
) -> None:
    sync = sync_of(store, max_remove_fraction=0.2)
    models = catalog_of(10)
    sync.run(models, source=SOURCE)
    store.calls.clear()
    store.writes.clear()

    with pytest.raises(RemovalRefused) as refused:
        sync.run(models[:7], source=SOURCE)  # 3 of 10 = 30%

    message = str(refused.value)
    assert "remove 3 of 10 published models (30%), more than the 20% allowed" in message
    assert "model-07, model-08, model-09" in message
    assert "force" not in message  # how to force it is the caller's to say (event, flag)
    assert refused.value.removed == ["model-07", "model-08", "model-09"]
    assert refused.value.published == 10
    assert (write_calls(store), store.writes) == ([], [])
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
    assert write_calls(store) == []


def test_dry_run_reports_the_change_and_only_reads(store: InMemoryCatalogStore) -> None:
    sync = sync_of(store, publisher=(publisher := RecordingPublisher()))
    models = catalog_of(5)
    sync.run(models, source=SOURCE)
    store.calls.clear()
    store.writes.clear()
    publisher.events.clear()

    changed = [make_model("model-00", owned_by="x"), *models[1:], make_model("model-new")]
    report = sync.run(changed, source=SOURCE, dry_run=True)

    assert report.dry_run is True
    assert (report.added, report.updated, report.removed) == (["model-new"], ["model-00"], [])
    assert (report.version, report.writes, report.event_published) == (1, 0, False)
    assert store.calls == ["read_pointer", "read_document"]
    assert store.writes == []
    assert publisher.events == []
    assert published(store) == (1, models)


def test_dry_run_on_an_empty_store_reports_no_version(store: InMemoryCatalogStore) -> None:
    report = sync_of(store).run(catalog_of(2), source=SOURCE, dry_run=True)
    assert (report.added, report.version) == (["model-00", "model-01"], None)
    assert store.calls == ["read_pointer"]
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
            "moved": [],
            "deprecated": [],
            "retired": [],
            "changes": {},
        },
        {
            "version": 2,
            "source": "s3://bucket/models.json",
            "added": ["model-xl"],
            "updated": ["model-00"],
            "removed": ["model-04"],
            "moved": [],
            "deprecated": [],
            "retired": [],
            "changes": {"model-00": [{"field": "context_length", "old": 1000, "new": 7}]},
        },
    ]


# EventBridge refuses an entry over 256 KB: what a PutEvents entry of this detail would weigh.
EVENTBRIDGE_ENTRY_LIMIT = 256 * 1024


def test_a_first_publication_at_scale_announces_an_event_eventbridge_takes(
    store: InMemoryCatalogStore,
) -> None:
    """10,000 new models with long ids: every id in full would be over 1 MB. The event keeps
    the ids that fit and counts the others; the report still lists them all."""
    publisher = RecordingPublisher()
    models = [make_model(f"provider/{'x' * 90}-{n:05}") for n in range(10_000)]
    report = sync_of(store, publisher=publisher).run(models, source=SOURCE)
    (event,) = publisher.events
    assert len(event_detail(event)) + len(EVENT_SOURCE) + len(DETAIL_TYPE) < EVENTBRIDGE_ENTRY_LIMIT
    assert len(report.added) == 10_000
    assert event["added"] == report.added[: len(event["added"])]
    assert 0 < len(event["added"]) < 10_000
    assert event["added_omitted"] == 10_000 - len(event["added"])
    assert "updated_omitted" not in event  # nothing was left out of an empty list


def test_the_field_changes_an_event_carries_are_bounded_and_counted(
    store: InMemoryCatalogStore,
) -> None:
    """Every model updated with a long description: the event carries the changes of as many
    as fit, in curated order, and counts the others; every updated id still fits."""
    publisher = RecordingPublisher()
    sync = sync_of(store, publisher=publisher)
    models = catalog_of(400)
    sync.run(models, source=SOURCE)
    described = [
        make_model(m.id, context_length=m.context_length, description="d" * 1000) for m in models
    ]
    report = sync.run(described, source=SOURCE)
    event = publisher.events[-1]
    assert len(event_detail(event)) < EVENTBRIDGE_ENTRY_LIMIT
    assert event["updated"] == report.updated
    assert len(report.updated) == 400
    assert "updated_omitted" not in event
    kept = list(event["changes"])
    assert kept == report.updated[: len(kept)]
    assert 0 < len(kept) < 400
    assert event["changes_omitted"] == 400 - len(kept)


def test_a_small_run_announces_every_list_in_full(store: InMemoryCatalogStore) -> None:
    publisher = RecordingPublisher()
    sync_of(store, publisher=publisher).run(catalog_of(50), source=SOURCE)
    (event,) = publisher.events
    assert len(event["added"]) == 50
    assert not [key for key in event if key.endswith("_omitted")]


def test_an_undeliverable_event_fails_the_run_after_the_catalog_is_published(
    store: InMemoryCatalogStore, caplog: pytest.LogCaptureFixture
) -> None:
    sync_of(store).run(catalog_of(2), source=SOURCE)
    sync_of(store).run(catalog_of(3), source=SOURCE)
    with pytest.raises(EventPublishFailed):
        sync_of(store, publisher=FailingPublisher()).run(catalog_of(4), source=SOURCE)
    assert published(store) == (3, catalog_of(4))  # the catalog itself is right
    assert "clean_up" in store.calls  # and tidied: the retry will find nothing to do
    assert len(store.chunk_digests()) == 2
    (logged,) = [r for r in caplog.records if r.levelname == "ERROR"]
    report = json.loads(logged.getMessage())
    assert report["added"] == ["model-03"]
    assert (report["version"], report["event_published"]) == (3, False)


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
        "deprecated",
        "retired",
        "unchanged",
        "version",
        "duration_ms",
        "writes",
        "event_published",
    }
    assert logged["duration_ms"] == 250


# -- lifecycle: which models became deprecated or retired, and what is published after a run --

NOW = day_start("2026-11-27") + 3600.0  # 01:00 UTC


def lifecycle(**dates: str) -> dict[str, dict[str, str]]:
    return {"lifecycle": dates}


def lifecycle_sync(
    store: InMemoryCatalogStore,
    wall: FakeClock,
    *,
    publisher: RecordingPublisher | None = None,
    seen: list[PublishedCatalog] | None = None,
) -> CatalogSync:
    return CatalogSync(
        store,
        publisher=publisher,
        max_remove_fraction=MAX_REMOVE_FRACTION,
        wall_clock=wall,
        on_published=None if seen is None else seen.append,
    )


def test_an_edit_that_deprecates_one_model_and_retires_another_says_so(
    store: InMemoryCatalogStore,
) -> None:
    wall = FakeClock(NOW)
    publisher = RecordingPublisher()
    sync = lifecycle_sync(store, wall, publisher=publisher)
    models = [
        *catalog_of(3),
        make_model("old-deprecated", **lifecycle(deprecated_at="2026-01-01")),
        make_model("old-retired", **lifecycle(shutdown_at="2026-01-01")),
        make_model("later", **lifecycle(deprecated_at="2027-06-01")),
    ]
    first = sync.run(models, source=SOURCE)
    # Added already deprecated or retired: they count.
    assert (first.deprecated, first.retired) == (["old-deprecated"], ["old-retired"])
    publisher.events.clear()

    edited = [
        make_model("model-00", **lifecycle(deprecated_at="2026-11-27")),  # today: deprecated
        make_model("model-01", **lifecycle(deprecated_at="2026-11-01", shutdown_at="2026-11-20")),
        make_model("model-02", context_length=5),  # updated, still active
        *models[3:5],
        make_model("later", **lifecycle(deprecated_at="2027-06-01", successor="model-02")),
        make_model("new-retired", **lifecycle(status="retired")),  # stated, no dates
        make_model("new-active"),
    ]
    report = sync.run(edited, source=SOURCE)

    assert (report.deprecated, report.retired) == (["model-00"], ["model-01", "new-retired"])
    assert report.added == ["new-retired", "new-active"]
    assert report.updated == ["model-00", "model-01", "model-02", "later"]
    assert publisher.events == [
        {
            "version": 2,
            "source": SOURCE,
            "added": ["new-retired", "new-active"],
            "updated": ["model-00", "model-01", "model-02", "later"],
            "removed": [],
            "moved": [],
            "deprecated": ["model-00"],
            "retired": ["model-01", "new-retired"],
            "changes": report.changes,
        }
    ]
    assert report.changes["model-02"] == [{"field": "context_length", "old": 1002, "new": 5}]


def test_a_deprecated_model_that_retires_counts_as_retired_only(
    store: InMemoryCatalogStore,
) -> None:
    wall = FakeClock(NOW)
    sync = lifecycle_sync(store, wall)
    sync.run(
        [make_model("m", **lifecycle(deprecated_at="2026-01-01")), *catalog_of(4)], source=SOURCE
    )
    retiring = make_model("m", **lifecycle(deprecated_at="2026-01-01", shutdown_at="2026-11-01"))
    report = sync.run([retiring, *catalog_of(4)], source=SOURCE)
    assert (report.deprecated, report.retired) == ([], ["m"])
    # Back to deprecated (the provider postponed the shutdown): deprecated again, by the rule.
    report = sync.run(
        [make_model("m", **lifecycle(deprecated_at="2026-01-01")), *catalog_of(4)], source=SOURCE
    )
    assert (report.deprecated, report.retired) == (["m"], [])


def test_a_dry_run_reports_the_lifecycle_changes_and_tells_nothing_published(
    store: InMemoryCatalogStore,
) -> None:
    seen: list[PublishedCatalog] = []
    sync = lifecycle_sync(store, FakeClock(NOW), seen=seen)
    sync.run(catalog_of(5), source=SOURCE)
    seen.clear()
    edited = [make_model("model-00", **lifecycle(shutdown_at="2026-11-27")), *catalog_of(5)[1:]]
    report = sync.run(edited, source=SOURCE, dry_run=True)
    assert (report.dry_run, report.deprecated, report.retired) == (True, [], ["model-00"])
    assert seen == []
    assert published(store) == (1, catalog_of(5))


def test_time_passing_is_not_a_change_but_what_is_published_is_told_at_each_run(
    store: InMemoryCatalogStore,
) -> None:
    wall = FakeClock(NOW)
    publisher = RecordingPublisher()
    seen: list[PublishedCatalog] = []
    sync = lifecycle_sync(store, wall, publisher=publisher, seen=seen)
    models = [make_model("m", **lifecycle(deprecated_at="2026-12-01")), *catalog_of(4)]
    assert sync.run(models, source=SOURCE).deprecated == []  # not yet
    publisher.events.clear()

    wall.now = day_start("2026-12-01")  # the date has come: the same document
    report = sync.run(models, source=SOURCE)

    assert (report.version, report.writes, report.event_published) == (1, 0, False)
    assert (report.added, report.updated, report.deprecated, report.retired) == ([], [], [], [])
    assert publisher.events == []
    assert seen == [
        PublishedCatalog(version=1, models=models, now=NOW),
        PublishedCatalog(version=1, models=models, now=day_start("2026-12-01")),
    ]


def test_an_undeliverable_event_still_tells_what_is_published(store: InMemoryCatalogStore) -> None:
    seen: list[PublishedCatalog] = []
    sync = CatalogSync(
        store,
        publisher=FailingPublisher(),
        max_remove_fraction=MAX_REMOVE_FRACTION,
        wall_clock=FakeClock(NOW),
        on_published=seen.append,
    )
    with pytest.raises(EventPublishFailed):
        sync.run(catalog_of(2), source=SOURCE)
    assert [(p.version, len(p.models)) for p in seen] == [(1, 2)]


def test_a_failing_observer_does_not_fail_a_published_run(
    store: InMemoryCatalogStore, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(_published: PublishedCatalog) -> None:
        raise OSError("stdout is closed")

    sync = CatalogSync(store, max_remove_fraction=MAX_REMOVE_FRACTION, on_published=broken)
    assert sync.run(catalog_of(2), source=SOURCE).version == 1
    assert "reporting it failed" in caplog.text


# -- failures: a reader only ever sees one complete published version ------------------------


class RacedStore(InMemoryCatalogStore):
    """Another sync run publishes while this one is writing its chunks."""

    def __init__(self) -> None:
        super().__init__()
        self.rival: list[Model] | None = None

    def write_version(self, document: CatalogDocument, *, version: int) -> WrittenVersion:
        rival, self.rival = self.rival, None
        if rival is not None:
            sync_of(self).run(rival, source="rival")
        return super().write_version(document, version=version)


def test_a_run_that_loses_the_version_race_fails_cleanly_and_the_next_converges() -> None:
    store = RacedStore()
    sync_of(store).run(catalog_of(4), source=SOURCE)
    mine = [*catalog_of(4), make_model("model-mine")]
    rival = [*catalog_of(4), make_model("model-rival")]
    store.rival = rival
    publisher = RecordingPublisher()

    with pytest.raises(VersionConflict):
        sync_of(store, publisher=publisher).run(mine, source=SOURCE)

    assert published(store) == (2, rival)  # the rival's version, not overwritten
    assert publisher.events == []  # the loser announces nothing
    assert digest_of(mine) in store.chunk_digests()  # written, never visible

    report = sync_of(store).run(mine, source=SOURCE)
    assert (report.added, report.removed) == (["model-mine"], ["model-rival"])
    assert published(store) == (3, mine)
    assert store.chunk_digests() == {digest_of(mine), digest_of(rival)}


def test_a_loser_s_chunks_are_cleaned_up_once_another_version_is_published() -> None:
    store = RacedStore()
    sync_of(store).run(catalog_of(4), source=SOURCE)
    store.rival = catalog_of(4, context_length=7)
    with pytest.raises(VersionConflict):
        sync_of(store).run(catalog_of(4, context_length=8), source=SOURCE)
    third = catalog_of(4, context_length=9)
    sync_of(store).run(third, source=SOURCE)
    assert store.chunk_digests() == {digest_of(third), digest_of(catalog_of(4, context_length=7))}


# The scenario the issue names: 40 models published, then a run changing all 40 (and dropping
# the version before the published one, so the run also has a clean-up to do).
OLDER = catalog_of(40, context_length=100)
OLD = catalog_of(40, context_length=1000)
NEW = catalog_of(40, context_length=5000)


def scenario_store() -> InMemoryCatalogStore:
    store = InMemoryCatalogStore()
    sync_of(store).run(OLDER, source=SOURCE)
    sync_of(store).run(OLD, source=SOURCE)
    store.calls.clear()
    store.writes.clear()
    return store


def _writes_of_the_scenario() -> list[str]:
    store = scenario_store()
    sync_of(store).run(NEW, source=SOURCE)
    return store.writes


SCENARIO_WRITES = _writes_of_the_scenario()
POINTER_MOVE = SCENARIO_WRITES.index("move 3")


def test_the_scenario_has_writes_on_both_sides_of_the_pointer_move() -> None:
    assert POINTER_MOVE > 3  # several chunk puts
    assert len(SCENARIO_WRITES) - POINTER_MOVE > 3  # several clean-up deletes
    assert all(w.startswith("put") for w in SCENARIO_WRITES[:POINTER_MOVE])
    assert all(w.startswith("delete") for w in SCENARIO_WRITES[POINTER_MOVE + 1 :])


@pytest.mark.parametrize("failure", [CatalogUnavailable, Crash])
@pytest.mark.parametrize("landed", range(len(SCENARIO_WRITES)))
def test_a_run_that_fails_after_any_write_leaves_one_whole_version_and_the_next_converges(
    landed: int, failure: type[BaseException]
) -> None:
    """`landed` writes succeed, the next one fails (refused, throttled) or the run dies there
    (a crash, a timeout): warm and cold readers see exactly the old version until the pointer
    moved, exactly the new one after; the next run converges with nothing left over."""
    store = scenario_store()
    clock = FakeClock()
    warm = CatalogCache(store, ttl=60, clock=clock)
    assert warm.current().snapshot.version == 2
    store.accept_writes = landed
    store.failure = failure
    moved = landed > POINTER_MOVE

    if failure is CatalogUnavailable and moved:
        # A failed clean-up is logged, not fatal: the catalog is published.
        assert sync_of(store).run(NEW, source=SOURCE).version == 3
    else:
        with pytest.raises(failure):
            sync_of(store).run(NEW, source=SOURCE)

    store.accept_writes = None
    expected = (3, NEW) if moved else (2, OLD)
    assert published(store) == expected  # a cold container
    clock.now += 60
    served = warm.current()  # a warm one, after its TTL
    assert served.served_from is ServedFrom.DYNAMODB
    assert (served.snapshot.version, list(served.snapshot.models)) == expected

    report = sync_of(store).run(NEW, source=SOURCE)
    assert report.version == 3
    assert published(store) == (3, NEW)
    assert store.chunk_digests() == {digest_of(NEW), digest_of(OLD)}
    assert sync_of(store).run(NEW, source=SOURCE).writes == 0  # and then it is stable


def test_chunks_written_but_never_published_are_published_by_the_next_run(
    store: InMemoryCatalogStore,
) -> None:
    sync_of(store).run(catalog_of(3), source=SOURCE)
    changed = [make_model("model-00", context_length=9), *catalog_of(3)[1:]]
    store.unavailable_for = {"move_pointer"}  # the function timed out before its pointer move
    with pytest.raises(CatalogUnavailable):
        sync_of(store).run(changed, source=SOURCE)
    assert published(store) == (1, catalog_of(3))
    store.unavailable_for = set()
    store.writes.clear()

    publisher = RecordingPublisher()
    report = sync_of(store, publisher=publisher).run(changed, source=SOURCE)

    # The same digest: the same chunks again (harmless), then the pointer.
    assert (report.updated, report.version) == (["model-00"], 2)
    assert store.writes[-1] == "move 2"
    assert publisher.events == [
        {
            "version": 2,
            "source": SOURCE,
            "added": [],
            "updated": ["model-00"],
            "removed": [],
            "moved": [],
            "deprecated": [],
            "retired": [],
            "changes": {"model-00": [{"field": "context_length", "old": 1000, "new": 9}]},
        }
    ]
    assert published(store) == (2, changed)


def test_a_store_failure_before_any_write_publishes_nothing(
    store: InMemoryCatalogStore,
) -> None:
    store.unavailable = True
    publisher = RecordingPublisher()
    with pytest.raises(CatalogUnavailable):
        sync_of(store, publisher=publisher).run(catalog_of(2), source=SOURCE)
    assert store.writes == []
    assert publisher.events == []


def test_a_published_document_that_lost_a_chunk_is_rewritten_by_the_next_run(
    store: InMemoryCatalogStore, caplog: pytest.LogCaptureFixture
) -> None:
    models = catalog_of(10)
    sync_of(store).run(models, source=SOURCE)
    assert store.pointer is not None
    assert store.pointer.digest is not None
    chunks = store.pointer.chunks
    del store.chunks[store.pointer.digest, 1]  # lost: readers refuse the version whole
    with pytest.raises(CatalogUnavailable):
        store.read_catalog()

    report = sync_of(store).run(models, source=SOURCE)  # the same source

    assert (report.unchanged, report.version, report.writes) == (10, 1, chunks)
    assert "cannot be read back" in caplog.text
    assert published(store) == (1, models)


def test_a_published_document_that_cannot_be_read_back_is_published_over(
    store: InMemoryCatalogStore,
) -> None:
    sync_of(store).run(catalog_of(10), source=SOURCE)
    assert store.pointer is not None
    assert store.pointer.digest is not None
    del store.chunks[store.pointer.digest, 0]
    changed = catalog_of(3)  # no removal guard: there is nothing to compare with

    report = sync_of(store).run(changed, source=SOURCE)

    assert (len(report.added), report.removed, report.version) == (3, [], 2)
    assert published(store) == (2, changed)


def test_a_pointer_of_the_legacy_layout_is_published_over_as_new(
    store: InMemoryCatalogStore, caplog: pytest.LogCaptureFixture
) -> None:
    store.pointer = Pointer(version=5, digest=None, chunks=0, count=0)
    assert published(store) == (None, [])

    report = sync_of(store).run(catalog_of(3), source=SOURCE)

    assert (len(report.added), report.version) == (3, 6)
    assert "legacy layout" in caplog.text
    assert published(store) == (6, catalog_of(3))
    assert store.pointer is not None
    assert store.pointer.previous_digest is None


# -- the diff ------------------------------------------------------------------------------


def test_diff_of_identical_entries_is_empty() -> None:
    entries = {"a": Entry(0, {"id": "a"}), "b": Entry(1, {"id": "b"})}
    diff = diff_entries(entries, dict(entries))
    assert not diff.changed
    assert diff.unchanged == 2


def test_diff_sorts_added_updated_and_removed() -> None:
    current = {
        "kept": Entry(0, {"id": "kept"}),
        "moved": Entry(1, {"id": "moved"}),
        "edited": Entry(2, {"id": "edited"}),
        "zz-gone": Entry(3, {"id": "zz-gone"}),
        "aa-gone": Entry(4, {"id": "aa-gone"}),
    }
    current["last"] = Entry(5, {"id": "last"})
    current["last-2"] = Entry(6, {"id": "last-2"})
    desired = {
        "kept": Entry(0, {"id": "kept"}),
        "moved": Entry(5, {"id": "moved"}),  # now after the last two: the one out of order
        "edited": Entry(2, {"id": "edited", "x": 1}),
        "new": Entry(1, {"id": "new"}),
        "last": Entry(3, {"id": "last"}),
        "last-2": Entry(4, {"id": "last-2"}),
    }
    diff = diff_entries(current, desired)
    assert (diff.added, diff.updated, diff.removed, diff.moved) == (
        ["new"],
        ["edited"],
        ["aa-gone", "zz-gone"],
        ["moved"],
    )
    assert diff.changes == {"edited": [{"field": "x", "new": 1}]}
    assert (diff.unchanged, diff.changed) == (3, True)


@pytest.mark.parametrize("fraction", [-0.1, 1.5])
def test_remove_fraction_must_be_a_fraction(fraction: float) -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
        CatalogSync(InMemoryCatalogStore(), max_remove_fraction=fraction)


def test_every_run_reports_the_curation_warnings_of_its_source(store: InMemoryCatalogStore) -> None:
    """What `ar-models validate` warns about, the scheduled run says too, dry run or not."""
    models = [
        *catalog_of(3),
        make_model("old", lifecycle={"status": "deprecated", "successor": "missing"}),
    ]
    dry = sync_of(store).run(models, source=SOURCE, dry_run=True)
    published = sync_of(store).run(models, source=SOURCE)
    for report in (dry, published):
        assert report.warnings == [
            "model 'model-00': active without pricing (a router cannot bill it)",
            "model 'model-01': active without pricing (a router cannot bill it)",
            "model 'model-02': active without pricing (a router cannot bill it)",
            "model 'old': its successor 'missing' is not in the catalog (the Link header "
            "points clients to a 404)",
        ]

"""Publishing the curated catalog into the catalog table: diff, guard, write, pointer, announce.

    read the pointer and the published document (consistent) -> diff by model id (the
    report) -> removal guard -> same digest: nothing to publish -> write the new document's
    chunks -> move the pointer (conditional) -> CatalogChanged -> clean up what no reader needs
    -> tell `on_published` what is published (the lifecycle metrics)

The report and the event also say which models became deprecated or retired: those whose
status (catalog.lifecycle) at the run's instant is that under the new document and was not
under the published one, both evaluated at that same instant. So time passing alone changes
nothing (the same document publishes nothing); a date coming is the API's to serve, and the
metrics', which count what is published at every run.

A reader only ever sees one complete published version: the new document's chunks are written
where no reader looks, and the pointer moves last, with a condition on the version this run
read. A run that fails anywhere before the move (a refused write, throttling past the retries,
a crash, a lost race) leaves the pointer, and so every container, on the previous version; one
that fails after it has published. The next run converges either way: the document is named by
its digest, so it rewrites the same chunks (harmless) and moves the pointer, or finds the digest
already published and writes nothing.

Storage-free: the store port (catalog.store) does the I/O; this module decides.
"""

from __future__ import annotations

import bisect
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from catalog.change_events import ChangePublisher, event_detail
from catalog.curation import curation_warnings
from catalog.document import document_of, published_entries, valid_model
from catalog.errors import CatalogCorrupt, CatalogUnavailable, EventPublishFailed, RemovalRefused
from catalog.json_text import json_line
from catalog.lifecycle import status_at, statuses_at
from catalog.schema import LifecycleStatus, Model
from catalog.store import CatalogWriter, Pointer

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Entry:
    """One model as the sync compares it: curated position and wire document."""

    position: int
    document: Mapping[str, Any]


# One changed field of a model: its dotted path, and its old and new values (`old` absent: the
# field is new; `new` absent: it was removed). A list is one value, compared whole.
FieldChange = dict[str, Any]


@dataclass(frozen=True, slots=True)
class CatalogDiff:
    """How the desired catalog differs from the published one, by model id.

    `updated`: the models whose content changed, each with its `changes`; `moved`: of the models
    whose content is the same, the fewest whose place among those others changed (inserting,
    removing or editing a model moves none of the others; moving one model moves that one).
    """

    added: list[str]
    updated: list[str]
    removed: list[str]
    unchanged: int
    moved: list[str] = field(default_factory=list)
    changes: dict[str, list[FieldChange]] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed or self.moved)


def diff_entries(current: Mapping[str, Entry], desired: Mapping[str, Entry]) -> CatalogDiff:
    """Compare by id: content field by field, position by the order of the models both have."""
    added = [model_id for model_id in desired if model_id not in current]
    kept = sorted(
        (model_id for model_id in desired if model_id in current),
        key=lambda model_id: desired[model_id].position,
    )
    changes = {
        model_id: field_changes(current[model_id].document, desired[model_id].document)
        for model_id in kept
        if current[model_id].document != desired[model_id].document
    }
    # Among the models whose content is the same, those out of their old relative order.
    same = [model_id for model_id in kept if model_id not in changes]
    in_order = _longest_in_order([current[model_id].position for model_id in same])
    moved = [model_id for index, model_id in enumerate(same) if index not in in_order]
    return CatalogDiff(
        added=added,
        updated=list(changes),
        removed=sorted(model_id for model_id in current if model_id not in desired),
        unchanged=len(kept) - len(changes) - len(moved),
        moved=moved,
        changes=changes,
    )


def field_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[FieldChange]:
    """Every field that differs between two model documents, by dotted path (nested objects
    are walked; a list is one value), in the new document's order, then removed fields."""
    found: list[FieldChange] = []
    _walk_changes(old, new, "", found)
    return found


def _walk_changes(
    old: Mapping[str, Any], new: Mapping[str, Any], prefix: str, found: list[FieldChange]
) -> None:
    for key in [*new, *(key for key in old if key not in new)]:
        path = f"{prefix}{key}"
        if key in old and key in new:
            before, after = old[key], new[key]
            if isinstance(before, dict) and isinstance(after, dict):
                _walk_changes(before, after, f"{path}.", found)
            elif before != after or type(before) is not type(after):
                found.append({"field": path, "old": before, "new": after})
        elif key in new:
            found.append({"field": path, "new": new[key]})
        else:
            found.append({"field": path, "old": old[key]})


def _longest_in_order(positions: Sequence[int]) -> set[int]:
    """The indexes of a longest strictly increasing run (not necessarily contiguous) of
    `positions`: the models that kept their relative order (patience sorting, O(n log n))."""
    tails: list[int] = []  # tails[k]: the index ending the best run of length k + 1 so far
    tail_positions: list[int] = []  # positions[tails[k]], increasing: what bisect searches
    previous: list[int] = [-1] * len(positions)
    for index, position in enumerate(positions):
        k = bisect.bisect_left(tail_positions, position)
        if k:
            previous[index] = tails[k - 1]
        if k == len(tails):
            tails.append(index)
            tail_positions.append(position)
        else:
            tails[k] = index
            tail_positions[k] = position
    kept: set[int] = set()
    index = tails[-1] if tails else -1
    while index >= 0:
        kept.add(index)
        index = previous[index]
    return kept


def entries_of(documents: Sequence[Any]) -> dict[str, Entry]:
    """Model documents in curated order, by id; one without a string id is left out (it can
    only come from a published document no reader serves either)."""
    return {
        document["id"]: Entry(position, document)
        for position, document in enumerate(documents)
        if isinstance(document, dict) and isinstance(document.get("id"), str)
    }


@dataclass(frozen=True, slots=True)
class SyncReport:
    """The outcome of one run: returned by the Lambda, printed by the CLI, logged as JSON."""

    source: str
    dry_run: bool
    added: list[str]
    # Models whose content changed; `changes` says how, field by field (FieldChange).
    updated: list[str]
    removed: list[str]
    # Models (curated order) deprecated, or retired, at the run's instant under the source and
    # not under the published catalog (evaluated at the same instant); an added one counts.
    deprecated: list[str]
    retired: list[str]
    unchanged: int
    version: int | None  # the published version after the run (None: nothing published yet)
    duration_ms: int
    # DynamoDB write requests made: chunk puts and clean-up deletes (the pointer move is not
    # counted); 0 when the source was already published and nothing was left to clean up.
    writes: int = 0
    event_published: bool = False
    # Models whose place alone changed (CatalogDiff.moved), and each updated model's changes.
    moved: list[str] = field(default_factory=list)
    changes: dict[str, list[FieldChange]] = field(default_factory=dict)
    # What a curator should look at in the source (catalog/curation.py): valid, published
    # anyway, said at every run (a dry run too) until the document is fixed.
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class PublishedCatalog:
    """What is published after a run that was not a dry run: the models, the version, and the
    run's instant (epoch seconds), the one its lifecycle statuses were evaluated at."""

    version: int
    models: Sequence[Model]
    now: float


@dataclass(frozen=True, slots=True)
class LifecycleChanges:
    """The models that became deprecated or retired, in curated order."""

    deprecated: list[str]
    retired: list[str]


def lifecycle_changes(
    current: Mapping[str, Entry], desired: Mapping[str, Entry], models: Sequence[Model], now: float
) -> LifecycleChanges:
    """Models (of `models`, the desired catalog) whose status at `now` is deprecated or retired
    and was not under the `current` (published) documents at the same `now`. An added model, or
    a published document that no longer validates, counts as not having had that status."""
    became: dict[LifecycleStatus, list[str]] = {"deprecated": [], "retired": []}
    for model_id, status in statuses_at(models, now).items():
        if status not in became:
            continue
        before = current.get(model_id)
        if before is not None and before.document == desired[model_id].document:
            continue  # the same document: the same status at the same instant
        if before is None or _status_of(before.document, now) != status:
            became[status].append(model_id)
    return LifecycleChanges(deprecated=became["deprecated"], retired=became["retired"])


def _status_of(document: Mapping[str, Any], now: float) -> LifecycleStatus | None:
    """A published document's status at `now`; None if it is not a valid model today."""
    model = valid_model(document)
    return None if model is None else status_at(model, now)


class CatalogSync:
    """One sync run at a time (the function's reserved concurrency is 1)."""

    def __init__(
        self,
        store: CatalogWriter,
        *,
        publisher: ChangePublisher | None = None,
        max_remove_fraction: float,
        clock: Callable[[], float] = time.perf_counter,
        wall_clock: Callable[[], float] = time.time,
        on_published: Callable[[PublishedCatalog], None] | None = None,
    ) -> None:
        """`clock` times the run; `wall_clock` (epoch seconds) is the instant the lifecycle
        statuses are evaluated at. `on_published` is told what is published after every run
        that is not a dry run and published or found published its source (the metrics); a
        failure of it is logged, never fatal."""
        if not 0 <= max_remove_fraction <= 1:
            raise ValueError("max_remove_fraction must be between 0 and 1")
        self._store = store
        self._publisher = publisher
        self._max_remove_fraction = max_remove_fraction
        self._clock = clock
        self._wall_clock = wall_clock
        self._on_published = on_published

    def run(
        self, models: Sequence[Model], *, source: str, dry_run: bool = False, force: bool = False
    ) -> SyncReport:
        """Publish `models` (already validated) as the catalog. See the module docstring."""
        started = self._clock()
        now = self._wall_clock()
        wire = [model.to_wire() for model in models]
        document = document_of(wire)
        desired = entries_of(wire)
        pointer = self._store.read_pointer()
        # Read back every run, also to check that what the pointer names is still whole.
        published = self._published_entries(pointer)  # None: nothing readable
        # The same digest is the same bytes: already published.
        already_published = pointer is not None and pointer.digest == document.digest
        current = desired if already_published else published or {}
        diff = diff_entries(current, desired)
        self._guard(diff, desired, published=len(current), force=force)
        became = lifecycle_changes(current, desired, models, now)
        warnings = curation_warnings(models, now)

        version = None if pointer is None else pointer.version
        writes = 0
        moved: Pointer | None = None
        if not dry_run:
            if pointer is not None and already_published:
                if published is None:
                    # Published, but a chunk is gone: the same chunks again, in place.
                    logger.warning("catalog version %d: rewriting its chunks", pointer.version)
                    writes = self._store.write_version(document, version=pointer.version).writes
                # Then only what a run that failed after its pointer move left, if anything.
                writes += self._clean_up(pointer)
            else:
                written = self._store.write_version(document, version=(version or 0) + 1)
                writes = written.writes
                moved = self._store.move_pointer(pointer, written)
                version = moved.version

        def report(*, event_published: bool) -> SyncReport:
            return SyncReport(
                source=source,
                dry_run=dry_run,
                added=diff.added,
                updated=diff.updated,
                removed=diff.removed,
                deprecated=became.deprecated,
                retired=became.retired,
                unchanged=diff.unchanged,
                version=version,
                duration_ms=round((self._clock() - started) * 1000),
                writes=writes,
                event_published=event_published,
                moved=diff.moved,
                changes=diff.changes,
                warnings=warnings,
            )

        if moved is None:
            final = report(event_published=False)
            logger.info(_json_line(final))
            if not dry_run and version is not None:
                self._tell_published(PublishedCatalog(version, models, now))
            return final
        undelivered: EventPublishFailed | None = None
        if self._publisher is not None:
            try:
                self._publisher.publish(
                    {"version": version, "source": source, **_changes(diff, became)}
                )
            except EventPublishFailed as exc:
                undelivered = exc
        writes += self._clean_up(moved)
        self._tell_published(PublishedCatalog(moved.version, models, now))
        if undelivered is not None:
            # The catalog is published and correct; only the announcement is lost. Log the
            # report, then fail the run so the errors alarm says so.
            logger.error(_json_line(report(event_published=False)))
            raise undelivered
        final = report(event_published=self._publisher is not None)
        logger.info(_json_line(final))
        return final

    def _tell_published(self, published: PublishedCatalog) -> None:
        if self._on_published is None:
            return
        try:
            self._on_published(published)
        except Exception:
            # The catalog is published; a metric that could not be written must not fail it.
            logger.exception(
                "catalog version %d is published; reporting it failed", published.version
            )

    def _published_entries(self, pointer: Pointer | None) -> dict[str, Entry] | None:
        """What the pointer publishes, by id ({} before the first sync); None if that cannot
        be read back, as no reader can either (publishing, even the same, is the repair)."""
        if pointer is None:
            return {}
        try:
            entries = published_entries(pointer, self._store.read_document)
        except CatalogCorrupt as exc:
            if pointer.unreadable is not None:
                logger.warning(
                    "catalog version %d: %s; this run publishes the source over it",
                    pointer.version,
                    pointer.unreadable,
                )
            else:
                logger.warning(
                    "catalog version %d cannot be read back (%s): this run publishes over it",
                    pointer.version,
                    exc,
                )
            return None
        if entries is None:
            logger.warning(
                "catalog version %d is in the legacy layout (one item per model): this run "
                "publishes the source over it, as new",
                pointer.version,
            )
            return None
        return entries_of(entries)

    def _clean_up(self, published: Pointer) -> int:
        """Delete what no reader needs; a failure is logged, not fatal (the catalog is already
        published), and the next run cleans up."""
        try:
            return self._store.clean_up(published)
        except CatalogUnavailable as exc:
            logger.warning(
                "catalog version %d is published; its clean-up failed: %s", published.version, exc
            )
            return 0

    def _guard(
        self, diff: CatalogDiff, desired: Mapping[str, Entry], *, published: int, force: bool
    ) -> None:
        if force:
            if diff.removed:
                logger.warning("forced: removing %d model(s): %s", len(diff.removed), diff.removed)
            return
        if not desired:
            raise RemovalRefused(
                "the source has no models: publishing it would empty the catalog",
                removed=diff.removed,
                published=published,
            )
        if published and len(diff.removed) / published > self._max_remove_fraction:
            raise RemovalRefused(
                f"this run would remove {len(diff.removed)} of {published} published models "
                f"({len(diff.removed) / published:.0%}), more than the "
                f"{self._max_remove_fraction:.0%} allowed: {', '.join(diff.removed)}",
                removed=diff.removed,
                published=published,
            )


# EventBridge takes at most 256 KB per event. What the event carries stays well inside: the field
# changes of the updated models within 128 KiB, every list of model ids together within 96 KiB
# (10,000 ids of 30 characters, a first publication at the cap, are about 320 KB).
MAX_EVENT_CHANGES_BYTES = 128 * 2**10
MAX_EVENT_IDS_BYTES = 96 * 2**10


def _changes(diff: CatalogDiff, became: LifecycleChanges) -> dict[str, Any]:
    """The event's account of a run: its lists of model ids, in full while they fit
    MAX_EVENT_IDS_BYTES (in this order; past it, a list keeps the ids that fit and
    `<list>_omitted` counts the others), and the field changes of as many updated models as fit
    MAX_EVENT_CHANGES_BYTES (in curated order; `changes_omitted` counts the others). The run's
    report and its log line hold everything."""
    detail: dict[str, Any] = {}
    room = MAX_EVENT_IDS_BYTES
    for name, ids in (
        ("added", diff.added),
        ("updated", diff.updated),
        ("removed", diff.removed),
        ("moved", diff.moved),
        ("deprecated", became.deprecated),
        ("retired", became.retired),
    ):
        kept: list[str] = []
        for model_id in ids:
            room -= len(event_detail(model_id)) + 1  # quoted, and its comma
            if room < 0:
                break
            kept.append(model_id)
        detail[name] = kept
        if len(kept) < len(ids):
            detail[f"{name}_omitted"] = len(ids) - len(kept)
    changes: dict[str, list[FieldChange]] = {}
    size = 0
    for model_id, fields in diff.changes.items():
        size += len(event_detail({model_id: fields}))
        if size > MAX_EVENT_CHANGES_BYTES:
            break
        changes[model_id] = fields
    detail["changes"] = changes
    if len(changes) < len(diff.changes):
        detail["changes_omitted"] = len(diff.changes) - len(changes)
    return detail


def _json_line(report: SyncReport) -> str:
    return json_line(report.to_dict())

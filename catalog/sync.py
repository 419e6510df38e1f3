"""Publishing the curated catalog into the catalog table: diff, guard, write, version, announce.

    read meta + items (consistent) -> diff against the validated source -> removal guard
    -> batched puts/deletes -> advance the version (conditional) -> CatalogChanged

The version is advanced only after every write succeeded, and only with a condition on the
version this run read, so a crashed run leaves warm API containers on their cached catalog and a
racing run fails cleanly. The next run repairs either: it diffs against what is really in the
table, and the meta item's digest tells it when items were written but never announced.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from catalog.change_events import ChangePublisher
from catalog.errors import EventPublishFailed, RemovalRefused
from catalog.schema import Model
from catalog.store import CatalogWriter, StoredEntry, catalog_digest

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class CatalogDiff:
    """What must change in the table for it to hold the desired entries."""

    puts: dict[str, StoredEntry]
    added: list[str]
    updated: list[str]
    removed: list[str]
    unchanged: int

    @property
    def changed(self) -> bool:
        return bool(self.puts or self.removed)


def diff_entries(
    current: Mapping[str, StoredEntry], desired: Mapping[str, StoredEntry]
) -> CatalogDiff:
    """Compare by id; a moved model (new position) counts as updated."""
    added = [model_id for model_id in desired if model_id not in current]
    updated = [
        model_id
        for model_id, entry in desired.items()
        if model_id in current and current[model_id] != entry
    ]
    return CatalogDiff(
        puts={model_id: desired[model_id] for model_id in [*added, *updated]},
        added=added,
        updated=updated,
        removed=sorted(model_id for model_id in current if model_id not in desired),
        unchanged=len(desired) - len(added) - len(updated),
    )


@dataclass(frozen=True, slots=True)
class SyncReport:
    """The outcome of one run: returned by the Lambda, printed by the CLI, logged as JSON."""

    source: str
    dry_run: bool
    added: list[str]
    updated: list[str]
    removed: list[str]
    unchanged: int
    version: int | None  # the published version after the run (None: nothing published yet)
    duration_ms: int
    writes: int = 0  # DynamoDB write requests made (puts + deletes)
    event_published: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def entries_of(models: Sequence[Model]) -> dict[str, StoredEntry]:
    """The entries a validated source should publish: curated position and wire document."""
    return {
        model.id: StoredEntry(position, model.to_wire()) for position, model in enumerate(models)
    }


class CatalogSync:
    """One sync run at a time (the function's reserved concurrency is 1)."""

    def __init__(
        self,
        store: CatalogWriter,
        *,
        publisher: ChangePublisher | None = None,
        max_remove_fraction: float,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        if not 0 <= max_remove_fraction <= 1:
            raise ValueError("max_remove_fraction must be between 0 and 1")
        self._store = store
        self._publisher = publisher
        self._max_remove_fraction = max_remove_fraction
        self._clock = clock

    def run(
        self, models: Sequence[Model], *, source: str, dry_run: bool = False, force: bool = False
    ) -> SyncReport:
        """Publish `models` (already validated) as the catalog. See the module docstring."""
        started = self._clock()
        desired = entries_of(models)
        meta = self._store.read_meta()
        current = self._store.read_entries()
        diff = diff_entries(current, desired)
        self._guard(diff, desired, published=len(current), force=force)

        version = None if meta is None else meta.version
        writes = 0
        advanced = False
        if not dry_run:
            if diff.changed:
                writes = self._store.write_entries(diff.puts, diff.removed)
            digest = catalog_digest(desired)
            # Advance when this run wrote, and also when an earlier run wrote but crashed before
            # its version bump: the items are right, but no container knows they changed.
            if diff.changed or meta is None or meta.digest != digest:
                version = self._store.advance_version(version, count=len(desired), digest=digest)
                advanced = True

        def report(*, event_published: bool) -> SyncReport:
            return SyncReport(
                source=source,
                dry_run=dry_run,
                added=diff.added,
                updated=diff.updated,
                removed=diff.removed,
                unchanged=diff.unchanged,
                version=version,
                duration_ms=round((self._clock() - started) * 1000),
                writes=writes,
                event_published=event_published,
            )

        published = False
        if advanced and self._publisher is not None:
            detail = {"version": version, "source": source, **_changes(diff)}
            try:
                self._publisher.publish(detail)
            except EventPublishFailed:
                # The catalog is published and correct; only the announcement is lost. Log the
                # report, then fail the run so the errors alarm says so.
                logger.error(_json_line(report(event_published=False)))
                raise
            published = True
        final = report(event_published=published)
        logger.info(_json_line(final))
        return final

    def _guard(
        self, diff: CatalogDiff, desired: Mapping[str, StoredEntry], *, published: int, force: bool
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


def _changes(diff: CatalogDiff) -> dict[str, list[str]]:
    return {"added": diff.added, "updated": diff.updated, "removed": diff.removed}


def _json_line(report: SyncReport) -> str:
    return json.dumps(report.to_dict(), separators=(",", ":"))

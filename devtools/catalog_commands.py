"""`ar-models sync|publish|export|validate|lifecycle`: the catalog published (for now, or for
good through the stack's catalog source), written back out as a file, checked, and its models'
lifecycles reported."""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from devtools.output import fail, format_table
from handler import settings as env
from handler.settings import Settings, SettingsError

if TYPE_CHECKING:
    from catalog.errors import InvalidCatalog
    from catalog.schema import Model


def sync_catalog(args: argparse.Namespace, settings: Settings) -> int:
    # Imported when the command runs, so `ar-models --help` starts in 0.4 s, not 1-2 s.
    from awsclients import AwsClients
    from catalog.errors import CatalogError
    from handler.compose import run_sync

    aws = AwsClients()
    try:
        reverts = _configured_source_elsewhere(args.source, settings) if not args.dry_run else None
        if reverts is not None and not args.temporary:
            # Validated and guarded first, so that a file with problems hears about them.
            run_sync(
                settings,
                aws=aws,
                source=args.source,
                dry_run=True,
                force=args.force,
                allow_files=True,
            )
            return fail(
                f"--source {args.source}: the stack's scheduled sync publishes "
                f"{env.CATALOG_SOURCE} ({reverts}), so its next run would revert this.\n"
                f"To make the change last: ar-models publish {args.source}\n"
                "To publish it only until the next scheduled run: add --temporary."
            )
        report = run_sync(
            settings,
            aws=aws,
            source=args.source,
            dry_run=args.dry_run,
            force=args.force,
            allow_files=True,
        )
    except (CatalogError, SettingsError) as exc:
        return _sync_failed(exc)
    _print_report(report.to_dict())
    if reverts is not None:
        _warn_temporary(reverts, report.source, aws)
    return 0


def publish_catalog(args: argparse.Namespace, settings: Settings) -> int:
    """Write FILE to the stack's CATALOG_SOURCE (its S3 object), then sync from there: the edit
    lasts, since every later scheduled run reads that same object."""
    # Imported when the command runs, so `ar-models --help` starts in 0.4 s, not 1-2 s.
    from awsclients import AwsClients
    from catalog.errors import CatalogError
    from catalog.source import CatalogSourceReader, SourceLocation, write_source
    from handler.compose import run_sync

    aws = AwsClients()
    try:
        target = SourceLocation.parse(settings.catalog_source)
        if target.bucket is None or target.key is None:
            return fail(
                f"{env.CATALOG_SOURCE} is {settings.catalog_source!r}, the catalog bundled with "
                "the code, which only a deploy changes: publish needs the stack's S3 catalog "
                f"source. Set {env.CATALOG_SOURCE}=s3://BUCKET/KEY (the stack's CatalogSource "
                "parameter; `make dev` sets it for the local stack)."
            )
        # First the whole run without a write: the file validated, the removal guard applied.
        # Only a run that would publish uploads anything, so a refused file changes nothing.
        report = run_sync(
            settings, aws=aws, source=args.file, dry_run=True, force=args.force, allow_files=True
        )
        if not args.dry_run:
            # The file's bytes as they are: the next runs read exactly what was validated.
            location = SourceLocation.parse(args.file, allow_files=True)
            body = CatalogSourceReader(s3=aws.s3).read_bytes(location)
            write_source(target, body, s3=aws.s3)
            report = run_sync(settings, aws=aws, force=args.force)
    except (CatalogError, SettingsError) as exc:
        return _sync_failed(exc)
    except OSError as exc:
        return fail(f"cannot read {args.file}: {exc.strerror or exc}")
    _print_report(report.to_dict())
    return 0


def _print_report(report: dict[str, Any]) -> None:
    """A run's report on stdout, as `sync` and `publish` both print it."""
    # Imported when the command runs, so `ar-models --help` starts in 0.4 s, not 1-2 s.
    from catalog.json_text import pretty_json

    print(pretty_json(report, ascii_only=True), end="")


def _sync_failed(exc: Exception) -> int:
    """A refused or failed run, said on stderr as `sync` and `publish` both say it."""
    # Imported when the command runs, so `ar-models --help` starts in 0.4 s, not 1-2 s.
    from catalog.errors import InvalidCatalog, RemovalRefused

    if isinstance(exc, InvalidCatalog):
        return fail(_problems(exc))
    if isinstance(exc, RemovalRefused):
        return fail(f"{exc}\nRun again with --force to publish it anyway (--dry-run first).")
    return fail(str(exc))


def _configured_source_elsewhere(source: str | None, settings: Settings) -> str | None:
    """The stack's CATALOG_SOURCE, when `--source` names another place (None: it names that
    same source, or none): the next scheduled run would then publish it again."""
    # Imported when the command runs, so `ar-models --help` starts in 0.4 s, not 1-2 s.
    from catalog.source import SourceLocation

    if source is None:
        return None
    configured = SourceLocation.parse(settings.catalog_source)
    if SourceLocation.parse(source, allow_files=True) == configured:
        return None
    return str(configured)


def _warn_temporary(configured: str, published: str, aws: Any) -> None:
    """Say what the next scheduled run, publishing `configured` again, would undo."""
    # Imported when the command runs, so `ar-models --help` starts in 0.4 s, not 1-2 s.
    from catalog.errors import CatalogError
    from catalog.source import CatalogSourceReader, SourceLocation

    head = (
        f"ar-models: published {published} temporarily: the next scheduled sync publishes "
        f"{env.CATALOG_SOURCE} ({configured}) again"
    )
    try:
        ours = CatalogSourceReader(s3=aws.s3).read(
            SourceLocation.parse(published, allow_files=True)
        )
        theirs = CatalogSourceReader(s3=aws.s3).read(SourceLocation.parse(configured))
    except CatalogError as exc:
        print(f"{head} (what it would undo is unknown: {exc})", file=sys.stderr)
        return
    kept = {model.id: model for model in theirs}
    removed = [model.id for model in ours if model.id not in kept]
    changed = [
        model.id
        for model in ours
        if model.id in kept and model.to_wire() != kept[model.id].to_wire()
    ]
    parts = [f"remove {', '.join(removed)}" if removed else "remove no model"]
    if changed:
        parts.append(f"revert {', '.join(changed)}")
    print(f"{head}: it would {' and '.join(parts)}.", file=sys.stderr)


def export_catalog(args: argparse.Namespace, settings: Settings) -> int:
    # Imported when the command runs, so `ar-models --help` starts in 0.4 s, not 1-2 s.
    from catalog.errors import CatalogError, InvalidCatalog

    if not settings.models_table:
        return fail(
            f"{env.MODELS_TABLE} is not set: there is no table to export from. Locally, start "
            "the stack with `make dev` and load the environment it prints (`. .dev/env`); the "
            "curated catalog itself is catalog/models.json"
        )
    try:
        origin, entries = _read_published(
            settings.models_table, nothing=": there is no catalog to export", then=", then export"
        )
    except CatalogError as exc:
        return fail(str(exc))
    try:
        exported = _export_document(entries, origin=origin, skip_invalid=args.skip_invalid)
    except InvalidCatalog as exc:
        hint = "" if args.skip_invalid else "\nRun again with --skip-invalid to export the rest."
        return fail(f"{origin}: {_problems(exc)}{hint}")
    if exported.skipped:
        lines = "\n".join(f"  - {problem}" for problem in exported.skipped)
        print(
            f"ar-models: {origin}: left out {len(entries) - exported.count} published model(s) "
            f"the schema refuses:\n{lines}",
            file=sys.stderr,
        )
    if args.output in (None, "-"):
        _write_stdout(exported.body)
        return 0
    path = Path(args.output)
    try:
        _write_atomically(path, exported.body)
    except OSError as exc:
        return fail(f"cannot write {path}: {exc.strerror or exc}")
    print(f"{path}: {origin}, {exported.count} models")
    return 0


@dataclass(frozen=True, slots=True)
class _Exported:
    body: bytes  # the catalog file
    count: int  # models in it
    skipped: list[str]  # the problems of the published models left out (--skip-invalid)


def _export_document(entries: Sequence[Any], *, origin: str, skip_invalid: bool) -> _Exported:
    """The published model documents as a catalog file: `{"object": "list", "data": [...]}`,
    verbatim and in curated order, indented by 2, UTF-8 as is, one trailing newline.

    Checked with the sync's own parser, so `sync --source` of it publishes exactly these models
    (and, when they are what is published, writes nothing). Raises InvalidCatalog listing every
    problem if a published model is one the schema refuses; with `skip_invalid`, leaves those
    out instead (and a duplicate id after its first), unless what is left is refused too.
    """
    # Imported when the command runs, so `ar-models --help` starts in 0.4 s, not 1-2 s.
    from catalog.document import catalog_file, parse_catalog, parse_catalog_json, valid_entries
    from catalog.errors import InvalidCatalog

    kept = list(entries)
    skipped: list[str] = []
    try:
        parse_catalog({"object": "list", "data": kept})
    except InvalidCatalog as exc:
        if not skip_invalid:
            raise
        skipped = exc.problems
        kept = valid_entries(kept)
    body = catalog_file({"object": "list", "data": kept})
    parse_catalog_json(body, origin=origin)
    return _Exported(body, len(kept), skipped)


def _write_stdout(body: bytes) -> None:
    """The bytes as they are (UTF-8), whatever encoding the terminal's locale gives stdout."""
    sys.stdout.flush()
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:
        sys.stdout.write(body.decode("utf-8"))
    else:
        buffer.write(body)
        buffer.flush()


def _write_atomically(path: Path, body: bytes) -> None:
    """Write `path` whole or not at all: a temporary file beside it, flushed to disk, then
    renamed over it. Never a half-written file, even if the process dies; on an error the
    temporary file is removed and `path` is as it was. Raises OSError."""
    # Imported when the command runs, so `ar-models --help` starts in 0.4 s, not 1-2 s.
    import os
    import tempfile

    try:
        mode = path.stat().st_mode & 0o7777  # keep an existing file's permissions
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask  # as open() would create it
    descriptor, temporary = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
    )
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(body)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def validate_catalog(args: argparse.Namespace, _settings: Settings) -> int:
    # Imported when the command runs, so `ar-models --help` starts in 0.4 s, not 1-2 s.
    from catalog.curation import curation_warnings
    from catalog.document import parse_catalog_json
    from catalog.errors import InvalidCatalog
    from catalog.limits import MAX_DOCUMENT_BYTES, MAX_LIST_BYTES
    from catalog.wire import served_list_size

    path = Path(args.file)
    try:
        with path.open("rb") as file:
            # One byte over the cap is enough to refuse it: never read a huge file whole.
            raw = file.read(MAX_DOCUMENT_BYTES + 1)
    except OSError as exc:
        return fail(f"cannot read {path}: {exc.strerror or exc}")
    try:
        models = parse_catalog_json(raw, origin=str(path))
    except InvalidCatalog as exc:
        return fail(f"{path}: " + _problems(exc))
    size = served_list_size(models)
    print(
        f"{path}: OK, {len(models)} models; GET /v1/models is {size:,} bytes "
        f"({size / MAX_LIST_BYTES:.2%} of the {MAX_LIST_BYTES:,}-byte cap)"
    )
    # Valid, so exit 0 whatever they say; on stderr, one line each.
    for warning in curation_warnings(models, time.time()):
        print(f"{path}: warning: {warning}", file=sys.stderr)
    return 0


def report_lifecycle(args: argparse.Namespace, settings: Settings) -> int:
    # Imported when the command runs, so `ar-models --help` starts in 0.4 s, not 1-2 s.
    from catalog.errors import CatalogError, InvalidCatalog
    from catalog.json_text import pretty_json
    from catalog.lifecycle import day_start, days_left, statuses_at

    on: date = args.at or datetime.now(UTC).date()
    try:
        models, origin, left_out = _lifecycle_catalog(args.source, settings)
    except InvalidCatalog as exc:
        return fail(f"{args.source}: {_problems(exc)}")
    except CatalogError as exc:
        return fail(str(exc))
    # Stderr, so that --json's stdout is the array alone.
    print(f"Lifecycle of {origin} on {on.isoformat()} (UTC)", file=sys.stderr)
    if left_out:
        print(
            f"ar-models: left out {left_out} published model(s) the schema refuses, as the API "
            "skips them (`ar-models export` lists their problems)",
            file=sys.stderr,
        )

    now = day_start(on.isoformat())
    statuses = statuses_at(models, now)
    rows: list[dict[str, Any]] = []
    for model in models:
        status = statuses[model.id]
        if status == "active":
            continue
        lifecycle = model.lifecycle
        deprecated_at = lifecycle.deprecated_at if lifecycle else None
        shutdown_at = lifecycle.shutdown_at if lifecycle else None
        rows.append(
            {
                "id": model.id,
                "status": status,
                "deprecated_at": deprecated_at,
                "shutdown_at": shutdown_at,
                # Whole days: both instants are 00:00 UTC. Negative once shut down.
                "days_left": days_left(model, now),
                "successor": lifecycle.successor if lifecycle else None,
            }
        )
    # Retired first, then deprecated; each by shutdown date, unknown last; then curated order
    # (the sort is stable).
    rows.sort(
        key=lambda row: (
            row["status"] != "retired",
            row["shutdown_at"] is None,
            row["shutdown_at"] or "",
        )
    )
    if args.json:
        print(pretty_json(rows), end="")
        return 0
    if not rows:
        print("every model is active")
        return 0
    table = [("ID", "STATUS", "DEPRECATED", "SHUTDOWN", "DAYS LEFT", "SUCCESSOR")]
    table += [
        (
            row["id"],
            row["status"],
            row["deprecated_at"] or _NONE,
            row["shutdown_at"] or _NONE,
            _NONE if row["days_left"] is None else str(row["days_left"]),
            row["successor"] or _NONE,
        )
        for row in rows
    ]
    print(format_table(table))
    return 0


_NONE = "\u2014"  # an em dash: no such date, no successor


def _lifecycle_catalog(source: str | None, settings: Settings) -> tuple[list[Model], str, int]:
    """The models `ar-models lifecycle` reports on, what they are (for its first line), and how
    many published models were left out.

    `source` given: that document, read and validated as the sync reads it (InvalidCatalog
    lists every problem). Else the catalog published in MODELS_TABLE, read as `export` reads
    it (the pointer and its document, strongly consistent), its models those the API serves
    (those the schema refuses are left out, as the API skips them); else,
    with MODELS_TABLE unset, the bundled catalog. Raises a CatalogError.
    """
    # Imported when the command runs, so `ar-models --help` starts in 0.4 s, not 1-2 s.
    from awsclients import AwsClients
    from catalog.bundled import bundled_models
    from catalog.source import CatalogSourceReader, SourceLocation

    if source is not None:
        location = SourceLocation.parse(source, allow_files=True)
        models = CatalogSourceReader(s3=AwsClients().s3).read(location)
        return models, f"{location} (not necessarily published)", 0
    if not settings.models_table:
        return list(bundled_models()), f"the bundled catalog ({env.MODELS_TABLE} is not set)", 0
    origin, entries = _read_published(
        settings.models_table,
        nothing=" (the API serves the bundled catalog): try --source bundled",
    )
    # Imported when the command runs, so `ar-models --help` starts in 0.4 s, not 1-2 s.
    from catalog.document import valid_models

    # As the API reads it: the models the schema refuses are left out (and logged).
    models = valid_models(entries, origin=origin)
    return models, origin, len(entries) - len(models)


def _read_published(table: str, *, nothing: str, then: str = "") -> tuple[str, list[Any]]:
    """The published catalog's origin (for messages) and its model documents, as the sync reads
    them: the pointer and its document, strongly consistent, checked against its digest.
    CatalogUnavailable when nothing is published or only in the legacy layout; `nothing` and
    `then` end those messages."""
    # Imported when the command runs, so `ar-models --help` starts in 0.4 s, not 1-2 s.
    from awsclients import AwsClients
    from catalog.document import published_entries
    from catalog.dynamodb import DynamoDBCatalogStore
    from catalog.errors import CatalogUnavailable

    store = DynamoDBCatalogStore(table, dynamodb=AwsClients().dynamodb)
    pointer = store.read_pointer()
    if pointer is None:
        raise CatalogUnavailable(f"nothing is published in {table}{nothing}")
    entries = published_entries(pointer, store.read_document)
    if entries is None:
        raise CatalogUnavailable(
            f"catalog version {pointer.version} in {table} is in the legacy layout (one item "
            f"per model): run `ar-models sync` to publish it as a document{then}"
        )
    return f"catalog version {pointer.version} ({table})", entries


def _problems(exc: InvalidCatalog) -> str:
    lines = "\n".join(f"  - {problem}" for problem in exc.problems)
    return f"invalid catalog, {len(exc.problems)} problem(s):\n{lines}"

"""`ar-models`: run the API locally, publish and export the catalog, report model lifecycles,
manage API keys."""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from devtools.devstack import DEV_CACHE_TTL
from handler import settings as env
from handler.settings import Settings, SettingsError, load_settings

if TYPE_CHECKING:
    from apikeys.store import ApiKeyStore
    from catalog.errors import InvalidCatalog
    from catalog.schema import Model

Command = Callable[[argparse.Namespace, Settings], int]


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    # Warnings only: what a command has to say it prints itself (the sync's report once, not
    # again as its log line), and botocore's INFO lines about credentials are noise here.
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        # A command may bring its own defaults (`dev`: a short cache TTL); the others use ours.
        settings = load_settings(defaults=getattr(args, "defaults", None))
    except SettingsError as exc:
        return _fail(str(exc))
    command: Command = args.command
    try:
        return command(args, settings)
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ar-models", description=__doc__)
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    serve = commands.add_parser(
        "serve", help="serve the API locally (bundled catalog, or MODELS_TABLE)"
    )
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=3000)
    serve.set_defaults(command=_serve)

    dev = commands.add_parser(
        "dev",
        help="full local stack without Docker: moto DynamoDB + S3, synced catalog, the API",
    )
    dev.add_argument("--port", type=int, default=3000, help="port of the API")
    dev.add_argument(
        "--aws-port", type=int, default=0, help="port of the local AWS endpoint (default: any free)"
    )
    # The stack's short cache TTL, unless CATALOG_CACHE_TTL says otherwise.
    dev.set_defaults(command=_dev, defaults=Settings(catalog_cache_ttl=DEV_CACHE_TTL))

    sync = commands.add_parser(
        "sync", help="publish the curated catalog into MODELS_TABLE; prints the report (JSON)"
    )
    sync.add_argument(
        "--source",
        metavar="SOURCE",
        help="'bundled', s3://bucket/key or a local file (./models.json, file:///abs/models.json);"
        " default: CATALOG_SOURCE, else bundled",
    )
    sync.add_argument("--dry-run", action="store_true", help="compute the change, write nothing")
    sync.add_argument("--force", action="store_true", help="lift the removal guard")
    sync.set_defaults(command=_sync)

    export = commands.add_parser(
        "export",
        help="write the catalog published in MODELS_TABLE as a catalog file `sync` accepts",
    )
    export.add_argument(
        "--output",
        "-o",
        metavar="FILE",
        help="write it to FILE, atomically (default, or '-': stdout)",
    )
    export.add_argument(
        "--skip-invalid",
        action="store_true",
        help="leave out the published models the current schema refuses (listed on stderr) "
        "instead of failing",
    )
    export.set_defaults(command=_export)

    validate = commands.add_parser(
        "validate", help="check a catalog file; exits 1 listing every problem"
    )
    validate.add_argument("file", metavar="FILE")
    validate.set_defaults(command=_validate)

    lifecycle = commands.add_parser(
        "lifecycle",
        help="list every model that is not active: status, dates, days left, successor",
        description="Every deprecated or retired model of the catalog, retired first, then "
        "deprecated, each by shutdown date (unknown last), then in curated order. A report: it "
        "exits 0 whether or not any model is deprecated (1 only when the catalog cannot be "
        "read or is invalid). The catalog it reads is said on stderr.",
    )
    lifecycle.add_argument(
        "--source",
        metavar="SOURCE",
        help="inspect a catalog document before publishing it: 'bundled', s3://bucket/key or a "
        "local file (./models.json), validated as `sync` validates it; default: the catalog "
        f"published in {env.MODELS_TABLE}, or the bundled one when {env.MODELS_TABLE} is unset",
    )
    lifecycle.add_argument(
        "--at",
        metavar="YYYY-MM-DD",
        type=_iso_date,
        help="evaluate the statuses on that date, 00:00 UTC (default: today, UTC)",
    )
    lifecycle.add_argument(
        "--json",
        action="store_true",
        help='print a JSON array of {"id", "status", "deprecated_at", "shutdown_at", '
        '"days_left", "successor"} (null where unknown) instead of the table',
    )
    lifecycle.set_defaults(command=_lifecycle)

    keys = commands.add_parser("keys", help="manage API keys in API_KEYS_TABLE")
    key_commands = keys.add_subparsers(required=True, metavar="ACTION")
    create = key_commands.add_parser(
        "create", help="create a key; prints it alone on the last line"
    )
    create.add_argument("--name", required=True)
    create.add_argument("--tier", default="default")
    create.set_defaults(command=_keys_create)
    key_commands.add_parser("list", help="list keys (prefixes only)").set_defaults(
        command=_keys_list
    )
    revoke = key_commands.add_parser("revoke", help="revoke a key by full key or unique prefix")
    revoke.add_argument("key_or_prefix", metavar="KEY_OR_PREFIX")
    revoke.set_defaults(command=_keys_revoke)
    return parser


def _fail(message: str) -> int:
    print(f"ar-models: {message}", file=sys.stderr)
    return 1


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    from apikeys.material import generate_key
    from devtools.serve import serve_api
    from handler.deps import Services

    key = settings.dev_api_key
    if not key and not settings.api_keys_table:
        # Fail closed stays true locally: a fresh key per run, never a well-known default.
        key = generate_key()
        settings = replace(settings, dev_api_key=key)
    url = f"http://{args.host}:{args.port}"
    table = settings.models_table or "bundled catalog"
    print(f"AssistantRouter models API on {url}/v1 ({table})")
    if key:
        print(f"API key: {key}")
        print(f'Try: curl -H "Authorization: Bearer {key}" {url}/v1/models')
    else:
        print("API key: create one with `ar-models keys create --name NAME`")
    sys.stdout.flush()
    serve_api(Services.from_settings(settings), host=args.host, port=args.port)
    return 0


def _dev(args: argparse.Namespace, settings: Settings) -> int:
    import signal

    from catalog.errors import CatalogError
    from devtools.devstack import LOOPBACK, DevStackError, dev_stack
    from devtools.serve import serve_api
    from handler.deps import Services

    # SIGTERM, and SIGHUP when the terminal closes, must unwind like Ctrl-C, so the local AWS
    # server is stopped in every case (it also exits by itself if this process is killed).
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, lambda received, _: sys.exit(128 + received))
    url = f"http://{LOOPBACK}:{args.port}"
    try:
        with dev_stack(cache_ttl=settings.catalog_cache_ttl, aws_port=args.aws_port) as stack:
            report = stack.sync_report
            source = stack.settings.catalog_source
            print(f"Local AWS (moto: DynamoDB, S3) on {stack.endpoint}")
            print(
                f"Catalog {source} published: version {report.version}, "
                f"{len(report.added) + report.unchanged} models"
            )
            print(f"AssistantRouter models API on {url}/v1")
            print(f"API key: {stack.api_key}")
            print(f'Try: curl -H "Authorization: Bearer {stack.api_key}" {url}/v1/models')
            print("To change the catalog from another shell, export these, upload and sync:")
            for name, value in stack.environment.items():
                print(f"  export {name}={value}")
            print(f"  aws s3 cp my-models.json {source} && ar-models sync")
            print("Ctrl-C stops everything.")
            sys.stdout.flush()
            services = Services.from_settings(stack.settings, aws=stack.aws)
            serve_api(services, host=LOOPBACK, port=args.port)
    except (DevStackError, CatalogError) as exc:
        return _fail(str(exc))
    return 0


def _sync(args: argparse.Namespace, settings: Settings) -> int:
    from awsclients import AwsClients
    from catalog.errors import CatalogError, InvalidCatalog, RemovalRefused
    from handler.sync import run_sync

    try:
        report = run_sync(
            settings,
            aws=AwsClients(),
            source=args.source,
            dry_run=args.dry_run,
            force=args.force,
            allow_files=True,
        )
    except InvalidCatalog as exc:
        return _fail(_problems(exc))
    except RemovalRefused as exc:
        return _fail(f"{exc}\nRun again with --force to publish it anyway (--dry-run first).")
    except (CatalogError, SettingsError) as exc:
        return _fail(str(exc))
    print(json.dumps(report.to_dict(), indent=2))
    return 0


def _export(args: argparse.Namespace, settings: Settings) -> int:
    from catalog.errors import CatalogError, InvalidCatalog

    if not settings.models_table:
        return _fail(f"{env.MODELS_TABLE} is not set: there is no table to export from")
    try:
        origin, entries = _read_published(
            settings.models_table, nothing=": there is no catalog to export", then=", then export"
        )
    except CatalogError as exc:
        return _fail(str(exc))
    try:
        exported = _export_document(entries, origin=origin, skip_invalid=args.skip_invalid)
    except InvalidCatalog as exc:
        hint = "" if args.skip_invalid else "\nRun again with --skip-invalid to export the rest."
        return _fail(f"{origin}: {_problems(exc)}{hint}")
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
        return _fail(f"cannot write {path}: {exc.strerror or exc}")
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
    from catalog.document import parse_catalog, parse_catalog_json
    from catalog.errors import InvalidCatalog

    kept = list(entries)
    skipped: list[str] = []
    try:
        parse_catalog({"object": "list", "data": kept})
    except InvalidCatalog as exc:
        if not skip_invalid:
            raise
        skipped = exc.problems
        kept = _valid_entries(kept)
    document = {"object": "list", "data": kept}
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    # A lone surrogate cannot be UTF-8: kept as such, for the parser below to refuse by name.
    body = text.encode("utf-8", errors="surrogatepass")
    parse_catalog_json(body, origin=origin)
    return _Exported(body, len(kept), skipped)


def _valid_entries(entries: Sequence[Any]) -> list[Any]:
    """The entries that are valid models, verbatim and in order, each id once (the first)."""
    from pydantic import ValidationError

    from catalog.schema import Model

    kept: list[Any] = []
    seen: set[str] = set()
    for entry in entries:
        try:
            model_id = Model.model_validate(entry).id
        except ValidationError:
            continue
        if model_id not in seen:
            seen.add(model_id)
            kept.append(entry)
    return kept


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


def _validate(args: argparse.Namespace, _settings: Settings) -> int:
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
        return _fail(f"cannot read {path}: {exc.strerror or exc}")
    try:
        models = parse_catalog_json(raw, origin=str(path))
    except InvalidCatalog as exc:
        return _fail(f"{path}: " + _problems(exc))
    size = served_list_size(models)
    print(
        f"{path}: OK, {len(models)} models; GET /v1/models is {size:,} bytes "
        f"({size / MAX_LIST_BYTES:.2%} of the {MAX_LIST_BYTES:,}-byte cap)"
    )
    return 0


def _iso_date(text: str) -> date:
    """A `YYYY-MM-DD` argument (argparse type)."""
    try:
        if len(text) != len("YYYY-MM-DD"):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date YYYY-MM-DD: {text!r}") from None


def _lifecycle(args: argparse.Namespace, settings: Settings) -> int:
    from catalog.errors import CatalogError, InvalidCatalog
    from catalog.lifecycle import day_start, statuses_at

    on: date = args.at or datetime.now(UTC).date()
    try:
        models, origin, left_out = _lifecycle_catalog(args.source, settings)
    except InvalidCatalog as exc:
        return _fail(f"{args.source}: {_problems(exc)}")
    except CatalogError as exc:
        return _fail(str(exc))
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
                "days_left": (
                    None
                    if shutdown_at is None
                    else round((day_start(shutdown_at) - now) / _SECONDS_PER_DAY)
                ),
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
        print(json.dumps(rows, indent=2, ensure_ascii=False))
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
    print(_table(table))
    return 0


_SECONDS_PER_DAY = 86_400
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
    from catalog.store import valid_models

    # As the API reads it: the models the schema refuses are left out (and logged).
    models = valid_models(entries, origin=origin)
    return models, origin, len(entries) - len(models)


def _read_published(table: str, *, nothing: str, then: str = "") -> tuple[str, list[Any]]:
    """The published catalog's origin (for messages) and its model documents, as the sync reads
    them: the pointer and its document, strongly consistent, checked against its digest.
    CatalogUnavailable when nothing is published or only in the legacy layout; `nothing` and
    `then` end those messages."""
    from awsclients import AwsClients
    from catalog.dynamodb import DynamoDBCatalogStore
    from catalog.errors import CatalogUnavailable

    store = DynamoDBCatalogStore(table, dynamodb=AwsClients().dynamodb)
    pointer = store.read_pointer()
    if pointer is None:
        raise CatalogUnavailable(f"nothing is published in {table}{nothing}")
    if not pointer.readable:
        raise CatalogUnavailable(
            f"catalog version {pointer.version} in {table} is in the legacy layout (one item "
            f"per model): run `ar-models sync` to publish it as a document{then}"
        )
    return f"catalog version {pointer.version} ({table})", store.read_document(pointer).entries()


def _problems(exc: InvalidCatalog) -> str:
    lines = "\n".join(f"  - {problem}" for problem in exc.problems)
    return f"invalid catalog, {len(exc.problems)} problem(s):\n{lines}"


def _key_store(settings: Settings) -> ApiKeyStore | None:
    from apikeys.store import ApiKeyStore
    from awsclients import AwsClients

    if not settings.api_keys_table:
        return None
    return ApiKeyStore(settings.api_keys_table, dynamodb=AwsClients().dynamodb)


def _keys_create(args: argparse.Namespace, settings: Settings) -> int:
    from apikeys.errors import KeyStoreUnavailable

    store = _key_store(settings)
    if store is None:
        return _fail(f"{env.API_KEYS_TABLE} is not set")
    try:
        key, record = store.create(args.name, tier=args.tier)
    except (KeyStoreUnavailable, ValueError) as exc:
        return _fail(str(exc))
    print(f"Created key {record.prefix}... name={record.name} tier={record.tier}")
    print("Store it now: it is not kept and cannot be shown again.")
    print(key)
    return 0


def _keys_list(_args: argparse.Namespace, settings: Settings) -> int:
    from apikeys.errors import KeyStoreUnavailable

    store = _key_store(settings)
    if store is None:
        return _fail(f"{env.API_KEYS_TABLE} is not set")
    try:
        records = store.list()
    except KeyStoreUnavailable as exc:
        return _fail(str(exc))
    rows = [("PREFIX", "NAME", "TIER", "STATUS", "CREATED")]
    rows += [(r.prefix + "...", r.name, r.tier, r.status, r.created_at) for r in records]
    print(_table(rows))
    return 0


def _table(rows: Sequence[Sequence[str]]) -> str:
    """Left-aligned columns, each as wide as its widest cell, two spaces apart."""
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )


def _keys_revoke(args: argparse.Namespace, settings: Settings) -> int:
    from apikeys.errors import AmbiguousKeyPrefix, KeyNotFound, KeyStoreUnavailable
    from apikeys.verifier import KEY_VERDICT_TTL

    store = _key_store(settings)
    if store is None:
        return _fail(f"{env.API_KEYS_TABLE} is not set")
    try:
        record = store.revoke(args.key_or_prefix)
    except (KeyNotFound, AmbiguousKeyPrefix, KeyStoreUnavailable) as exc:
        return _fail(str(exc))
    print(
        f"Revoked {record.prefix}... ({record.name}); "
        f"it stops working within {KEY_VERDICT_TTL:g} s."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

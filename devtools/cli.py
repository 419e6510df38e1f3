"""`ar-models`: run the API locally, publish the catalog and manage API keys from a shell."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from devtools.devstack import DEV_CACHE_TTL
from handler import settings as env
from handler.settings import Settings, SettingsError, load_settings

if TYPE_CHECKING:
    from apikeys.store import ApiKeyStore
    from catalog.errors import InvalidCatalog

Command = Callable[[argparse.Namespace, Settings], int]


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    # Warnings only: what a command has to say it prints itself (the sync's report once, not
    # again as its log line), and botocore's INFO lines about credentials are noise here.
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        settings = load_settings(defaults=args.defaults)
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
    serve.set_defaults(command=_serve, defaults=None)

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
        "--source", help="'bundled' or s3://bucket/key (default: CATALOG_SOURCE, else bundled)"
    )
    sync.add_argument("--dry-run", action="store_true", help="compute the change, write nothing")
    sync.add_argument("--force", action="store_true", help="lift the removal guard")
    sync.set_defaults(command=_sync, defaults=None)

    validate = commands.add_parser(
        "validate", help="check a catalog file; exits 1 listing every problem"
    )
    validate.add_argument("file", metavar="FILE")
    validate.set_defaults(command=_validate, defaults=None)

    keys = commands.add_parser("keys", help="manage API keys in API_KEYS_TABLE")
    key_commands = keys.add_subparsers(required=True, metavar="ACTION")
    create = key_commands.add_parser(
        "create", help="create a key; prints it alone on the last line"
    )
    create.add_argument("--name", required=True)
    create.add_argument("--tier", default="default")
    create.set_defaults(command=_keys_create, defaults=None)
    key_commands.add_parser("list", help="list keys (prefixes only)").set_defaults(
        command=_keys_list, defaults=None
    )
    revoke = key_commands.add_parser("revoke", help="revoke a key by full key or unique prefix")
    revoke.add_argument("key_or_prefix", metavar="KEY_OR_PREFIX")
    revoke.set_defaults(command=_keys_revoke, defaults=None)
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
        )
    except InvalidCatalog as exc:
        return _fail(_problems(exc))
    except RemovalRefused as exc:
        return _fail(f"{exc}\nRun again with --force to publish it anyway (--dry-run first).")
    except (CatalogError, SettingsError) as exc:
        return _fail(str(exc))
    print(json.dumps(report.to_dict(), indent=2))
    return 0


def _validate(args: argparse.Namespace, _settings: Settings) -> int:
    from catalog.errors import InvalidCatalog
    from catalog.schema import (
        MAX_DOCUMENT_BYTES,
        MAX_LIST_BYTES,
        parse_catalog_json,
        served_list_size,
    )

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

"""`ar-models`: run the API locally, publish the catalog and manage API keys from a shell."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from handler import settings as env

if TYPE_CHECKING:
    from catalog.errors import InvalidCatalog
    from handler.keys import ApiKeyStore

Command = Callable[[argparse.Namespace], int]


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    command: Command = args.command
    try:
        return command(args)
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
    dev.set_defaults(command=_dev)

    sync = commands.add_parser(
        "sync", help="publish the curated catalog into MODELS_TABLE; prints the report (JSON)"
    )
    sync.add_argument(
        "--source", help="'bundled' or s3://bucket/key (default: CATALOG_SOURCE, else bundled)"
    )
    sync.add_argument("--dry-run", action="store_true", help="compute the change, write nothing")
    sync.add_argument("--force", action="store_true", help="lift the removal guard")
    sync.set_defaults(command=_sync)

    validate = commands.add_parser(
        "validate", help="check a catalog file; exits 1 listing every problem"
    )
    validate.add_argument("file", metavar="FILE")
    validate.set_defaults(command=_validate)

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


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from handler.deps import reset
    from handler.keys import generate_key

    settings = env.get_settings()
    key = settings.dev_api_key
    if not key and not settings.api_keys_table:
        # Fail closed stays true locally: a fresh key per run, never a well-known default. The
        # app reads it from the environment, like every setting.
        key = generate_key()
        os.environ[env.DEV_API_KEY] = key
    reset()
    url = f"http://{args.host}:{args.port}"
    table = settings.models_table or "bundled catalog"
    print(f"AssistantRouter models API on {url}/v1 ({table})")
    if key:
        print(f"API key: {key}")
        print(f'Try: curl -H "Authorization: Bearer {key}" {url}/v1/models')
    else:
        print("API key: create one with `ar-models keys create --name NAME`")
    sys.stdout.flush()
    # lifespan="off": the app has no startup work (as under Mangum).
    uvicorn.run("handler.api:app", host=args.host, port=args.port, log_level="info", lifespan="off")
    return 0


def _dev(args: argparse.Namespace) -> int:
    import signal

    import uvicorn

    from catalog.errors import CatalogError
    from handler.devstack import LOOPBACK, DevStackError, dev_stack

    # SIGTERM must unwind like Ctrl-C, so the local AWS server is stopped in every case.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    url = f"http://{LOOPBACK}:{args.port}"
    try:
        with dev_stack(aws_port=args.aws_port) as stack:
            report = stack.sync_report
            print(f"Local AWS (moto: DynamoDB, S3) on {stack.endpoint}")
            print(
                f"Catalog {stack.source} published: version {report.version}, "
                f"{len(report.added) + report.unchanged} models"
            )
            print(f"AssistantRouter models API on {url}/v1")
            print(f"API key: {stack.api_key}")
            print(f'Try: curl -H "Authorization: Bearer {stack.api_key}" {url}/v1/models')
            print("To change the catalog from another shell, export these, upload and sync:")
            for name, value in stack.environment.items():
                print(f"  export {name}={value}")
            print(f"  aws s3 cp my-models.json {stack.source} && ar-models sync")
            print("Ctrl-C stops everything.")
            sys.stdout.flush()
            uvicorn.run(
                "handler.api:app", host=LOOPBACK, port=args.port, log_level="info", lifespan="off"
            )
    except (DevStackError, CatalogError) as exc:
        return _fail(str(exc))
    return 0


def _sync(args: argparse.Namespace) -> int:
    from catalog.errors import CatalogError, InvalidCatalog
    from handler.sync import run_sync

    try:
        report = run_sync(
            env.get_settings(), source=args.source, dry_run=args.dry_run, force=args.force
        )
    except InvalidCatalog as exc:
        return _fail(_problems(exc))
    except (CatalogError, env.SettingsError) as exc:
        return _fail(str(exc))
    print(json.dumps(report.to_dict(), indent=2))
    return 0


def _validate(args: argparse.Namespace) -> int:
    from catalog.errors import InvalidCatalog
    from catalog.schema import parse_catalog

    path = Path(args.file)
    try:
        document = json.loads(path.read_bytes())
    except OSError as exc:
        return _fail(f"cannot read {path}: {exc.strerror}")
    except ValueError as exc:
        return _fail(f"{path} is not valid JSON: {exc}")
    try:
        models = parse_catalog(document)
    except InvalidCatalog as exc:
        return _fail(f"{path}: " + _problems(exc))
    print(f"{path}: OK, {len(models)} models")
    return 0


def _problems(exc: InvalidCatalog) -> str:
    lines = "\n".join(f"  - {problem}" for problem in exc.problems)
    return f"invalid catalog, {len(exc.problems)} problem(s):\n{lines}"


def _key_store() -> ApiKeyStore | None:
    from handler.keys import ApiKeyStore

    table = env.get_settings().api_keys_table
    if not table:
        return None
    return ApiKeyStore(table)


def _keys_create(args: argparse.Namespace) -> int:
    from handler.keys import KeyStoreUnavailable

    store = _key_store()
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


def _keys_list(_: argparse.Namespace) -> int:
    from handler.keys import KeyStoreUnavailable

    store = _key_store()
    if store is None:
        return _fail(f"{env.API_KEYS_TABLE} is not set")
    try:
        records = store.list()
    except KeyStoreUnavailable as exc:
        return _fail(str(exc))
    row = "{:<14}{:<24}{:<12}{:<10}{}"
    print(row.format("PREFIX", "NAME", "TIER", "STATUS", "CREATED"))
    for r in records:
        print(row.format(r.prefix + "...", r.name, r.tier, r.status, r.created_at))
    return 0


def _keys_revoke(args: argparse.Namespace) -> int:
    from handler.keys import AmbiguousKeyPrefix, KeyNotFound, KeyStoreUnavailable

    store = _key_store()
    if store is None:
        return _fail(f"{env.API_KEYS_TABLE} is not set")
    try:
        record = store.revoke(args.key_or_prefix)
    except (KeyNotFound, AmbiguousKeyPrefix, KeyStoreUnavailable) as exc:
        return _fail(str(exc))
    print(f"Revoked {record.prefix}... ({record.name}); it stops working within 60 s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())

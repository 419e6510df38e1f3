"""`ar-models`: run the API locally and manage API keys from a shell."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from handler import settings as env

if TYPE_CHECKING:
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

    key = os.environ.get(env.DEV_API_KEY, "").strip()
    if not key and not os.environ.get(env.API_KEYS_TABLE):
        # Fail closed stays true locally: a fresh key per run, never a well-known default.
        key = generate_key()
        os.environ[env.DEV_API_KEY] = key
    reset()
    url = f"http://{args.host}:{args.port}"
    table = os.environ.get(env.MODELS_TABLE) or "bundled catalog"
    print(f"AssistantRouter models API on {url}/v1 ({table})")
    if key:
        print(f"API key: {key}")
        print(f'Try: curl -H "Authorization: Bearer {key}" {url}/v1/models')
    else:
        print("API key: create one with `ar-models keys create --name NAME`")
    sys.stdout.flush()
    uvicorn.run("handler.api:app", host=args.host, port=args.port, log_level="info")
    return 0


def _key_store() -> ApiKeyStore | None:
    from handler.keys import ApiKeyStore

    table = os.environ.get(env.API_KEYS_TABLE, "").strip()
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

"""`ar-models keys create|list|revoke`: API keys in API_KEYS_TABLE, through apikeys.store."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from devtools.output import fail, format_table
from handler import settings as env
from handler.settings import Settings

if TYPE_CHECKING:
    from apikeys.store import ApiKeyStore


def _key_store(settings: Settings) -> ApiKeyStore | None:
    # Imported when the command runs, so `ar-models --help` starts in 0.4 s, not 1-2 s.
    from apikeys.store import ApiKeyStore
    from awsclients import AwsClients

    if not settings.api_keys_table:
        return None
    return ApiKeyStore(settings.api_keys_table, dynamodb=AwsClients().dynamodb)


def create_key(args: argparse.Namespace, settings: Settings) -> int:
    # Imported when the command runs, so `ar-models --help` starts in 0.4 s, not 1-2 s.
    from apikeys.errors import KeyStoreUnavailable

    store = _key_store(settings)
    if store is None:
        return fail(f"{env.API_KEYS_TABLE} is not set")
    try:
        key, record = store.create(args.name, tier=args.tier)
    except (KeyStoreUnavailable, ValueError) as exc:
        return fail(str(exc))
    print(f"Created key {record.prefix}... name={record.name} tier={record.tier}")
    print("Store it now: it is not kept and cannot be shown again.")
    print(key)
    return 0


def list_keys(_args: argparse.Namespace, settings: Settings) -> int:
    # Imported when the command runs, so `ar-models --help` starts in 0.4 s, not 1-2 s.
    from apikeys.errors import KeyStoreUnavailable

    store = _key_store(settings)
    if store is None:
        return fail(f"{env.API_KEYS_TABLE} is not set")
    try:
        records = store.list()
    except KeyStoreUnavailable as exc:
        return fail(str(exc))
    rows = [("PREFIX", "NAME", "TIER", "STATUS", "CREATED")]
    rows += [(r.prefix + "...", r.name, r.tier, r.status, r.created_at) for r in records]
    print(format_table(rows))
    return 0


def revoke_key(args: argparse.Namespace, settings: Settings) -> int:
    # Imported when the command runs, so `ar-models --help` starts in 0.4 s, not 1-2 s.
    from apikeys.errors import AmbiguousKeyPrefix, KeyNotFound, KeyStoreUnavailable
    from apikeys.verifier import KEY_VERDICT_TTL

    store = _key_store(settings)
    if store is None:
        return fail(f"{env.API_KEYS_TABLE} is not set")
    try:
        record = store.revoke(args.key_or_prefix)
    except (KeyNotFound, AmbiguousKeyPrefix, KeyStoreUnavailable) as exc:
        return fail(str(exc))
    print(
        f"Revoked {record.prefix}... ({record.name}); "
        f"it stops working within {KEY_VERDICT_TTL:g} s."
    )
    return 0

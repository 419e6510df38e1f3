"""The per-container key verifier: DEV_API_KEY, then the keys table, with verdicts cached.

Fail closed: with neither a store nor a dev key every key is refused, and anything but an
explicit "active" record is refused. Keys are compared and looked up by hash, never logged.
"""

from __future__ import annotations

import hmac
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from apikeys.errors import InvalidApiKey, KeyStoreUnavailable
from apikeys.material import hash_key
from apikeys.store import ACTIVE, ApiKeyRecord, KeyLookup

logger = logging.getLogger(__name__)

# Seconds a verdict is trusted before the table is asked again: a revoked key keeps working at
# most this long in a warm container. Stated once; the CLI's revoke message quotes it.
KEY_VERDICT_TTL = 60.0


@dataclass(frozen=True, slots=True)
class _Cached:
    record: ApiKeyRecord | None
    fetched_at: float


class KeyVerifier:
    """Checks a presented key against DEV_API_KEY and the keys table, caching lookups briefly.

    A verdict is cached for `ttl` seconds (so a revoked key stops working within `ttl`), an
    unknown key for `negative_ttl`. If the keys table fails, a key verified within `stale_for`
    keeps working; any other key raises KeyStoreUnavailable (the API answers 503, not 401).
    With neither a store nor a dev key, every key is refused: fail closed.
    """

    def __init__(
        self,
        store: KeyLookup | None,
        *,
        dev_key: str | None = None,
        ttl: float = KEY_VERDICT_TTL,
        negative_ttl: float = 10.0,
        stale_for: float = 3600.0,
        max_entries: int = 4096,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store = store
        self._dev_key_hash = hash_key(dev_key) if dev_key else None
        self._ttl = ttl
        self._negative_ttl = negative_ttl
        self._stale_for = stale_for
        self._max_entries = max_entries
        self._clock = clock
        self._cache: OrderedDict[str, _Cached] = OrderedDict()

    @property
    def configured(self) -> bool:
        return self._store is not None or self._dev_key_hash is not None

    def verify(self, key: str) -> ApiKeyRecord:
        key_hash = hash_key(key)
        if self._dev_key_hash is not None and hmac.compare_digest(key_hash, self._dev_key_hash):
            return _DEV_RECORD
        if self._store is None:
            raise InvalidApiKey
        record = self._lookup(self._store, key_hash)
        if record is None or not record.active:
            raise InvalidApiKey
        return record

    def _lookup(self, store: KeyLookup, key_hash: str) -> ApiKeyRecord | None:
        now = self._clock()
        cached = self._cache.get(key_hash)
        if cached is not None:
            age = now - cached.fetched_at
            if age < (self._ttl if cached.record is not None else self._negative_ttl):
                self._cache.move_to_end(key_hash)
                return cached.record
        try:
            record = store.get(key_hash)
        except KeyStoreUnavailable:
            usable = cached is not None and now - cached.fetched_at < self._stale_for
            if usable and cached is not None and cached.record is not None:
                logger.warning(
                    "keys table unavailable; accepting key %s from cache", cached.record.prefix
                )
                return cached.record
            raise
        self._cache[key_hash] = _Cached(record, now)
        self._cache.move_to_end(key_hash)
        while len(self._cache) > self._max_entries:
            self._cache.popitem(last=False)
        return record


_DEV_RECORD = ApiKeyRecord(
    key_hash="", prefix="dev", name="DEV_API_KEY", tier="dev", status=ACTIVE, created_at=""
)

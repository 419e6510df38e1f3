"""The per-container key verifier: DEV_API_KEY, the key format, then the keys table, cached.

Fail closed: with neither a store nor a dev key every key is refused, and anything but an
explicit "active" record is refused. Keys are compared and looked up by hash, never logged.

In order, for a presented token:
1. `DEV_API_KEY`, compared in constant time: any string a developer chose, never looked up.
2. A token that does not look like a key (`apikeys.material.looks_like_key`: wrong shape, or a
   wrong checksum) is refused without a read.
3. Two verdict caches (the one LRU, awsclients.bounded_cache, bounded by count), keyed by the
   key's hash only, least recently used first out: verified keys (`max_entries`, trusted for
   `ttl`), and unknown or revoked keys (`max_unknown_entries`, trusted for `negative_ttl`). Only
   keys found active in the table enter the first, so a flood of made-up keys churns the second
   and evicts no verified key.
4. The keys table. If it fails, the verifier backs off (awsclients.backoff, the one the catalog
   cache uses too): for `failure_backoff` seconds from the moment the failed call returned, it
   does not call the table at all. Meanwhile (and on the failed call itself) a key verified
   within `stale_for` is accepted from the cache, a key the table said was revoked stays
   refused, and any other key raises KeyStoreUnavailable at once (the API answers 503, not 401:
   we could not check the key, it is not known to be wrong).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from apikeys.errors import InvalidApiKey, KeyStoreUnavailable
from apikeys.material import hash_key, looks_like_key
from apikeys.store import ACTIVE, ApiKeyRecord, KeyLookup
from awsclients.backoff import FailureBackoff
from awsclients.bounded_cache import BoundedCache, one

logger = logging.getLogger(__name__)

# Seconds a verdict is trusted before the table is asked again: a revoked key keeps working at
# most this long in a warm container. Stated once; the CLI's revoke message quotes it.
KEY_VERDICT_TTL = 60.0


@dataclass(frozen=True, slots=True)
class _Cached:
    record: ApiKeyRecord | None  # None: no such key in the table
    fetched_at: float


class KeyVerifier:
    """Checks a presented key against DEV_API_KEY and the keys table, caching verdicts briefly.

    `ttl`: seconds a verified key is trusted (a revoked key stops working within `ttl`);
    `negative_ttl`: seconds an unknown or revoked key's verdict is trusted; `stale_for`: how
    long ago a key may have been verified to be accepted while the table fails;
    `max_entries` / `max_unknown_entries`: the bounds of the two caches; `failure_backoff`:
    seconds after a failed lookup during which the table is not called. See the module's
    docstring for the order of the checks.
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
        max_unknown_entries: int = 4096,
        failure_backoff: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if min(ttl, negative_ttl, stale_for, failure_backoff) < 0:
            raise ValueError("durations must not be negative")
        if min(max_entries, max_unknown_entries) < 1:
            raise ValueError("each cache must hold at least one entry")
        self._store = store
        self._dev_key_digest = _digest(dev_key) if dev_key else None
        self._ttl = ttl
        self._negative_ttl = negative_ttl
        self._stale_for = stale_for
        self._clock = clock
        # Bounded by count; looked at with `peek`, touched only when a verdict is used.
        self._verified: BoundedCache[str, _Cached] = BoundedCache(max_entries, size_of=one)
        # Unknown (None) and inactive records.
        self._refused: BoundedCache[str, _Cached] = BoundedCache(max_unknown_entries, size_of=one)
        self._backoff = FailureBackoff(failure_backoff, clock=clock)
        self._warned = False  # about serving from the cache, in this backoff window

    @property
    def configured(self) -> bool:
        return self._store is not None or self._dev_key_digest is not None

    def verify(self, key: str) -> ApiKeyRecord:
        """The active record of `key`, whatever string it is: raises InvalidApiKey if it is not
        a valid key, KeyStoreUnavailable if that cannot be known without the failing table."""
        if self._dev_key_digest is not None and hmac.compare_digest(
            _digest(key), self._dev_key_digest
        ):
            return _DEV_RECORD
        if self._store is None or not looks_like_key(key):
            raise InvalidApiKey
        record = self._lookup(self._store, hash_key(key))
        if record is None or not record.active:
            raise InvalidApiKey
        return record

    def _lookup(self, store: KeyLookup, key_hash: str) -> ApiKeyRecord | None:
        now = self._clock()
        verified = self._verified.peek(key_hash)
        if verified is not None and now - verified.fetched_at < self._ttl:
            self._verified.touch(key_hash)
            return verified.record
        refused = self._refused.peek(key_hash)
        if refused is not None and now - refused.fetched_at < self._negative_ttl:
            self._refused.touch(key_hash)
            return refused.record
        if not self._backoff.ready(now):
            fallback = self._without_table(key_hash, verified, refused, now)
            if fallback is None:
                raise KeyStoreUnavailable(
                    "keys table failed moments ago; next attempt in "
                    f"{self._backoff.remaining(now):.3f} s"
                )
            return fallback.record
        try:
            record = store.get(key_hash)
        except KeyStoreUnavailable:
            # From when the failed call returned: a call that took its whole timeout (twice)
            # must not eat the backoff it causes.
            ended = self._backoff.failed()
            self._warned = False
            fallback = self._without_table(key_hash, verified, refused, ended)
            if fallback is None:
                raise
            return fallback.record
        self._backoff.succeeded()
        self._remember(key_hash, _Cached(record, now))
        return record

    def _without_table(
        self, key_hash: str, verified: _Cached | None, refused: _Cached | None, now: float
    ) -> _Cached | None:
        """The cached verdict that still holds while the table fails, if any."""
        if verified is not None and now - verified.fetched_at < self._stale_for:
            self._verified.touch(key_hash)
            if not self._warned:
                self._warned = True
                logger.warning(
                    "keys table unavailable: accepting keys verified within the last %g s "
                    "from the cache, refusing others with 503; the table is tried again "
                    "%g s after each failure",
                    self._stale_for,
                    self._backoff.seconds,
                )
            return verified
        if refused is not None and refused.record is not None:
            return refused  # revoked stays revoked: refused whether or not the table answers
        return None

    def _remember(self, key_hash: str, cached: _Cached) -> None:
        if cached.record is not None and cached.record.active:
            self._refused.discard(key_hash)
            self._verified.keep(key_hash, cached)
        else:
            self._verified.discard(key_hash)
            self._refused.keep(key_hash, cached)


def _digest(text: str) -> bytes:
    """SHA-256 of any str, lone surrogates included (a header or the environment can hold them):
    comparing digests takes the same time whatever the lengths."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()


_DEV_RECORD = ApiKeyRecord(
    key_hash="", prefix="dev", name="DEV_API_KEY", tier="dev", status=ACTIVE, created_at=""
)

"""The per-container verifier: dev key, key format, cached verdicts, revocation within the TTL,
the two bounded caches, outages and the backoff after a failed lookup.

Runs against a fake `KeyLookup` that counts its reads, and a clock moved by hand; the keys table
has its own tests.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest

from apikeys.errors import InvalidApiKey, KeyStoreUnavailable
from apikeys.material import generate_key, hash_key
from apikeys.verifier import KEY_VERDICT_TTL, KeyVerifier
from tests.support.fake_keys import FakeKeyLookup, legacy_key, make_key
from tests.support.fakes import FakeClock

KEY = make_key("stored-key")
DEV_KEY = "ar-dev-key-0123456789"  # any string: compared, never looked up

# Tokens that cannot be keys: each is refused without a keys-table read.
JUNK = [
    "x",
    "sk-proj-" + "a" * 48,
    "ar-" + "a" * 42 + ".",  # the length of a key issued before checksums, a bad character
    KEY[:-1] + ("0" if KEY[-1] != "0" else "1"),  # the current format, a wrong checksum
    KEY[:20] + ("A" if KEY[20] != "A" else "B") + KEY[21:],  # a typo in the secret
    "ar-" + "\u00e9" * 43,
    "ar-" + "\ud800" * 43,  # lone surrogates
    "ar-\x00\x1b[0m" + "a" * 38,
    "",
]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(now=1000.0)


@pytest.fixture
def keys() -> FakeKeyLookup:
    keys = FakeKeyLookup()
    keys.add(KEY, name="ci", tier="pro")
    return keys


def verifier(
    keys: FakeKeyLookup,
    clock: FakeClock,
    *,
    ttl: float = 60,
    negative_ttl: float = 10,
    stale_for: float = 3600,
    max_entries: int = 4096,
    max_unknown_entries: int = 4096,
    failure_backoff: float = 5,
) -> KeyVerifier:
    return KeyVerifier(
        keys,
        ttl=ttl,
        negative_ttl=negative_ttl,
        stale_for=stale_for,
        max_entries=max_entries,
        max_unknown_entries=max_unknown_entries,
        failure_backoff=failure_backoff,
        clock=clock,
    )


def test_a_stored_active_key_gives_its_record(keys: FakeKeyLookup, clock: FakeClock) -> None:
    record = verifier(keys, clock).verify(KEY)
    assert (record.key_hash, record.name, record.tier, record.active) == (
        hash_key(KEY),
        "ci",
        "pro",
        True,
    )
    assert keys.reads == {hash_key(KEY): 1}  # looked up by its hash, never the key


def test_a_key_issued_before_checksums_is_still_looked_up(
    keys: FakeKeyLookup, clock: FakeClock
) -> None:
    old = legacy_key()
    keys.add(old, name="from before")
    checker = verifier(keys, clock)
    assert checker.verify(old).name == "from before"
    assert keys.reads[hash_key(old)] == 1
    with pytest.raises(InvalidApiKey):
        checker.verify(legacy_key())  # well-formed but unknown: one read says so
    assert keys.gets == 2


@pytest.mark.parametrize("token", JUNK)
def test_a_token_that_cannot_be_a_key_is_refused_without_a_read(
    keys: FakeKeyLookup, clock: FakeClock, token: str
) -> None:
    checker = KeyVerifier(keys, dev_key=DEV_KEY, clock=clock)
    for _ in range(3):
        with pytest.raises(InvalidApiKey):
            checker.verify(token)
    assert keys.gets == 0
    keys.unavailable = True  # nor does an outage make it a 503: it is no key at all
    with pytest.raises(InvalidApiKey):
        checker.verify(token)
    assert keys.gets == 0


def test_the_dev_key_is_accepted_without_a_lookup(keys: FakeKeyLookup, clock: FakeClock) -> None:
    checker = KeyVerifier(keys, dev_key=DEV_KEY, clock=clock)
    assert checker.verify(DEV_KEY).tier == "dev"
    assert keys.gets == 0
    assert checker.verify(KEY).name == "ci"  # stored keys still work next to the dev key
    with pytest.raises(InvalidApiKey):
        checker.verify(DEV_KEY + "x")


@pytest.mark.parametrize("dev_key", ["dev", "my local key \u00e9\U0001f511", "x" * 500])
def test_the_dev_key_is_any_string_a_developer_chooses(
    keys: FakeKeyLookup, clock: FakeClock, dev_key: str
) -> None:
    checker = KeyVerifier(keys, dev_key=dev_key, clock=clock)
    assert checker.verify(dev_key).tier == "dev"
    for other in (dev_key[:-1], dev_key + " ", "\ud800", dev_key + "\ud800"):
        with pytest.raises(InvalidApiKey):
            checker.verify(other)
    assert keys.gets == 0


def test_with_only_a_dev_key_every_other_key_is_refused(clock: FakeClock) -> None:
    checker = KeyVerifier(None, dev_key=DEV_KEY, clock=clock)
    assert checker.configured
    assert checker.verify(DEV_KEY).active
    for key in (KEY, "", DEV_KEY[:-1], *JUNK):
        with pytest.raises(InvalidApiKey):
            checker.verify(key)


@pytest.mark.parametrize("dev_key", [None, ""])
def test_with_neither_store_nor_dev_key_everything_is_refused(
    clock: FakeClock, dev_key: str | None
) -> None:
    checker = KeyVerifier(None, dev_key=dev_key, clock=clock)
    assert not checker.configured
    for key in (KEY, "", "ar-dev-local-key", *JUNK):
        with pytest.raises(InvalidApiKey):
            checker.verify(key)


def test_lookups_are_cached_and_revocation_lands_within_the_ttl(
    keys: FakeKeyLookup, clock: FakeClock
) -> None:
    checker = verifier(keys, clock, ttl=60)
    for _ in range(5):
        assert checker.verify(KEY).active
    assert keys.gets == 1
    keys.revoke(KEY)
    clock.now += 59
    assert checker.verify(KEY).active  # still cached
    assert keys.gets == 1
    clock.now += 1
    with pytest.raises(InvalidApiKey):
        checker.verify(KEY)
    assert keys.gets == 2


def test_the_default_ttl_is_the_one_the_cli_quotes(keys: FakeKeyLookup, clock: FakeClock) -> None:
    checker = KeyVerifier(keys, clock=clock)
    checker.verify(KEY)
    keys.revoke(KEY)
    clock.now += KEY_VERDICT_TTL - 0.001
    assert checker.verify(KEY).active
    clock.now += 0.001
    with pytest.raises(InvalidApiKey):
        checker.verify(KEY)


def test_unknown_keys_are_cached_only_briefly(keys: FakeKeyLookup, clock: FakeClock) -> None:
    later = make_key("created-later")
    checker = verifier(keys, clock, negative_ttl=10)
    for _ in range(3):
        with pytest.raises(InvalidApiKey):
            checker.verify(later)
    assert keys.gets == 1
    keys.add(later)
    clock.now += 9.9
    with pytest.raises(InvalidApiKey):
        checker.verify(later)  # the cached "unknown" verdict
    clock.now += 0.1
    assert checker.verify(later).active  # a key created since is found
    assert keys.gets == 2


def test_a_revoked_key_is_refused_and_that_verdict_is_cached(
    keys: FakeKeyLookup, clock: FakeClock
) -> None:
    keys.revoke(KEY)
    checker = verifier(keys, clock)
    for _ in range(3):
        with pytest.raises(InvalidApiKey):
            checker.verify(KEY)
    assert keys.gets == 1


def test_an_outage_keeps_recently_verified_keys_and_fails_the_others(
    keys: FakeKeyLookup, clock: FakeClock
) -> None:
    checker = verifier(keys, clock, ttl=60, stale_for=3600, failure_backoff=5)
    assert checker.verify(KEY).active
    keys.unavailable = True
    clock.now += 600  # past the TTL: a lookup is attempted and fails
    assert checker.verify(KEY).active
    assert keys.gets == 2
    with pytest.raises(KeyStoreUnavailable):  # not InvalidApiKey: the API answers 503
        checker.verify(make_key("never-seen"))
    clock.now += 3000 - 0.001  # verified 3600 s ago, less a little
    assert checker.verify(KEY).active
    clock.now += 0.001  # verified too long ago to trust without the table
    with pytest.raises(KeyStoreUnavailable):
        checker.verify(KEY)
    keys.unavailable = False
    clock.now += 5  # the backoff after that last failure is over
    assert checker.verify(KEY).active  # and the table answers again


def test_an_outage_never_turns_a_refused_key_into_an_accepted_one(
    keys: FakeKeyLookup, clock: FakeClock
) -> None:
    unknown = make_key("unknown")
    keys.revoke(KEY)
    checker = verifier(keys, clock)
    with pytest.raises(InvalidApiKey):
        checker.verify(KEY)
    with pytest.raises(InvalidApiKey):
        checker.verify(unknown)
    keys.unavailable = True
    clock.now += 600
    with pytest.raises(InvalidApiKey):
        checker.verify(KEY)  # the revoked record it last saw
    with pytest.raises(KeyStoreUnavailable):
        checker.verify(unknown)  # unknown is no verdict to keep serving


def test_the_verified_cache_is_bounded_and_evicts_the_least_recently_used(
    keys: FakeKeyLookup, clock: FakeClock
) -> None:
    others = [make_key(f"other-key-{n}") for n in range(3)]
    for key in others:
        keys.add(key)
    checker = verifier(keys, clock, max_entries=3)
    checker.verify(KEY)
    checker.verify(others[0])
    checker.verify(others[1])
    assert keys.gets == 3
    checker.verify(KEY)  # a hit: KEY becomes the most recently used
    assert keys.gets == 3
    checker.verify(others[2])  # a fourth entry evicts the least recently used: others[0]
    assert keys.gets == 4
    for key in (KEY, others[1], others[2]):
        checker.verify(key)
    assert keys.gets == 4  # still cached
    checker.verify(others[0])
    assert keys.gets == 5  # evicted, so looked up again


def test_unknown_keys_have_their_own_bounded_cache_and_evict_no_verified_key(
    keys: FakeKeyLookup, clock: FakeClock
) -> None:
    unknown = [make_key(f"unknown-{n}") for n in range(10)]
    checker = verifier(keys, clock, max_entries=3, max_unknown_entries=3)
    checker.verify(KEY)
    for key in unknown:
        with pytest.raises(InvalidApiKey):
            checker.verify(key)
    assert keys.gets == 11
    checker.verify(KEY)
    assert keys.gets == 11  # still cached: the flood of unknown keys did not push it out
    for key in unknown[-3:]:
        with pytest.raises(InvalidApiKey):
            checker.verify(key)
    assert keys.gets == 11  # the last three unknown verdicts are cached...
    with pytest.raises(InvalidApiKey):
        checker.verify(unknown[0])
    assert keys.gets == 12  # ...the first ones were evicted from the unknown keys' cache


def test_a_flood_of_unknown_keys_then_an_outage_keeps_a_key_verified_a_minute_before(
    keys: FakeKeyLookup, clock: FakeClock
) -> None:
    checker = KeyVerifier(keys, clock=clock)  # the defaults, as deployed
    assert checker.verify(KEY).active
    flood = [generate_key() for _ in range(10_000)]
    for key in flood:
        with pytest.raises(InvalidApiKey):
            checker.verify(key)
        clock.now += 0.005  # 10,000 keys in 50 s
    assert len(keys.reads) == 10_001
    assert max(keys.reads.values()) == 1  # at most one read per distinct unknown key
    keys.unavailable = True
    clock.now += 10  # KEY verified a minute ago: past its TTL, so the table is asked, and fails
    assert checker.verify(KEY).active  # no 503
    assert keys.reads[hash_key(KEY)] == 2


def test_after_a_failed_lookup_the_table_is_left_alone_for_the_backoff(
    clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    # Each call to the table takes 1.4 s of the clock (two attempts of 0.7 s when it hangs).
    keys = FakeKeyLookup(clock=clock, latency=1.4)
    keys.add(KEY)
    uncached = make_key("uncached")
    checker = verifier(keys, clock, ttl=60, failure_backoff=5)
    assert checker.verify(KEY).active
    keys.unavailable = True
    clock.now += 60  # past the TTL
    started = clock.now
    caplog.set_level(logging.WARNING, logger="apikeys.verifier")
    assert checker.verify(KEY).active  # the failed lookup itself falls back to the cache
    ended = clock.now
    assert ended == started + 1.4
    assert keys.gets == 2

    for now in (ended, started + 5, started + 5.5, ended + 5 - 0.001):
        # started + 5.5: a backoff counted from the start of the failed call would be over.
        clock.now = now
        assert checker.verify(KEY).active  # a cached verified key: accepted, no table call
        with pytest.raises(KeyStoreUnavailable, match="next attempt in"):
            checker.verify(uncached)  # any other key: 503 at once...
        assert clock.now == now  # ...without waiting on the table
    assert keys.gets == 2  # not one call during the backoff

    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1  # once per backoff window
    assert "accepting keys verified within the last 3600 s" in warnings[0].getMessage()
    for secret in (KEY, hash_key(KEY), uncached, hash_key(uncached)):
        assert secret not in caplog.text

    clock.now = ended + 5  # the backoff is over: the table is tried again
    with pytest.raises(KeyStoreUnavailable):
        checker.verify(uncached)
    assert keys.gets == 3
    assert keys.reads[hash_key(uncached)] == 1
    ended_again = clock.now  # still failing: a new backoff, from the end of this call
    clock.now = ended_again + 5 - 0.001
    assert checker.verify(KEY).active
    assert keys.gets == 3
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 2  # a new window

    keys.unavailable = False
    keys.add(uncached)
    clock.now = ended_again + 5
    assert checker.verify(uncached).active  # the table answers again
    assert keys.gets == 4


def test_a_revoked_key_stays_refused_during_the_backoff(clock: FakeClock) -> None:
    keys = FakeKeyLookup()
    keys.add(KEY)
    keys.revoke(KEY)
    other = make_key("other")
    keys.add(other)
    checker = verifier(keys, clock, negative_ttl=10, failure_backoff=5)
    with pytest.raises(InvalidApiKey):
        checker.verify(KEY)
    checker.verify(other)
    keys.unavailable = True
    clock.now += 60
    assert checker.verify(other).active  # fails, backs off, accepts from the cache
    gets = keys.gets
    with pytest.raises(InvalidApiKey):
        checker.verify(KEY)  # known revoked: 401, not 503
    assert keys.gets == gets


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"ttl": -1}, "must not be negative"),
        ({"failure_backoff": -1}, "must not be negative"),
        ({"max_entries": 0}, "at least one entry"),
        ({"max_unknown_entries": 0}, "at least one entry"),
    ],
)
def test_nonsense_settings_are_refused(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        KeyVerifier(None, **options)

"""The per-container verifier: dev key, cached verdicts, revocation within the TTL, outages, LRU.

Runs against a fake `KeyLookup` and a clock moved by hand; the keys table has its own tests.
"""

from __future__ import annotations

import pytest

from apikeys.errors import InvalidApiKey, KeyStoreUnavailable
from apikeys.material import hash_key
from apikeys.verifier import KEY_VERDICT_TTL, KeyVerifier
from tests.support.fake_keys import FakeKeyLookup
from tests.support.fakes import FakeClock

KEY = "ar-stored-key-abcdefghijklmnop"
DEV_KEY = "ar-dev-key-0123456789"


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
) -> KeyVerifier:
    return KeyVerifier(
        keys,
        ttl=ttl,
        negative_ttl=negative_ttl,
        stale_for=stale_for,
        max_entries=max_entries,
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


def test_the_dev_key_is_accepted_without_a_lookup(keys: FakeKeyLookup, clock: FakeClock) -> None:
    checker = KeyVerifier(keys, dev_key=DEV_KEY, clock=clock)
    assert checker.verify(DEV_KEY).tier == "dev"
    assert keys.gets == 0
    assert checker.verify(KEY).name == "ci"  # stored keys still work next to the dev key
    with pytest.raises(InvalidApiKey):
        checker.verify(DEV_KEY + "x")


def test_with_only_a_dev_key_every_other_key_is_refused(clock: FakeClock) -> None:
    checker = KeyVerifier(None, dev_key=DEV_KEY, clock=clock)
    assert checker.configured
    assert checker.verify(DEV_KEY).active
    for key in (KEY, "", DEV_KEY[:-1]):
        with pytest.raises(InvalidApiKey):
            checker.verify(key)


@pytest.mark.parametrize("dev_key", [None, ""])
def test_with_neither_store_nor_dev_key_everything_is_refused(
    clock: FakeClock, dev_key: str | None
) -> None:
    checker = KeyVerifier(None, dev_key=dev_key, clock=clock)
    assert not checker.configured
    for key in (KEY, "", "ar-dev-local-key"):
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
    checker = verifier(keys, clock, negative_ttl=10)
    for _ in range(3):
        with pytest.raises(InvalidApiKey):
            checker.verify("ar-created-later")
    assert keys.gets == 1
    keys.add("ar-created-later")
    clock.now += 9.9
    with pytest.raises(InvalidApiKey):
        checker.verify("ar-created-later")  # the cached "unknown" verdict
    clock.now += 0.1
    assert checker.verify("ar-created-later").active  # a key created since is found
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
    checker = verifier(keys, clock, ttl=60, stale_for=3600)
    assert checker.verify(KEY).active
    keys.unavailable = True
    clock.now += 600  # past the TTL: a lookup is attempted and fails
    assert checker.verify(KEY).active
    assert keys.gets == 2
    with pytest.raises(KeyStoreUnavailable):  # not InvalidApiKey: the API answers 503
        checker.verify("ar-never-seen-key")
    clock.now += 3000 - 0.001  # verified 3600 s ago, less a little
    assert checker.verify(KEY).active
    clock.now += 0.001  # verified too long ago to trust without the table
    with pytest.raises(KeyStoreUnavailable):
        checker.verify(KEY)
    keys.unavailable = False
    assert checker.verify(KEY).active  # and the table answers again


def test_an_outage_never_turns_a_refused_key_into_an_accepted_one(
    keys: FakeKeyLookup, clock: FakeClock
) -> None:
    keys.revoke(KEY)
    checker = verifier(keys, clock)
    with pytest.raises(InvalidApiKey):
        checker.verify(KEY)
    with pytest.raises(InvalidApiKey):
        checker.verify("ar-unknown-key")
    keys.unavailable = True
    clock.now += 600
    with pytest.raises(InvalidApiKey):
        checker.verify(KEY)  # the revoked record it last saw
    with pytest.raises(KeyStoreUnavailable):
        checker.verify("ar-unknown-key")  # unknown is no verdict to keep serving


def test_the_cache_is_bounded_and_evicts_the_least_recently_used(
    keys: FakeKeyLookup, clock: FakeClock
) -> None:
    others = [f"ar-other-key-{n}" for n in range(3)]
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


def test_unknown_keys_cannot_grow_the_cache_past_its_bound(
    keys: FakeKeyLookup, clock: FakeClock
) -> None:
    checker = verifier(keys, clock, max_entries=3)
    checker.verify(KEY)
    for n in range(10):
        with pytest.raises(InvalidApiKey):
            checker.verify(f"ar-unknown-{n}")
    gets = keys.gets
    checker.verify(KEY)
    assert keys.gets == gets + 1  # pushed out by the flood of unknown keys

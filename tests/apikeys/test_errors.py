"""apikeys/errors.py: the keys domain's errors, one family the HTTP layer maps (handler/errors.py)
and each kept distinct: an unknown key is the caller's mistake, an unreadable table is ours."""

from __future__ import annotations

import itertools

import pytest

from apikeys.errors import (
    AmbiguousKeyPrefix,
    ApiKeyError,
    InvalidApiKey,
    KeyNotFound,
    KeyStoreUnavailable,
)

ERRORS = [KeyStoreUnavailable, InvalidApiKey, KeyNotFound, AmbiguousKeyPrefix]


@pytest.mark.parametrize("error", ERRORS, ids=lambda error: error.__name__)
def test_every_error_is_of_the_family_and_keeps_its_message(error: type[ApiKeyError]) -> None:
    raised = error("keys table ar-keys: throttled")
    assert isinstance(raised, ApiKeyError)
    assert str(raised) == "keys table ar-keys: throttled"


def test_no_error_is_taken_for_another() -> None:
    for one, other in itertools.permutations(ERRORS, 2):
        assert not issubclass(one, other), (one, other)

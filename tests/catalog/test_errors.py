"""catalog/errors.py: each domain error's message and the data it carries, and the family it
belongs to (the HTTP layer and the cache decide by family: an unavailable catalog is served
stale, a client's mistake is a 4xx)."""

from __future__ import annotations

import pytest

from catalog.errors import (
    CatalogCorrupt,
    CatalogError,
    CatalogIncomplete,
    CatalogTooLarge,
    CatalogUnavailable,
    CatalogUnreadable,
    CatalogUnservable,
    EventPublishFailed,
    InvalidCatalog,
    InvalidCursor,
    InvalidFilter,
    InvalidSource,
    ModelNotFound,
    RemovalRefused,
    SourceUnavailable,
    VersionConflict,
)
from catalog.problems import VALUE_LIMIT
from catalog.store import CatalogContents


def test_model_not_found_names_the_model_quoted() -> None:
    error = ModelNotFound("gpt-9")
    assert str(error) == "The model 'gpt-9' does not exist"
    assert error.model_id == "gpt-9"


def test_a_clients_long_or_unprintable_value_is_quoted_in_part() -> None:
    long = "x" * 10_000
    message = str(ModelNotFound(long))
    assert message == f"The model '{'x' * VALUE_LIMIT}...' does not exist"
    assert ModelNotFound(long).model_id == long  # the whole value kept for the code
    assert str(ModelNotFound("a\nb")) == "The model 'a\\nb' does not exist"


def test_invalid_filter_names_the_parameter_the_value_and_what_is_allowed() -> None:
    error = InvalidFilter("capability", "telepathy", ["vision", "reasoning"])
    assert str(error) == (
        "Invalid value for 'capability': 'telepathy'. Expected one of: vision, reasoning."
    )
    assert (error.param, error.value, error.allowed) == (
        "capability",
        "telepathy",
        ["vision", "reasoning"],
    )


def test_invalid_cursor_names_the_parameter_and_the_value() -> None:
    error = InvalidCursor("after_id", "nope")
    assert str(error) == "Invalid value for 'after_id': 'nope' is not a model id of this list."
    assert (error.param, error.value) == ("after_id", "nope")


def test_invalid_catalog_counts_and_lists_every_problem() -> None:
    error = InvalidCatalog(["data[0] (a).id: bad", "data[1] (b): missing"])
    assert str(error) == "2 problem(s) in catalog: data[0] (a).id: bad; data[1] (b): missing"
    assert error.problems == ["data[0] (a).id: bad", "data[1] (b): missing"]


def test_version_conflict_says_another_sync_won() -> None:
    error = VersionConflict(7)
    assert str(error) == "catalog version changed under us (expected 7); another sync won the race"
    assert error.expected == 7
    assert "expected None" in str(VersionConflict(None))


def test_removal_refused_keeps_its_message_and_what_it_would_remove() -> None:
    error = RemovalRefused("would remove 3 of 4 models", removed=["a", "b", "c"], published=4)
    assert str(error) == "would remove 3 of 4 models"
    assert (error.removed, error.published) == (["a", "b", "c"], 4)


def test_an_unreadable_version_names_the_version_and_why() -> None:
    error = CatalogUnreadable(12, "the digest does not match")
    assert str(error) == "catalog version 12 cannot be read: the digest does not match"
    assert (error.version, error.reason) == (12, "the digest does not match")


def test_a_catalog_too_large_says_its_size_and_the_cap() -> None:
    error = CatalogTooLarge(5, 5_000_000, 4_194_304)
    assert str(error) == (
        "catalog version 5 serialises to 5,000,000 bytes as GET /v1/models, "
        "over the cap of 4,194,304"
    )
    assert (error.version, error.size, error.limit) == (5, 5_000_000, 4_194_304)


def test_an_incomplete_version_may_offer_the_one_before() -> None:
    previous = CatalogContents(version=1, models=[])
    error = CatalogIncomplete("chunk 3 missing", read_previous=lambda: previous)
    assert str(error) == "chunk 3 missing"
    assert error.read_previous is not None
    assert error.read_previous() is previous
    assert CatalogIncomplete("chunk 3 missing").read_previous is None


def test_an_unservable_catalog_remembers_its_version_when_known() -> None:
    assert CatalogUnservable("none of its models can be served", version=3).version == 3
    assert CatalogUnservable("x").version is None


@pytest.mark.parametrize(
    ("error", "family"),
    [
        (CatalogCorrupt("x"), CatalogUnavailable),
        (CatalogIncomplete("x"), CatalogCorrupt),
        (CatalogUnreadable(1, "x"), CatalogCorrupt),
        (CatalogUnservable("x"), CatalogUnavailable),
        (CatalogTooLarge(1, 2, 1), CatalogUnservable),
    ],
    ids=lambda value: type(value).__name__,
)
def test_every_reason_a_catalog_cannot_be_served_is_unavailable(
    error: CatalogError, family: type[CatalogError]
) -> None:
    assert isinstance(error, family)
    assert isinstance(error, CatalogUnavailable)  # the cache serves the previous catalog


@pytest.mark.parametrize(
    "error",
    [
        ModelNotFound("m"),
        InvalidFilter("p", "v", []),
        InvalidCursor("after_id", "v"),
        InvalidCatalog([]),
        VersionConflict(1),
        RemovalRefused("x", removed=[], published=0),
        InvalidSource("x"),
        SourceUnavailable("x"),
        EventPublishFailed("x"),
    ],
    ids=lambda value: type(value).__name__,
)
def test_a_clients_or_a_syncs_error_is_never_taken_for_an_unavailable_catalog(
    error: CatalogError,
) -> None:
    assert isinstance(error, CatalogError)
    assert not isinstance(error, CatalogUnavailable)

"""handler/dialects/base.py: what a dialect is. Both deployed dialects satisfy `Dialect`
(statically: mypy checks the typed list below; at run time: every member present, with the
types it declares), and `ListFilters` is the shared filters' frozen value, empty by default."""

from __future__ import annotations

import dataclasses
from typing import Protocol, runtime_checkable

import pytest

from catalog.body import Body
from catalog.bundled import bundled_snapshot
from catalog.errors import ModelNotFound
from handler.dialects.anthropic import ANTHROPIC
from handler.dialects.base import Dialect, HeaderLookup, ListFilters
from handler.dialects.openai import OPENAI

METHODS = (
    "recognises",
    "response_headers",
    "list_body",
    "model_body",
    "error_body",
    "extend_openapi",
)
DEPLOYED: list[Dialect] = [OPENAI, ANTHROPIC]  # mypy: each satisfies the protocol


@runtime_checkable
class _CheckedDialect(Dialect, Protocol):
    """The same protocol, checkable with isinstance (it checks every member is present)."""


@pytest.mark.parametrize("dialect", DEPLOYED, ids=lambda d: d.name)
def test_each_deployed_dialect_has_every_member_of_the_protocol(dialect: Dialect) -> None:
    assert isinstance(dialect, _CheckedDialect)
    assert isinstance(dialect.name, str)
    assert dialect.name
    assert all(h == h.lower() for h in dialect.selecting_headers)
    for method in METHODS:
        assert callable(getattr(dialect, method)), method


def test_an_object_missing_a_member_is_no_dialect() -> None:
    class ListsOnly:
        name = "lists-only"
        selecting_headers = ()

        def list_body(self, *args: object) -> None: ...

    assert not isinstance(ListsOnly(), _CheckedDialect)


@pytest.mark.parametrize("dialect", DEPLOYED, ids=lambda d: d.name)
def test_a_selecting_header_present_selects_the_dialect(dialect: Dialect) -> None:
    for name in dialect.selecting_headers:
        assert dialect.recognises(only(name))


def only(present: str) -> HeaderLookup:
    """A request's headers holding just `present`."""
    return lambda asked: "1" if asked == present else None


@pytest.mark.parametrize("dialect", DEPLOYED, ids=lambda d: d.name)
def test_model_body_is_a_body_or_model_not_found(dialect: Dialect) -> None:
    snapshot = bundled_snapshot()
    assert isinstance(dialect.model_body(snapshot, snapshot.models[0].id), Body)
    with pytest.raises(ModelNotFound):
        dialect.model_body(snapshot, "no-such-model")


def test_list_filters_default_to_no_filter_and_are_frozen() -> None:
    filters = ListFilters()

    assert (filters.owned_by, tuple(filters.capabilities)) == (None, ())
    assert (filters.statuses, filters.min_context_length) == (None, None)
    assert filters == ListFilters(owned_by=None, capabilities=(), statuses=None)
    assert ListFilters(owned_by="openai") != filters
    with pytest.raises(dataclasses.FrozenInstanceError):
        filters.owned_by = "openai"  # type: ignore[misc]

"""An immutable, fully serialised view of one catalog version.

Everything a request needs is computed here once per catalog version, so serving a request is a
dict lookup and a write of bytes that already exist.
"""

from __future__ import annotations

import bisect
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from awsclients.bounded_cache import BoundedCache
from catalog.anthropic import AnthropicView
from catalog.body import Body
from catalog.cache_bounds import FILTERED_LISTS_BYTES, body_cache
from catalog.errors import CatalogTooLarge, CatalogUnservable, InvalidFilter, ModelNotFound
from catalog.lifecycle import LISTED_BY_DEFAULT, deprecation_headers, status_at
from catalog.limits import MAX_LIST_BYTES, MAX_MODEL_BYTES
from catalog.measure import over_model_cap
from catalog.problems import TEXT_LIMIT, printable
from catalog.schema import CAPABILITY_NAMES, LIFECYCLE_STATUSES, LifecycleStatus, Model
from catalog.served import next_change, served_wire
from catalog.wire import list_size, wire_json

logger = logging.getLogger(__name__)

# The filters of a list, normalised: provider, capabilities, statuses, smallest context length.
FilterKey = tuple[str | None, frozenset[str], frozenset[str], int | None]
# No filter named: the default list (the statuses of LISTED_BY_DEFAULT), prebuilt.
_NO_FILTER: FilterKey = (None, frozenset(), LISTED_BY_DEFAULT, None)
_EVERY_STATUS = frozenset(LIFECYCLE_STATUSES)


@dataclass(frozen=True, slots=True)
class CatalogSnapshot:
    """One catalog version as served at one instant, in curated order, every body prebuilt.

    Served bodies carry each model's lifecycle status and prices at `built_at`; they stay true
    until `valid_until`, the next deprecation, shutdown or price date of any model (inf if
    none), when the cache rebuilds the snapshot from the same models (`at`). `list_body` is
    the default list: the models LISTED_BY_DEFAULT (active and deprecated) at `built_at`.
    """

    version: int
    models: tuple[Model, ...]
    list_body: Body
    # By id and by alias: an alias answers its model's body.
    model_bodies: dict[str, Body]
    # Every id and alias answered, with the id of its model.
    names: dict[str, str]
    # The catalog's providers, lower-cased: `?owned_by=` matches without regard to case
    # (`Google` lists Google's models), as provider names are ASCII tokens (catalog.limits).
    providers: frozenset[str]
    statuses: dict[str, LifecycleStatus]
    # The distinct context lengths, ascending: `?min_context_length=` is normalised to one.
    context_lengths: tuple[int, ...]
    built_at: float
    valid_until: float
    # Filtered lists are built on first use and kept: their keys are bounded by the catalog's
    # providers, capability and status subsets and context lengths, because unknown filter
    # values are rejected or normalised first; their bytes by FILTERED_LISTS_BYTES (LRU).
    _filtered: BoundedCache[FilterKey, Body] = field(
        default_factory=lambda: body_cache(FILTERED_LISTS_BYTES)
    )
    # The Anthropic shape of this snapshot, built on the first request that asks for it.
    _anthropic: AnthropicView | None = field(default=None, init=False, repr=False, compare=False)

    @classmethod
    def build(cls, version: int, models: Sequence[Model], *, now: float) -> CatalogSnapshot:
        """Every body of this catalog version as served at `now` (epoch seconds), serialised
        once.

        A model that cannot be served (its wire form is not JSON, is over MAX_MODEL_BYTES, or
        repeats an id) is skipped with a warning: one bad model never takes the others down.
        An alias that names another model already is ignored, with a warning.
        A list body over MAX_LIST_BYTES raises CatalogTooLarge, and models none of which can
        be served raise CatalogUnservable: both are CatalogUnavailable, so the cache goes on
        serving what it served before.
        """
        served: dict[str, tuple[Model, dict[str, Any]]] = {}
        sizes: list[int] = []
        for model in models:
            servable = _servable(model, served, now)
            if servable is not None:
                served[model.id] = (model, servable[0])
                sizes.append(servable[1])
        total = list_size(sizes)
        if total > MAX_LIST_BYTES:
            raise CatalogTooLarge(version, total, MAX_LIST_BYTES)
        if models and not served:
            raise CatalogUnservable(f"catalog version {version}: none of its models can be served")
        bodies = {
            model_id: Body.of(doc, deprecation_headers(model, now))
            for model_id, (model, doc) in served.items()
        }
        names = {model_id: model_id for model_id in served}
        for model, _ in served.values():
            for alias in model.aliases or ():
                if alias in names:
                    logger.warning(
                        "ignoring alias %a of model %a: it already names another model",
                        alias,
                        model.id,
                    )
                else:
                    names[alias] = model.id
                    bodies[alias] = bodies[model.id]
        kept = tuple(model for model, _ in served.values())
        statuses = {model.id: status_at(model, now) for model in kept}
        listed = [doc for model, doc in served.values() if statuses[model.id] in LISTED_BY_DEFAULT]
        return cls(
            version=version,
            models=kept,
            list_body=Body.of({"object": "list", "data": listed}),
            model_bodies=bodies,
            names=names,
            providers=frozenset(model.owned_by.lower() for model in kept),
            statuses=statuses,
            context_lengths=tuple(sorted({model.context_length for model in kept})),
            built_at=now,
            valid_until=next_change(kept, now),
        )

    def at(self, now: float) -> CatalogSnapshot:
        """This catalog version as served at `now`: the same models, statuses of that time."""
        return CatalogSnapshot.build(self.version, self.models, now=now)

    def __len__(self) -> int:
        return len(self.models)

    def model_body(self, model_id: str) -> Body:
        """The body of the model with this id or alias."""
        try:
            return self.model_bodies[model_id]
        except KeyError:
            raise ModelNotFound(model_id) from None

    def list_body_for(
        self,
        owned_by: str | None,
        capabilities: Iterable[str],
        statuses: Iterable[str] = (),
        min_context_length: int | None = None,
    ) -> Body:
        """The list body, filtered: by provider (in any case), by capabilities that must all
        hold (an unknown capability does not), by status (any of those named; none named: the
        default list's, LISTED_BY_DEFAULT), by a smallest context length.

        A provider the catalog does not have lists nothing, as any filter that matches nothing:
        the request is valid (what a well-formed provider is, the API checks), the catalog just
        has no such model today. That answer is one shared body, never cached per value.
        """
        key = self._filter_key(owned_by, capabilities, statuses, min_context_length)
        if key is None:
            return _EMPTY_LIST
        if key == _NO_FILTER:
            return self.list_body
        body = self._filtered.get(key)
        if body is None:
            selects = self._selects(key)
            data = [served_wire(model, self.built_at) for model in self.models if selects(model)]
            body = self._filtered.keep(key, Body.of({"object": "list", "data": data}))
        return body

    @property
    def anthropic(self) -> AnthropicView:
        """This snapshot in the shape of Anthropic's Models API, built on first use."""
        view = self._anthropic
        if view is None:
            view = AnthropicView.build(self.models, self.statuses, self.names, now=self.built_at)
            object.__setattr__(self, "_anthropic", view)  # frozen: the one lazily filled slot
        return view

    def anthropic_page(
        self,
        owned_by: str | None,
        capabilities: Iterable[str],
        statuses: Iterable[str],
        min_context_length: int | None = None,
        *,
        limit: int,
        after_id: str | None = None,
        before_id: str | None = None,
    ) -> Body:
        """A page of Anthropic's list, with the filters of `list_body_for`, except that
        `statuses` is always the statuses to list (Anthropic's default leaves retired models
        out, so the caller decides): none selects no model, where `list_body_for` reads no
        statuses as the default list's."""
        states = frozenset(statuses)
        key = self._filter_key(owned_by, capabilities, states, min_context_length)
        if not states:
            key = None
        selects = None if key is None else self._selects(key)
        return self.anthropic.page(
            key, selects, limit=limit, after_id=after_id, before_id=before_id
        )

    def _filter_key(
        self,
        owned_by: str | None,
        capabilities: Iterable[str],
        statuses: Iterable[str],
        min_context_length: int | None,
    ) -> FilterKey | None:
        """The filters, checked and normalised to a key (None: they select nothing).

        Unknown capabilities and statuses raise InvalidFilter. Naming no status selects the
        statuses LISTED_BY_DEFAULT, naming every one selects every model; a
        `min_context_length` becomes the smallest context length of the catalog that reaches it
        (none of the catalog's: no filter), so keys stay bounded by what the catalog holds,
        whatever values clients send.
        """
        wanted = frozenset(capabilities)
        for name in sorted(wanted):
            if name not in CAPABILITY_NAMES:
                raise InvalidFilter("capability", name, list(CAPABILITY_NAMES))
        states = frozenset(statuses)
        for name in sorted(states):
            if name not in LIFECYCLE_STATUSES:
                raise InvalidFilter("status", name, list(LIFECYCLE_STATUSES))
        if not states:
            states = LISTED_BY_DEFAULT
        floor = None
        if min_context_length is not None:
            index = bisect.bisect_left(self.context_lengths, min_context_length)
            if index == len(self.context_lengths):
                return None
            floor = self.context_lengths[index] if index else None  # the smallest: no filter
        provider = None if owned_by is None else owned_by.lower()
        if provider is not None and provider not in self.providers:
            return None
        return (provider, wanted, states, floor)

    def _selects(self, key: FilterKey) -> Callable[[Model], bool]:
        """Whether a model passes the filters of `key`."""
        owned_by, wanted, states, floor = key

        def selects(model: Model) -> bool:
            return (
                (owned_by is None or model.owned_by.lower() == owned_by)
                and all(getattr(model.capabilities, name) for name in wanted)
                and (states == _EVERY_STATUS or self.statuses[model.id] in states)
                and (floor is None or model.context_length >= floor)
            )

        return selects


_EMPTY_LIST = Body.of({"object": "list", "data": []})


def _servable(
    model: Model, served: dict[str, tuple[Model, dict[str, Any]]], now: float
) -> tuple[dict[str, Any], int] | None:
    """The wire form of `model` and its size, or None (with a warning) if it cannot be served.

    Models from a catalog document or the table were validated, so this only ever refuses
    one built some other way: it is the last guard before bytes reach a client.
    """
    model_id = getattr(model, "id", None)
    try:
        doc = served_wire(model, now)
        size = len(wire_json(doc))
    except (ValueError, TypeError, RecursionError, AttributeError) as exc:
        # Escaped: the reason may hold the very lone surrogate that made the model unservable.
        reason = printable(str(exc), limit=TEXT_LIMIT)
        logger.warning("skipping model %a: it cannot be served as JSON: %s", model_id, reason)
        return None
    if model_id in served:
        logger.warning("skipping a second model with id %a", model_id)
        return None
    if over_model_cap(size):
        logger.warning(
            "skipping model %a: %d bytes as served, over the cap of %d",
            model_id,
            size,
            MAX_MODEL_BYTES,
        )
        return None
    return doc, size

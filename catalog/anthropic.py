"""The catalog in the shape of Anthropic's Models API: ModelInfo objects and cursor pages.

Anthropic's SDKs and Claude Code read `GET /v1/models` this way; the HTTP layer picks this
shape when a request carries `anthropic-version` (handler/dialect.py). A view is built once
per snapshot (so per catalog version, and again at a lifecycle date): every ModelInfo is
serialised once, a page is assembled from those bytes, and pages are kept (bounded by
PAGE_CACHE_BYTES), so a request for a page already served does no JSON work at all.

The mapping never invents a fact: what the catalog does not know is `null` where Anthropic's
type allows it, and `{"supported": false}` where it requires a flag (README, "Anthropic
clients").
"""

from __future__ import annotations

import logging
import time
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from awsclients.bounded_cache import BoundedCache
from catalog.body import Body
from catalog.cache_bounds import SELECTIONS_BYTES, body_cache, positions_bytes
from catalog.errors import InvalidCursor, ModelNotFound
from catalog.lifecycle import LISTED_BY_DEFAULT, day_start, deprecation_headers
from catalog.schema import LifecycleStatus, Model
from catalog.wire import wire_json

logger = logging.getLogger(__name__)

# What Anthropic's list answers without a `lifecycle` filter: retired models only when asked,
# which is what both dialects list by default.
DEFAULT_LIFECYCLES: frozenset[str] = LISTED_BY_DEFAULT
DEFAULT_LIMIT = 20
MAX_LIMIT = 1000
# Pages kept per view, by their total size: Claude Code's `limit=1000` page of a large catalog
# (about 1.5 MB at most) fits several times; a client walking every cursor with odd limits
# evicts the least recently used pages, never grows the container.
PAGE_CACHE_BYTES = 8 * 2**20

_UNSUPPORTED = {"supported": False}
_SUPPORTED = {"supported": True}


def rfc3339(epoch_seconds: float) -> str:
    """An instant as Anthropic writes one: `2024-10-22T00:00:00Z` (UTC, whole seconds).

    Raises ValueError past year 9999: RFC 3339 years have four digits (`created` may be
    larger, up to 2**53 - 1, and strftime would write a five-digit year)."""
    moment = time.gmtime(epoch_seconds)
    if moment.tm_year > 9999:
        raise ValueError(f"{epoch_seconds} is past year 9999: no RFC 3339 date-time for it")
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", moment)


def _flag(value: bool | None) -> dict[str, bool]:
    """A capability Anthropic types as `{"supported": bool}`: unknown (None) is unsupported."""
    return _SUPPORTED if value is True else _UNSUPPORTED


def capabilities_of(model: Model) -> dict[str, Any]:
    """Anthropic's `capabilities` object (every key `anthropic.types.ModelCapabilities`
    requires), mapped from what the catalog knows.

    - `image_input`: `image` among `modalities.input` (our `vision` for a model without
      modalities); `pdf_input`: `pdf` among `modalities.input`;
    - `structured_outputs`: ours; `thinking.supported`: our `reasoning`;
    - `thinking.types.disabled` is true for a model that does not reason (Anthropic's own
      definition: a model without thinking accepts thinking turned off); the other thinking
      types, effort levels, batch, citations, code execution, context management and server
      tools are features of Anthropic's own API the catalog does not track: unsupported.
      Optional keys we cannot know are `null`.
    """
    ours = model.capabilities
    modalities = model.modalities
    pdf = modalities is not None and "pdf" in modalities.input
    # Image input is what the model reads: its modalities when the catalog has them.
    image = ours.vision if modalities is None else "image" in modalities.input
    return {
        "batch": _UNSUPPORTED,
        "citations": _UNSUPPORTED,
        "code_execution": _UNSUPPORTED,
        "context_management": {
            "supported": False,
            "clear_thinking_20251015": None,
            "clear_tool_uses_20250919": None,
            "compact_20260112": None,
        },
        "effort": {
            "supported": False,
            "low": _UNSUPPORTED,
            "medium": _UNSUPPORTED,
            "high": _UNSUPPORTED,
            "max": _UNSUPPORTED,
            "xhigh": None,
        },
        "image_input": _flag(image),
        "pdf_input": _flag(pdf),
        "server_tools": {
            "supported": False,
            "code_execution": _UNSUPPORTED,
            "web_search": _UNSUPPORTED,
        },
        "structured_outputs": _flag(ours.structured_outputs),
        "thinking": {
            "supported": ours.reasoning is True,
            "types": {
                "adaptive": _UNSUPPORTED,
                "between_tools": _UNSUPPORTED,
                "disabled": _flag(ours.reasoning is False),
                "enabled": _UNSUPPORTED,
            },
        },
    }


def model_info(model: Model, status: LifecycleStatus) -> dict[str, Any]:
    """`model` as `anthropic.types.ModelInfo`, with its lifecycle `status` at answer time.

    `deprecated_at` and `retires_at` follow Anthropic's definitions: null while the model is
    active, and null when the catalog has no such date (a status the curator stated, say).
    """
    lifecycle = model.lifecycle
    deprecated_at = retires_at = None
    if lifecycle is not None and status != "active":
        if lifecycle.deprecated_at is not None:
            deprecated_at = rfc3339(day_start(lifecycle.deprecated_at))
        if lifecycle.shutdown_at is not None:
            retires_at = rfc3339(day_start(lifecycle.shutdown_at))
    return {
        "type": "model",
        "id": model.id,
        "display_name": model.display_name or model.id,
        "created_at": rfc3339(model.created),
        "lifecycle": status,
        "deprecated_at": deprecated_at,
        "retires_at": retires_at,
        "line": model.line,
        "max_input_tokens": model.context_length,
        "max_tokens": model.max_output_tokens,
        "capabilities": capabilities_of(model),
    }


@dataclass(frozen=True, slots=True)
class AnthropicView:
    """One snapshot's models in Anthropic's shape, newest first (by `created`; ties in curated
    order), each serialised once, with the retrieve bodies by id and alias."""

    models: tuple[Model, ...]
    # Position of each id in `models`: a cursor is an id, found here.
    rank: dict[str, int]
    # Serialised ModelInfo of models[i].
    items: tuple[bytes, ...]
    model_bodies: dict[str, Body]
    # Positions of the models each filter selects (keys bounded as the snapshot's filters are).
    _selections: BoundedCache[Hashable, tuple[int, ...]] = field(
        default_factory=lambda: BoundedCache(SELECTIONS_BYTES, size_of=positions_bytes)
    )
    _pages: BoundedCache[Hashable, Body] = field(
        default_factory=lambda: body_cache(PAGE_CACHE_BYTES)
    )

    @classmethod
    def build(
        cls,
        models: Sequence[Model],
        statuses: Mapping[str, LifecycleStatus],
        names: Mapping[str, str],
        *,
        now: float,
    ) -> AnthropicView:
        """The view of `models` (curated order) with their `statuses` at `now`; `names` maps
        every id and alias the snapshot answers to the model's id.

        A model whose ModelInfo cannot be written (a `created` past year 9999) is left out of
        this shape with a warning, as the snapshot leaves out a model it cannot serve.
        """
        infos: dict[str, bytes] = {}
        for model in models:
            try:
                infos[model.id] = wire_json(model_info(model, statuses[model.id]))
            except (ValueError, OverflowError, OSError) as exc:
                logger.warning("leaving model %a out of the Anthropic shape: %s", model.id, exc)
        order = sorted(
            (model for model in models if model.id in infos),
            key=lambda model: -model.created,  # sorted() is stable: ties keep curated order
        )
        by_id = {model.id: model for model in order}
        bodies: dict[str, Body] = {}
        for name, model_id in names.items():
            named = by_id.get(model_id)
            if named is not None:
                body = bodies.get(model_id) or Body.of_bytes(
                    infos[model_id], deprecation_headers(named, now)
                )
                bodies[model_id] = bodies[name] = body
        return cls(
            models=tuple(order),
            rank={model.id: index for index, model in enumerate(order)},
            items=tuple(infos[model.id] for model in order),
            model_bodies=bodies,
        )

    def model_body(self, model_id: str) -> Body:
        """The ModelInfo body of the model with this id or alias."""
        try:
            return self.model_bodies[model_id]
        except KeyError:
            raise ModelNotFound(model_id) from None

    def page(
        self,
        selection: Hashable,
        selects: Callable[[Model], bool] | None,
        *,
        limit: int,
        after_id: str | None = None,
        before_id: str | None = None,
    ) -> Body:
        """One page of the models `selects` keeps (None: none), as Anthropic pages.

        `selection` names the filter (equal filters, equal keys). Without a cursor, the first
        `limit` models; `after_id`: the `limit` models after that one; `before_id`: the `limit`
        models just before it. `has_more` says whether models remain beyond the page in the
        direction of travel. A cursor is any id of this catalog, selected or not (a model the
        filter leaves out still has its place); any other value raises InvalidCursor. Both
        cursors: the page between them (from after `after_id`, up to before `before_id`).
        """
        positions = self._selected(selection, selects)
        stop = len(positions)
        if after_id is not None:
            start = bisect_right(positions, self._position("after_id", after_id))
            if before_id is not None:  # both: the page between them, as Anthropic's SDK sends
                stop = max(start, bisect_left(positions, self._position("before_id", before_id)))
            end = min(stop, start + limit)
            direction = "after"
        elif before_id is not None:
            end = bisect_left(positions, self._position("before_id", before_id))
            start = max(0, end - limit)
            direction = "before"
        else:
            start, end = 0, min(len(positions), limit)
            direction = "first"
        has_more = start > 0 if direction == "before" else end < stop
        # The key names the page's content: a limit beyond what remains is the same page.
        key = (selection, start, end, has_more)
        body = self._pages.get(key)
        if body is None:
            body = self._pages.keep(key, self._assemble(positions[start:end], has_more))
        return body

    def _position(self, param: str, model_id: str) -> int:
        try:
            return self.rank[model_id]
        except KeyError:
            raise InvalidCursor(param, model_id) from None

    def _selected(
        self, selection: Hashable, selects: Callable[[Model], bool] | None
    ) -> tuple[int, ...]:
        positions = self._selections.get(selection)
        if positions is None:
            positions = tuple(
                index
                for index, model in enumerate(self.models)
                if selects is not None and selects(model)
            )
            self._selections.keep(selection, positions)
        return positions

    def _assemble(self, positions: Sequence[int], has_more: bool) -> Body:
        first_id = self.models[positions[0]].id if positions else None
        last_id = self.models[positions[-1]].id if positions else None
        content = b"".join(
            (
                b'{"data":[',
                b",".join(self.items[index] for index in positions),
                b'],"has_more":',
                b"true" if has_more else b"false",
                b',"first_id":',
                wire_json(first_id),
                b',"last_id":',
                wire_json(last_id),
                b"}",
            )
        )
        return Body.of_bytes(content)

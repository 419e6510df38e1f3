"""An immutable, fully serialised view of one catalog version.

Everything a request needs is computed here once per catalog version, so serving a request is a
dict lookup and a write of bytes that already exist.
"""

from __future__ import annotations

import hashlib
import json
import logging
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from catalog.errors import CatalogTooLarge, CatalogUnservable, InvalidFilter, ModelNotFound
from catalog.schema import (
    CAPABILITY_NAMES,
    MAX_LIST_BYTES,
    MAX_MODEL_BYTES,
    Model,
    list_size,
    wire_json,
)

logger = logging.getLogger(__name__)

# Below this size gzip saves a few hundred bytes at most: not worth a Content-Encoding.
GZIP_MIN_SIZE = 1024


@dataclass(frozen=True, slots=True)
class Body:
    """A serialised JSON body and its strong ETag (derived from the bytes, so equal everywhere).

    Its gzip encoding is made on first use and kept with it (`gzipped`), under an ETag of its
    own, so a cache never takes one encoding for the other.
    """

    content: bytes
    etag: str
    # Filled on the first `gzipped()`: the gzip Body, or _NO_GAIN when gzip would not help.
    _gzip: Body | None = field(default=None, init=False, repr=False, compare=False)

    @classmethod
    def of(cls, payload: Any) -> Body:
        content = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
        return cls(content, '"' + hashlib.sha256(content).hexdigest()[:32] + '"')

    @property
    def gzip_etag(self) -> str:
        """The ETag of the gzip encoding: this one with `-gzip` inside the quotes."""
        return self.etag[:-1] + '-gzip"'

    def gzipped(self) -> Body | None:
        """The gzip encoding of this body, or None when it would not help (a small body).

        Compressed once and kept: every later call, and every request, gets the same object.
        The bytes are deterministic (no timestamp, fixed level), like the plain ones.
        """
        encoded = self._gzip
        if encoded is None:
            encoded = _NO_GAIN
            if len(self.content) >= GZIP_MIN_SIZE:
                compressed = zlib.compress(self.content, 9, wbits=31)  # wbits 31: gzip framing
                if len(compressed) < len(self.content):
                    encoded = Body(compressed, self.gzip_etag)
            object.__setattr__(self, "_gzip", encoded)  # frozen: the one lazily filled slot
        return None if encoded is _NO_GAIN else encoded


_NO_GAIN = Body(b"", '""')


@dataclass(frozen=True, slots=True)
class CatalogSnapshot:
    """One catalog version, in curated order, with every response body prebuilt."""

    version: int
    models: tuple[Model, ...]
    list_body: Body
    model_bodies: dict[str, Body]
    providers: frozenset[str]
    # Filtered lists are built on first use and kept: their keys are bounded by the catalog's
    # providers times the capability subsets, because unknown filter values are rejected first.
    _filtered: dict[tuple[str | None, frozenset[str]], Body] = field(default_factory=dict)

    @classmethod
    def build(cls, version: int, models: Sequence[Model]) -> CatalogSnapshot:
        """Every body of this catalog version, serialised once.

        A model that cannot be served (its wire form is not JSON, is over MAX_MODEL_BYTES, or
        repeats an id) is skipped with a warning: one bad model never takes the others down.
        A list body over MAX_LIST_BYTES raises CatalogTooLarge, and models none of which can
        be served raise CatalogUnservable: both are CatalogUnavailable, so the cache goes on
        serving what it served before.
        """
        served: dict[str, tuple[Model, dict[str, Any]]] = {}
        sizes: list[int] = []
        for model in models:
            servable = _servable(model, served)
            if servable is not None:
                served[model.id] = (model, servable[0])
                sizes.append(servable[1])
        total = list_size(sizes)
        if total > MAX_LIST_BYTES:
            raise CatalogTooLarge(version, total, MAX_LIST_BYTES)
        if models and not served:
            raise CatalogUnservable(f"catalog version {version}: none of its models can be served")
        return cls(
            version=version,
            models=tuple(model for model, _ in served.values()),
            list_body=Body.of({"object": "list", "data": [doc for _, doc in served.values()]}),
            model_bodies={model_id: Body.of(doc) for model_id, (_, doc) in served.items()},
            providers=frozenset(model.owned_by for model, _ in served.values()),
        )

    def __len__(self) -> int:
        return len(self.models)

    def model_body(self, model_id: str) -> Body:
        try:
            return self.model_bodies[model_id]
        except KeyError:
            raise ModelNotFound(model_id) from None

    def list_body_for(self, owned_by: str | None, capabilities: Iterable[str]) -> Body:
        """The list body, filtered by provider and by capabilities that must all hold.

        A provider the catalog does not have lists nothing, as any filter that matches nothing:
        the request is valid (what a well-formed provider is, the API checks), the catalog just
        has no such model today. That answer is one shared body, never cached per value, so the
        filtered bodies kept stay bounded by the catalog's providers times capability subsets.
        """
        wanted = frozenset(capabilities)
        if owned_by is None and not wanted:
            return self.list_body
        for name in sorted(wanted):
            if name not in CAPABILITY_NAMES:
                raise InvalidFilter("capability", name, list(CAPABILITY_NAMES))
        if owned_by is not None and owned_by not in self.providers:
            return _EMPTY_LIST
        key = (owned_by, wanted)
        body = self._filtered.get(key)
        if body is None:
            data = [
                model.to_wire()
                for model in self.models
                if (owned_by is None or model.owned_by == owned_by)
                and all(getattr(model.capabilities, name) for name in wanted)
            ]
            body = self._filtered[key] = Body.of({"object": "list", "data": data})
        return body


_EMPTY_LIST = Body.of({"object": "list", "data": []})


def _servable(
    model: Model, served: dict[str, tuple[Model, dict[str, Any]]]
) -> tuple[dict[str, Any], int] | None:
    """The wire form of `model` and its size, or None (with a warning) if it cannot be served.

    Models from a catalog document or the table were validated, so this only ever refuses
    one built some other way: it is the last guard before bytes reach a client.
    """
    model_id = getattr(model, "id", None)
    try:
        doc = model.to_wire()
        size = len(wire_json(doc))
    except (ValueError, TypeError, RecursionError, AttributeError) as exc:
        # ascii(): the reason may hold the very lone surrogate that made the model unservable.
        reason = ascii(str(exc))[:200]
        logger.warning("skipping model %a: it cannot be served as JSON: %s", model_id, reason)
        return None
    if model_id in served:
        logger.warning("skipping a second model with id %a", model_id)
        return None
    if size > MAX_MODEL_BYTES:
        logger.warning(
            "skipping model %a: %d bytes as served, over the cap of %d",
            model_id,
            size,
            MAX_MODEL_BYTES,
        )
        return None
    return doc, size

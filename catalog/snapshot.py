"""An immutable, fully serialised view of one catalog version.

Everything a request needs is computed here once per catalog version, so serving a request is a
dict lookup and a write of bytes that already exist.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from catalog.errors import InvalidFilter, ModelNotFound
from catalog.schema import CAPABILITY_NAMES, Model


@dataclass(frozen=True, slots=True)
class Body:
    """A serialised JSON body and its strong ETag (derived from the bytes, so equal everywhere)."""

    content: bytes
    etag: str

    @classmethod
    def of(cls, payload: Any) -> Body:
        content = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
        return cls(content, '"' + hashlib.sha256(content).hexdigest()[:32] + '"')


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
        wire = [model.to_wire() for model in models]
        return cls(
            version=version,
            models=tuple(models),
            list_body=Body.of({"object": "list", "data": wire}),
            model_bodies={model.id: Body.of(doc) for model, doc in zip(models, wire, strict=True)},
            providers=frozenset(model.owned_by for model in models),
        )

    def __len__(self) -> int:
        return len(self.models)

    def model_body(self, model_id: str) -> Body:
        try:
            return self.model_bodies[model_id]
        except KeyError:
            raise ModelNotFound(model_id) from None

    def list_body_for(self, owned_by: str | None, capabilities: Iterable[str]) -> Body:
        """The list body, filtered by provider and by capabilities that must all hold."""
        wanted = frozenset(capabilities)
        if owned_by is None and not wanted:
            return self.list_body
        if owned_by is not None and owned_by not in self.providers:
            raise InvalidFilter("owned_by", owned_by, sorted(self.providers))
        for name in sorted(wanted):
            if name not in CAPABILITY_NAMES:
                raise InvalidFilter("capability", name, list(CAPABILITY_NAMES))
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

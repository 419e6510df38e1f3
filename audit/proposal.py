"""`--propose`: our catalog with the values each provider is authoritative for applied.

Lifecycle dates and status from the providers that state them (Anthropic, OpenAI), limits from
those that state them (Anthropic, Gemini). The result is a catalog document `ar-models
validate` accepts; a change that would make a model invalid (a shutdown before its
deprecation, an output limit over the context) is left out and said so. Nothing is written
anywhere but the bytes returned: a person reviews and publishes them.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from audit.providers.base import Authority
from audit.report import DriftEntry
from catalog.document import catalog_file, parse_catalog
from catalog.schema import LIFECYCLE_STATUSES, Model

_RANK: dict[object, int] = {status: rank for rank, status in enumerate(LIFECYCLE_STATUSES)}


def _rank(status: object) -> int:
    return _RANK.get(status, -1)


@dataclass(frozen=True, slots=True)
class Proposal:
    """The proposed catalog file, the changes in it, and the drift it leaves to a person."""

    body: bytes
    applied: list[DriftEntry]
    not_applied: list[tuple[DriftEntry, str]]  # with the reason


def propose(
    catalog: Sequence[Model],
    drift: Sequence[DriftEntry],
    authority: Mapping[str, frozenset[Authority]],
) -> Proposal:
    """Apply the `lifecycle` and `limits` drift of the providers `authority` allows
    (provider name -> what it is authoritative for) to `catalog`, model by model."""
    by_model: dict[str, list[DriftEntry]] = {}
    not_applied: list[tuple[DriftEntry, str]] = []
    for entry in drift:
        if entry.kind in ("lifecycle", "limits") and entry.kind in authority.get(
            entry.provider, frozenset()
        ):
            by_model.setdefault(entry.model, []).append(entry)
        elif entry.kind in ("lifecycle", "limits"):
            not_applied.append((entry, f"{entry.provider} is not authoritative for {entry.kind}"))
        else:
            not_applied.append((entry, "adding or removing a model is a person's decision"))
    applied: list[DriftEntry] = []
    documents: list[dict[str, Any]] = []
    for model in catalog:
        wire = model.to_wire()
        changes = by_model.get(model.id, [])
        if changes:
            wire, done, left = _apply(wire, changes)
            applied.extend(done)
            not_applied.extend(left)
        documents.append(wire)
    document = {"object": "list", "data": documents}
    parse_catalog(document)  # InvalidCatalog here would be a bug: each model was checked
    body = catalog_file(document)
    return Proposal(body, applied, not_applied)


def _apply(
    wire: dict[str, Any], changes: Sequence[DriftEntry]
) -> tuple[dict[str, Any], list[DriftEntry], list[tuple[DriftEntry, str]]]:
    proposed = copy.deepcopy(wire)
    applied: list[DriftEntry] = []
    left: list[tuple[DriftEntry, str]] = []
    for entry in changes:
        # A stated status is a floor the dates move forward: it can raise ours, not lower it.
        if entry.field == "lifecycle.status" and _rank(entry.theirs) <= _rank(entry.ours):
            left.append((entry, "our dates make it later than theirs: edit them by hand"))
            continue
        target = proposed
        *parents, name = entry.field.split(".")
        for parent in parents:
            target = target.setdefault(parent, {})
        target[name] = entry.theirs
        applied.append(entry)
    if not applied:
        return wire, applied, left
    try:
        Model.model_validate(proposed)
    except ValidationError as exc:
        reason = "would make the model invalid: " + str(exc).splitlines()[-1].strip()
        return wire, [], [*left, *((entry, reason) for entry in applied)]
    return proposed, applied, left

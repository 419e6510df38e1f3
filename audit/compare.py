"""Our catalog against one provider's list: the drift entries, pure and in a stable order.

Only our models whose `owned_by` is the provider's are compared. An upstream id that is one of
our ids or aliases is ours. A value the provider leaves null (`shutdown_date: null`, "not
announced") is never drift: only what it states is compared.
"""

from __future__ import annotations

from collections.abc import Sequence

from audit.providers.base import Provider, UpstreamModel
from audit.report import DriftEntry, Value
from catalog.lifecycle import status_at
from catalog.schema import Model


def compare(
    provider: Provider, upstream: Sequence[UpstreamModel], catalog: Sequence[Model], *, now: float
) -> list[DriftEntry]:
    """Drift between `catalog` and the provider's `upstream` list at `now` (epoch seconds)."""
    ours = [model for model in catalog if model.owned_by == provider.owned_by]
    by_name = {name: model for model in catalog for name in model.names()}
    listed: dict[str, UpstreamModel] = {}
    drift: list[DriftEntry] = []
    for item in upstream:
        model = by_name.get(item.id)
        if model is None:
            if provider.is_candidate(item):
                drift.append(
                    DriftEntry(provider.name, item.id, "new_upstream", "id", None, item.id)
                )
            continue
        if model.owned_by != provider.owned_by:
            continue  # one of our ids, served for another provider: not this one's to judge
        # The first upstream entry naming one of our models is the one compared.
        listed.setdefault(model.id, item)
    for model in ours:
        found = listed.get(model.id)
        status = status_at(model, now)
        if found is None:
            # A retired model that is gone upstream is just gone: no drift.
            if status != "retired":
                drift.append(
                    DriftEntry(provider.name, model.id, "missing_upstream", "id", model.id, None)
                )
            continue
        drift.extend(_lifecycle(provider.name, model, found, status))
        drift.extend(_limits(provider.name, model, found))
    return drift


def _lifecycle(provider: str, model: Model, item: UpstreamModel, status: str) -> list[DriftEntry]:
    lifecycle = model.lifecycle
    pairs: list[tuple[str, Value, Value]] = [
        ("lifecycle.status", status, item.status),
        (
            "lifecycle.deprecated_at",
            lifecycle.deprecated_at if lifecycle else None,
            item.deprecated_at,
        ),
        ("lifecycle.shutdown_at", lifecycle.shutdown_at if lifecycle else None, item.shutdown_at),
    ]
    return [
        DriftEntry(provider, model.id, "lifecycle", name, ours, theirs)
        for name, ours, theirs in pairs
        if theirs is not None and ours != theirs
    ]


def _limits(provider: str, model: Model, item: UpstreamModel) -> list[DriftEntry]:
    pairs: list[tuple[str, Value, Value]] = [
        ("context_length", model.context_length, item.context_length),
        ("max_output_tokens", model.max_output_tokens, item.max_output_tokens),
    ]
    return [
        DriftEntry(provider, model.id, "limits", name, ours, theirs)
        for name, ours, theirs in pairs
        if theirs is not None and ours != theirs
    ]

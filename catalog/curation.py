"""What a curator should look at in a valid catalog: not errors (the document publishes), but
what is most likely a mistake, each said on one line (`ar-models validate` prints them).

- a successor that is not in the catalog: a client following the `Link` header gets a 404;
- an active model without pricing: a router cannot bill it;
- a `pricing_schedule` entry already in the past that is not the latest such entry: it can never
  be served again, so it only misleads whoever reads the document.
"""

from __future__ import annotations

from collections.abc import Sequence

from catalog.lifecycle import day_start, status_at
from catalog.problems import printable
from catalog.schema import Model


def curation_warnings(models: Sequence[Model], now: float) -> list[str]:
    """One line per finding, in curated order; the statuses and dates are those at `now`."""
    names = {name for model in models for name in model.names()}
    found: list[str] = []
    for model in models:
        label = f"model '{printable(model.id)}'"
        successor = model.lifecycle.successor if model.lifecycle else None
        if successor is not None and successor not in names:
            found.append(
                f"{label}: its successor '{printable(successor)}' is not in the catalog "
                "(the Link header points clients to a 404)"
            )
        if status_at(model, now) == "active" and model.pricing is None:
            found.append(f"{label}: active without pricing (a router cannot bill it)")
        past = [
            entry.effective_at
            for entry in model.pricing_schedule or ()
            if day_start(entry.effective_at) <= now
        ]
        for effective_at in past[:-1]:
            found.append(
                f"{label}: pricing_schedule entry {effective_at} is in the past and superseded "
                f"by {past[-1]}: it is never served again (remove it, or make it the base "
                "pricing)"
            )
    return found

"""A model's lifecycle at a given instant: pure functions of the catalog and the wall clock.

The catalog document holds dates (`deprecated_at`, `shutdown_at`, ISO dates, UTC) and maybe a
status the curator states; the status served is derived from them at the moment of the answer:

- by the dates at `now`: `retired` from `shutdown_at` 00:00 UTC, else `deprecated` from
  `deprecated_at` 00:00 UTC, else `active`;
- the status served is the later of that and the curator's stated status (default `active`),
  in the order active < deprecated < retired: a stated status is a floor the dates can only
  move forward.

So a status changes at the date itself, with no sync and no redeploy: a snapshot built at `now`
knows the next instant at which any model's status changes (`next_transition`), and the cache
rebuilds it then.

Times are epoch seconds (what `time.time()` returns), so the sync, the CLI and the API agree.
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from email.utils import formatdate
from typing import Any

from catalog.schema import LIFECYCLE_STATUSES, Lifecycle, LifecycleStatus, Model

_RANK = {status: rank for rank, status in enumerate(LIFECYCLE_STATUSES)}

# What a list answers when the client names no status, in both dialects: the models that can be
# used today. A retired model is listed only when asked for (`?status=retired`, Anthropic's
# `lifecycle=retired`), and stays retrievable by id, with its lifecycle headers.
LISTED_BY_DEFAULT: frozenset[LifecycleStatus] = frozenset({"active", "deprecated"})


def day_start(iso_date: str) -> float:
    """00:00 UTC of an ISO date (YYYY-MM-DD), in epoch seconds."""
    return float(calendar.timegm(date.fromisoformat(iso_date).timetuple()))


def status_at(model: Model, now: float) -> LifecycleStatus:
    """The status `model` has at `now` (epoch seconds): what the API serves then."""
    return lifecycle_status_at(model.lifecycle, now)


def lifecycle_status_at(lifecycle: Lifecycle | None, now: float) -> LifecycleStatus:
    """The status of a model with this lifecycle (None: none stated) at `now`."""
    if lifecycle is None:
        return "active"
    by_dates: LifecycleStatus = "active"
    if lifecycle.shutdown_at is not None and now >= day_start(lifecycle.shutdown_at):
        by_dates = "retired"
    elif lifecycle.deprecated_at is not None and now >= day_start(lifecycle.deprecated_at):
        by_dates = "deprecated"
    stated = lifecycle.status or "active"
    return by_dates if _RANK[by_dates] >= _RANK[stated] else stated


def statuses_at(models: Iterable[Model], now: float) -> dict[str, LifecycleStatus]:
    """Every model's status at `now`, by id."""
    return {model.id: status_at(model, now) for model in models}


def next_transition(models: Iterable[Model], now: float) -> float:
    """The first instant after `now` at which some model's status may change (a deprecation or
    a shutdown date, 00:00 UTC); `math.inf` if none is ahead."""
    upcoming = [
        instant
        for model in models
        if model.lifecycle is not None
        for when in (model.lifecycle.deprecated_at, model.lifecycle.shutdown_at)
        if when is not None
        for instant in (day_start(when),)
        if instant > now
    ]
    return min(upcoming, default=math.inf)


def served_lifecycle(lifecycle: Lifecycle, now: float) -> dict[str, Any]:
    """The `lifecycle` object a client receives at `now`: the derived `status` first, then the
    dates and successor as the document gives them (absent ones left out)."""
    return {"status": lifecycle_status_at(lifecycle, now), **lifecycle.to_wire()}


def deprecation_headers(model: Model, now: float) -> dict[str, str]:
    """The response headers of GET /v1/models/{id} at `now`; none for an active model.

    - `Deprecation` (RFC 9745): `@<epoch seconds>` of `deprecated_at`, or of `shutdown_at`
      when only that date is known (a model is deprecated by its shutdown at the latest).
      With no date at all (a status the curator stated) it is left out: RFC 9745's value is a
      date, and we never make one up; the body's `lifecycle.status` still says it.
    - `Sunset` (RFC 8594): `shutdown_at` as an HTTP-date, when known.
    - `Link: </v1/models/SUCCESSOR>; rel="successor-version"` when a successor is named.
    """
    lifecycle = model.lifecycle
    if lifecycle is None or lifecycle_status_at(lifecycle, now) == "active":
        return {}
    headers: dict[str, str] = {}
    deprecated = lifecycle.deprecated_at or lifecycle.shutdown_at
    if deprecated is not None:
        headers["Deprecation"] = f"@{int(day_start(deprecated))}"
    if lifecycle.shutdown_at is not None:
        headers["Sunset"] = formatdate(day_start(lifecycle.shutdown_at), usegmt=True)
    if lifecycle.successor is not None:
        headers["Link"] = f'</v1/models/{lifecycle.successor}>; rel="successor-version"'
    return headers


_DAY = 86_400.0


def days_left(model: Model, now: float) -> int | None:
    """Whole days from `now` to the model's shutdown (00:00 UTC), negative once past; None when
    no shutdown date is known. Both instants are midnights when `now` is a day's start."""
    lifecycle = model.lifecycle
    if lifecycle is None or lifecycle.shutdown_at is None:
        return None
    return round((day_start(lifecycle.shutdown_at) - now) / _DAY)


@dataclass(frozen=True, slots=True)
class LifecycleCounts:
    """How many models of a catalog are in each stage at one instant (the sync's metrics)."""

    deprecated: int
    retired: int  # retired, yet still in the catalog (out of the default list)
    shutting_down_soon: int  # not retired, shutting down within the warning horizon


def lifecycle_counts(models: Sequence[Model], now: float, *, warning_days: int) -> LifecycleCounts:
    """The counts of `models` at `now`: deprecated and retired by `status_at`; shutting down
    soon, a model not yet retired whose shutdown (00:00 UTC) is at most `warning_days` days
    after `now`."""
    statuses = statuses_at(models, now)
    horizon = now + warning_days * _DAY
    soon = sum(
        1
        for model in models
        if statuses[model.id] != "retired"
        and model.lifecycle is not None
        and model.lifecycle.shutdown_at is not None
        and day_start(model.lifecycle.shutdown_at) <= horizon
    )
    values = list(statuses.values())
    return LifecycleCounts(values.count("deprecated"), values.count("retired"), soon)

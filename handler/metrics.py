"""Metrics of the API and of the sync, as CloudWatch embedded metric format (EMF) log lines.

An EMF line is a JSON object on stdout, alone on its line; CloudWatch Logs extracts the metric
from it, with no client, no call and no added latency. Namespace, names and dimension are the
contract of the alarms in template.yaml: `CatalogDegradedAlarm` (the API's), and
`ModelRetiredStillListedAlarm` and `ModelShutdownSoonAlarm` (the sync's).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TextIO

from catalog.cache import ServedCatalog, ServedFrom
from catalog.json_text import json_line
from catalog.lifecycle import lifecycle_counts

if TYPE_CHECKING:
    from catalog.schema import Model
    from catalog.sync import PublishedCatalog

NAMESPACE = "AssistantRouter/Models"
CATALOG_DEGRADED = "CatalogDegraded"
DIMENSION = "FunctionName"
# The sync's, counted over the catalog published after each run (not after a dry run).
MODELS_DEPRECATED = "ModelsDeprecated"
MODELS_RETIRED_LISTED = "ModelsRetiredListed"
MODELS_SHUTTING_DOWN_SOON = "ModelsShuttingDownSoon"
LIFECYCLE_METRICS = (MODELS_DEPRECATED, MODELS_RETIRED_LISTED, MODELS_SHUTTING_DOWN_SOON)


def _emf_line(
    function_name: str, timestamp: float, values: dict[str, int], **properties: Any
) -> str:
    line = {
        "_aws": {
            "Timestamp": int(timestamp * 1000),
            "CloudWatchMetrics": [
                {
                    "Namespace": NAMESPACE,
                    "Dimensions": [[DIMENSION]],
                    "Metrics": [{"Name": name, "Unit": "Count"} for name in values],
                }
            ],
        },
        DIMENSION: function_name,
        **values,
        **properties,
    }
    return json_line(line) + "\n"


def _write(stream: TextIO | None, text: str) -> None:
    out = stream or sys.stdout
    out.write(text)
    out.flush()


def lifecycle_metrics(models: Sequence[Model], now: float, *, warning_days: int) -> dict[str, int]:
    """The sync's three metrics over `models` (the published catalog) at `now`, by metric name
    (the arithmetic is catalog.lifecycle's `lifecycle_counts`):
    - ModelsDeprecated: models deprecated at `now`;
    - ModelsRetiredListed: models retired at `now` (past their shutdown date, or stated
      retired), still in the catalog (out of the default list, still retrievable by id);
    - ModelsShuttingDownSoon: models not yet retired whose shutdown date (00:00 UTC) is at most
      `warning_days` days after `now`."""
    counts = lifecycle_counts(models, now, warning_days=warning_days)
    return {
        MODELS_DEPRECATED: counts.deprecated,
        MODELS_RETIRED_LISTED: counts.retired,
        MODELS_SHUTTING_DOWN_SOON: counts.shutting_down_soon,
    }


def lifecycle_reporter(
    function_name: str, *, warning_days: int, stream: TextIO | None = None
) -> Callable[[PublishedCatalog], None]:
    """A `CatalogSync` `on_published` callback: one EMF line with the three lifecycle counts
    of the catalog published after the run, timestamped at the run's instant."""

    def report(published: PublishedCatalog) -> None:
        counts = lifecycle_metrics(published.models, published.now, warning_days=warning_days)
        _write(
            stream,
            _emf_line(
                function_name,
                published.now,
                counts,
                catalog_version=published.version,
                lifecycle_warning_days=warning_days,
            ),
        )

    return report


def catalog_degraded_reporter(
    function_name: str, *, stream: TextIO | None = None, clock: Callable[[], float] = time.time
) -> Callable[[ServedCatalog], None]:
    """A `CatalogCache.on_revalidated` callback: CatalogDegraded is 1 when a revalidation ends
    serving `stale` or `bundled` although a table is configured, 0 when it serves DynamoDB."""

    def report(served: ServedCatalog) -> None:
        degraded = served.served_from is not ServedFrom.DYNAMODB
        _write(
            stream,
            _emf_line(
                function_name,
                clock(),
                {CATALOG_DEGRADED: int(degraded)},
                served_from=served.served_from.value,
                catalog_version=served.snapshot.version,
            ),
        )

    return report

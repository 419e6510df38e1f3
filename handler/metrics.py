"""Metrics of the API, as CloudWatch embedded metric format (EMF) log lines.

An EMF line is a JSON object on stdout, alone on its line; CloudWatch Logs extracts the metric
from it, with no client, no call and no added latency. Namespace, name and dimension are the
contract of the `CatalogDegradedAlarm` in template.yaml.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from typing import TextIO

from catalog.cache import ServedCatalog, ServedFrom

NAMESPACE = "AssistantRouter/Models"
CATALOG_DEGRADED = "CatalogDegraded"
DIMENSION = "FunctionName"


def catalog_degraded_reporter(
    function_name: str, *, stream: TextIO | None = None, clock: Callable[[], float] = time.time
) -> Callable[[ServedCatalog], None]:
    """A `CatalogCache.on_revalidated` callback: CatalogDegraded is 1 when a revalidation ends
    serving `stale` or `bundled` although a table is configured, 0 when it serves DynamoDB."""

    def report(served: ServedCatalog) -> None:
        degraded = served.served_from is not ServedFrom.DYNAMODB
        line = {
            "_aws": {
                "Timestamp": int(clock() * 1000),
                "CloudWatchMetrics": [
                    {
                        "Namespace": NAMESPACE,
                        "Dimensions": [[DIMENSION]],
                        "Metrics": [{"Name": CATALOG_DEGRADED, "Unit": "Count"}],
                    }
                ],
            },
            DIMENSION: function_name,
            CATALOG_DEGRADED: int(degraded),
            "served_from": served.served_from.value,
            "catalog_version": served.snapshot.version,
        }
        out = stream or sys.stdout
        out.write(json.dumps(line, separators=(",", ":")) + "\n")
        out.flush()

    return report

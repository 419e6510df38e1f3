"""The API's CatalogDegraded and the sync's lifecycle metrics, as CloudWatch's embedded metric
format reads them from stdout."""

from __future__ import annotations

import io
import json
from typing import TYPE_CHECKING, Any

import pytest

from catalog.bundled import bundled_snapshot
from catalog.cache import ServedCatalog, ServedFrom
from catalog.lifecycle import day_start
from catalog.sync import PublishedCatalog
from handler.compose import build_api
from handler.metrics import (
    CATALOG_DEGRADED,
    DIMENSION,
    LIFECYCLE_METRICS,
    MODELS_DEPRECATED,
    MODELS_RETIRED_LISTED,
    MODELS_SHUTTING_DOWN_SOON,
    NAMESPACE,
    catalog_degraded_reporter,
    lifecycle_metrics,
    lifecycle_reporter,
)
from handler.settings import Settings
from tests.support.factories import make_model, model_doc, publish
from tests.support.http import DEV_KEY, api_client

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

    from awsclients import AwsClients


def emf_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.startswith('{"_aws"')]


@pytest.mark.parametrize(
    ("served_from", "value"),
    [(ServedFrom.DYNAMODB, 0), (ServedFrom.STALE, 1), (ServedFrom.BUNDLED, 1)],
)
def test_one_emf_line_per_revalidation(served_from: ServedFrom, value: int) -> None:
    out = io.StringIO()
    report = catalog_degraded_reporter("models-api", stream=out, clock=lambda: 1764201600.5)
    report(ServedCatalog(bundled_snapshot(), served_from))
    (line,) = emf_lines(out.getvalue())
    assert line["_aws"] == {
        "Timestamp": 1764201600500,
        "CloudWatchMetrics": [
            {
                "Namespace": NAMESPACE,
                "Dimensions": [[DIMENSION]],
                "Metrics": [{"Name": CATALOG_DEGRADED, "Unit": "Count"}],
            }
        ],
    }
    assert (line[DIMENSION], line[CATALOG_DEGRADED]) == ("models-api", value)
    assert line["served_from"] == served_from.value


def test_the_deployed_wiring_reports_a_degraded_catalog(
    aws: AwsClients,
    dynamodb: DynamoDBClient,
    models_table: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    publish(dynamodb, models_table, [model_doc("gpt-x")])
    healthy = Settings(models_table=models_table, dev_api_key=DEV_KEY, function_name="fn")
    with api_client(services=build_api(healthy, aws=aws)) as client:
        assert client.get("/v1/models").status_code == 200
    broken = Settings(models_table="no-such-table", dev_api_key=DEV_KEY, function_name="fn")
    with api_client(services=build_api(broken, aws=aws)) as client:
        assert client.get("/v1/models").status_code == 200  # the bundled catalog
    assert [line[CATALOG_DEGRADED] for line in emf_lines(capsys.readouterr().out)] == [0, 1]


@pytest.mark.parametrize(
    "settings",
    [
        Settings(models_table="t", dev_api_key=DEV_KEY),  # not on Lambda: no function name
        Settings(dev_api_key=DEV_KEY, function_name="fn"),  # no table: nothing can degrade
    ],
)
def test_no_metric_without_a_function_or_a_table(
    settings: Settings, aws: AwsClients, capsys: pytest.CaptureFixture[str]
) -> None:
    with api_client(services=build_api(settings, aws=aws)) as client:
        client.get("/v1/models")
    assert emf_lines(capsys.readouterr().out) == []


# -- the sync's lifecycle metrics -----------------------------------------------------------------

NOW = day_start("2026-11-27") + 12 * 3600.0  # noon UTC


def lifecycle_catalog() -> list[Any]:
    return [
        make_model("active"),
        make_model("deprecated", lifecycle={"deprecated_at": "2026-01-01"}),
        make_model("stated-deprecated", lifecycle={"status": "deprecated"}),
        make_model("retired", lifecycle={"shutdown_at": "2026-11-27"}),  # from 00:00 today
        make_model("stated-retired", lifecycle={"status": "retired"}),
        # Deprecated, shutting down 30 days from today's midnight: within 30 days of noon.
        make_model("soon", lifecycle={"deprecated_at": "2026-11-01", "shutdown_at": "2026-12-27"}),
        make_model("active-soon", lifecycle={"shutdown_at": "2026-11-28"}),  # active until then
        make_model("later", lifecycle={"deprecated_at": "2026-11-01", "shutdown_at": "2026-12-28"}),
    ]


def test_one_emf_line_per_published_catalog() -> None:
    out = io.StringIO()
    report = lifecycle_reporter("models-sync", warning_days=30, stream=out)
    report(PublishedCatalog(version=7, models=lifecycle_catalog(), now=NOW))
    assert out.getvalue().count("\n") == 1
    (line,) = emf_lines(out.getvalue())
    assert line == {
        "_aws": {
            "Timestamp": int(NOW * 1000),
            "CloudWatchMetrics": [
                {
                    "Namespace": "AssistantRouter/Models",
                    "Dimensions": [["FunctionName"]],
                    "Metrics": [
                        {"Name": "ModelsDeprecated", "Unit": "Count"},
                        {"Name": "ModelsRetiredListed", "Unit": "Count"},
                        {"Name": "ModelsShuttingDownSoon", "Unit": "Count"},
                    ],
                }
            ],
        },
        "FunctionName": "models-sync",
        "ModelsDeprecated": 4,
        "ModelsRetiredListed": 2,
        "ModelsShuttingDownSoon": 2,
        "catalog_version": 7,
        "lifecycle_warning_days": 30,
    }
    assert (NAMESPACE, DIMENSION) == ("AssistantRouter/Models", "FunctionName")
    assert LIFECYCLE_METRICS == (
        MODELS_DEPRECATED,
        MODELS_RETIRED_LISTED,
        MODELS_SHUTTING_DOWN_SOON,
    )


@pytest.mark.parametrize(
    ("warning_days", "soon"),
    [(0, 0), (1, 1), (30, 2), (31, 3), (3650, 3)],
)
def test_shutting_down_soon_counts_within_the_warning_days(warning_days: int, soon: int) -> None:
    counts = lifecycle_metrics(lifecycle_catalog(), NOW, warning_days=warning_days)
    assert counts == {
        MODELS_DEPRECATED: 4,
        MODELS_RETIRED_LISTED: 2,  # a retired model is no longer "shutting down"
        MODELS_SHUTTING_DOWN_SOON: soon,
    }


def test_counts_of_an_empty_or_all_active_catalog_are_zero() -> None:
    zero = {MODELS_DEPRECATED: 0, MODELS_RETIRED_LISTED: 0, MODELS_SHUTTING_DOWN_SOON: 0}
    assert lifecycle_metrics([], NOW, warning_days=30) == zero
    assert lifecycle_metrics([make_model("a"), make_model("b")], NOW, warning_days=30) == zero

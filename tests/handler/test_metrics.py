"""The CatalogDegraded metric, as CloudWatch's embedded metric format reads it from stdout."""

from __future__ import annotations

import io
import json
from typing import TYPE_CHECKING, Any

import pytest

from catalog.bundled import bundled_snapshot
from catalog.cache import ServedCatalog, ServedFrom
from handler.deps import Services
from handler.metrics import CATALOG_DEGRADED, DIMENSION, NAMESPACE, catalog_degraded_reporter
from handler.settings import Settings
from tests.support.factories import model_doc, publish
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
    with api_client(services=Services.from_settings(healthy, aws=aws)) as client:
        assert client.get("/v1/models").status_code == 200
    broken = Settings(models_table="no-such-table", dev_api_key=DEV_KEY, function_name="fn")
    with api_client(services=Services.from_settings(broken, aws=aws)) as client:
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
    with api_client(services=Services.from_settings(settings, aws=aws)) as client:
        client.get("/v1/models")
    assert emf_lines(capsys.readouterr().out) == []

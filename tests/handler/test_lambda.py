"""The Lambda entry point with API Gateway events: every file in events/, and the edge cases."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from handler.api import lambda_handler
from tests.catalog.test_schema import SEED_MODELS
from tests.factories import model_doc, publish

EVENTS = Path(__file__).parents[2] / "events"
EXPECTED: dict[str, dict[str, Any]] = json.loads((EVENTS / "expected.json").read_text())
API_EVENTS = sorted(
    name for name, spec in EXPECTED.items() if spec["function"] == "ModelsApiFunction"
)
SAM_ENV: dict[str, dict[str, str]] = json.loads((EVENTS / "env.json").read_text())


class Context:
    function_name = "ModelsApiFunction"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:ModelsApiFunction"
    memory_limit_in_mb = 512
    aws_request_id = "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"
    log_group_name = "/aws/lambda/ModelsApiFunction"
    log_stream_name = "2026/11/24/[$LATEST]abcdef"
    identity = None
    client_context = None

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


def load(name: str) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((EVENTS / name).read_text())
    return event


@pytest.fixture
def sam_local_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """The environment `sam local invoke --env-vars events/env.json` gives the function."""
    from handler import deps

    for name, value in SAM_ENV["ModelsApiFunction"].items():
        monkeypatch.setenv(name, value)
    deps.reset()


def test_every_event_file_is_listed_in_the_manifest() -> None:
    files = {p.name for p in EVENTS.glob("*.json")} - {"expected.json", "env.json"}
    assert files == set(EXPECTED)


@pytest.mark.usefixtures("sam_local_env")
@pytest.mark.parametrize("name", API_EVENTS)
def test_event_file_answers_with_its_expected_status(name: str) -> None:
    response = lambda_handler(load(name), Context())
    assert response["statusCode"] == EXPECTED[name]["status"], response
    body = json.loads(response["body"])
    if response["statusCode"] >= 400:
        assert set(body["error"]) == {"message", "type", "param", "code"}
    headers = {k.lower(): v for k, v in response.get("headers", {}).items()}
    request_id = load(name)["requestContext"]["requestId"]
    assert headers["x-request-id"] == request_id  # API Gateway's id, so logs line up


@pytest.mark.usefixtures("sam_local_env")
@pytest.mark.parametrize("name", ["list-models.json", "list-models-rest-v1.json"])
def test_list_through_http_api_v2_and_rest_v1(name: str) -> None:
    response = lambda_handler(load(name), Context())
    data = json.loads(response["body"])["data"]
    assert [(m["id"], m["owned_by"], m["context_length"]) for m in data] == SEED_MODELS


def retrieve_event(template: str, path: str) -> dict[str, Any]:
    event = copy.deepcopy(load(template))
    if "rawPath" in event:
        event["rawPath"] = path
        event["requestContext"]["http"]["path"] = path
        event["pathParameters"] = {"proxy": path.removeprefix("/v1/models/")}
    else:
        event["path"] = path
        event["resource"] = "/v1/models/{proxy+}"
        event["pathParameters"] = {"proxy": path.removeprefix("/v1/models/")}
    return event


@pytest.mark.usefixtures("sam_local_env")
@pytest.mark.parametrize("template", ["retrieve-model.json", "list-models-rest-v1.json"])
@pytest.mark.parametrize(
    "path",
    [
        "/v1/models/meta-llama/llama-3.1-70b-instruct",
        "/v1/models/meta-llama%2Fllama-3.1-70b-instruct",
    ],
)
def test_slash_ids_through_api_gateway_events(
    template: str, path: str, dynamodb: Any, models_table: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from handler import deps

    publish(dynamodb, models_table, [model_doc("meta-llama/llama-3.1-70b-instruct")])
    monkeypatch.setenv("MODELS_TABLE", models_table)
    deps.reset()
    response = lambda_handler(retrieve_event(template, path), Context())
    assert response["statusCode"] == 200, response
    assert json.loads(response["body"])["id"] == "meta-llama/llama-3.1-70b-instruct"


@pytest.mark.parametrize(
    "event",
    [
        {},
        {"source": "aws.events", "detail-type": "Scheduled Event", "detail": {}},
        {"Records": [{"eventSource": "aws:sqs", "body": "x"}]},
    ],
)
def test_a_non_http_event_gets_a_clean_error_not_a_crash(
    event: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    response = lambda_handler(event, Context())
    assert response["statusCode"] == 400
    assert json.loads(response["body"])["error"]["code"] == "unsupported_event"
    assert "not an API Gateway request" in caplog.text
    # and the container still serves HTTP afterwards
    assert lambda_handler(load("health.json"), Context())["statusCode"] == 200

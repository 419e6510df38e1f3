"""The deployed Lambda entry point with API Gateway events: every file in events/, and edge cases.

Every event goes through the real module-level `handler.api.lambda_handler`, its app given the
services `sam local invoke --env-vars events/env.json` would build.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from handler.api import lambda_handler
from handler.deps import Services
from handler.settings import Settings
from tests.support.factories import SEED_MODELS, model_doc, publish
from tests.support.http import LambdaContext

if TYPE_CHECKING:
    from fastapi import FastAPI
    from mypy_boto3_dynamodb import DynamoDBClient

    from awsclients import AwsClients

EVENTS = Path(__file__).parents[2] / "events"
EXPECTED: dict[str, dict[str, Any]] = json.loads((EVENTS / "expected.json").read_text())
API_EVENTS = sorted(
    name for name, spec in EXPECTED.items() if spec["function"] == "ModelsApiFunction"
)
SAM_ENV: dict[str, dict[str, str]] = json.loads((EVENTS / "env.json").read_text())
SLASH_ID = "meta-llama/llama-3.1-70b-instruct"


def load(name: str) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((EVENTS / name).read_text())
    return event


def invoke(event: dict[str, Any]) -> dict[str, Any]:
    return lambda_handler(event, LambdaContext())


@pytest.fixture
def sam_local_env(deployed_app: FastAPI) -> None:
    """The services of the function `sam local invoke --env-vars events/env.json` runs."""
    settings = Settings.from_environ(SAM_ENV["ModelsApiFunction"])
    deployed_app.state.services = Services.from_settings(settings)


@pytest.fixture
def slash_id_table(
    deployed_app: FastAPI, aws: AwsClients, dynamodb: DynamoDBClient, models_table: str
) -> None:
    """The sam local environment with MODELS_TABLE set, its table holding an id with a `/`."""
    publish(dynamodb, models_table, [model_doc("gpt-4o"), model_doc(SLASH_ID, owned_by="meta")])
    settings = Settings.from_environ({**SAM_ENV["ModelsApiFunction"], "MODELS_TABLE": models_table})
    deployed_app.state.services = Services.from_settings(settings, aws=aws)


def test_every_event_file_is_listed_in_the_manifest() -> None:
    files = {p.name for p in EVENTS.glob("*.json")} - {"expected.json", "env.json"}
    assert files == set(EXPECTED)


@pytest.mark.usefixtures("sam_local_env")
@pytest.mark.parametrize("name", API_EVENTS)
def test_event_file_answers_with_its_expected_status(name: str) -> None:
    response = invoke(load(name))
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
    response = invoke(load(name))
    data = json.loads(response["body"])["data"]
    assert [(m["id"], m["owned_by"], m["context_length"]) for m in data] == SEED_MODELS


def retrieve_event(template: str, path: str) -> dict[str, Any]:
    """A retrieve request for `path`, as it arrives: HTTP API (2.0) or REST API (1.0)."""
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


@pytest.mark.usefixtures("slash_id_table")
@pytest.mark.parametrize("template", ["retrieve-model.json", "list-models-rest-v1.json"])
@pytest.mark.parametrize(
    "path",
    [
        "/v1/models/meta-llama/llama-3.1-70b-instruct",
        "/v1/models/meta-llama%2Fllama-3.1-70b-instruct",
        "/v1/models/meta-llama%2fllama-3.1-70b-instruct",
    ],
)
def test_slash_ids_through_api_gateway_events(template: str, path: str) -> None:
    response = invoke(retrieve_event(template, path))
    assert response["statusCode"] == 200, response
    assert json.loads(response["body"])["id"] == SLASH_ID


@pytest.mark.usefixtures("slash_id_table")
def test_an_http_api_event_whose_path_carries_an_encoded_slash() -> None:
    """What openai-python >= 2.30 sends for an id with a `/`, as API Gateway hands it over."""
    event = retrieve_event("retrieve-model.json", "/v1/models/meta-llama%2Fllama-3.1-70b-instruct")
    assert event["version"] == "2.0"
    assert event["rawPath"] == event["requestContext"]["http"]["path"]
    assert "%2F" in event["rawPath"]
    response = invoke(event)
    assert response["statusCode"] == 200, response
    model = json.loads(response["body"])
    assert (model["id"], model["owned_by"]) == (SLASH_ID, "meta")


@pytest.mark.usefixtures("slash_id_table")
@pytest.mark.parametrize("template", ["retrieve-model.json", "list-models-rest-v1.json"])
def test_a_double_encoded_slash_is_decoded_once_only(template: str) -> None:
    """`%252F` is a literal `%2F` in the id, not a `/`: it must not find the model."""
    event = retrieve_event(template, "/v1/models/meta-llama%252Fllama-3.1-70b-instruct")
    response = invoke(event)
    assert response["statusCode"] == 404, response
    error = json.loads(response["body"])["error"]
    assert error["code"] == "model_not_found"
    assert "'meta-llama%2Fllama-3.1-70b-instruct'" in error["message"]


@pytest.mark.usefixtures("sam_local_env")
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
    response = invoke(event)
    assert response["statusCode"] == 400
    assert json.loads(response["body"])["error"]["code"] == "unsupported_event"
    assert "not an API Gateway request" in caplog.text
    # and the container still serves HTTP afterwards
    assert invoke(load("health.json"))["statusCode"] == 200

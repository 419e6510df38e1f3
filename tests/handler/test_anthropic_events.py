"""The Anthropic sample events (events/anthropic-*.json) through the deployed Lambda handler:
the answers in Anthropic's shape, as `sam local invoke` would print them.

Their statuses are checked with every other event by tests/handler/test_lambda_adapter.py; here,
what the answers hold, computed from the bundled catalog at the date they are served.
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

import pytest
from anthropic.types import ModelInfo

from catalog.bundled import bundled_models
from catalog.lifecycle import status_at
from handler.api import lambda_handler
from handler.dialects import VARY
from tests.support.events import SAM_ENV, load
from tests.support.http import LambdaContext, lambda_body, lambda_headers
from tests.support.services import make_services

if TYPE_CHECKING:
    from fastapi import FastAPI

LIST_EVENT = "anthropic-list-models.json"
RETRIEVE_EVENT = "anthropic-retrieve-model.json"
JUNE_1_2024 = 1717200000.0  # every bundled model active
NOV_27_2026 = 1795737600.0  # most retired, gpt-4o and gpt-4o-mini deprecated
DATES = pytest.mark.parametrize(
    "when", [JUNE_1_2024, NOV_27_2026, time.time()], ids=["2024-06-01", "2026-11-27", "today"]
)


def invoke(event: dict[str, Any]) -> dict[str, Any]:
    return lambda_handler(event, LambdaContext())


def json_of(response: dict[str, Any]) -> Any:
    return json.loads(lambda_body(response))


def serve_on(app: FastAPI, when: float) -> None:
    """The deployed app on the bundled catalog at `when`, accepting the sam-local key."""
    app.state.services = make_services(
        dev_key=SAM_ENV["ModelsApiFunction"]["DEV_API_KEY"], wall_clock=lambda: when
    )


def assert_anthropic_answer(response: dict[str, Any], name: str) -> None:
    headers = lambda_headers(response)
    request_id = load(name)["requestContext"]["requestId"]
    assert headers["request-id"] == headers["x-request-id"] == request_id
    assert headers["content-type"] == "application/json"
    assert headers["vary"] == VARY


def test_the_events_speak_anthropic_with_the_sam_local_key() -> None:
    for name in (LIST_EVENT, RETRIEVE_EVENT):
        headers = load(name)["headers"]
        assert headers["anthropic-version"] == "2023-06-01"
        assert headers["x-api-key"] == SAM_ENV["ModelsApiFunction"]["DEV_API_KEY"]
        assert "authorization" not in headers


@DATES
def test_the_list_event_answers_a_page_of_model_infos(deployed_app: FastAPI, when: float) -> None:
    serve_on(deployed_app, when)
    newest_first = sorted(bundled_models(), key=lambda model: -model.created)
    listed = [m.id for m in newest_first if status_at(m, when) in ("active", "deprecated")]

    response = invoke(load(LIST_EVENT))  # limit=5

    assert response["statusCode"] == 200, response
    assert_anthropic_answer(response, LIST_EVENT)
    page = json_of(response)
    assert set(page) == {"data", "has_more", "first_id", "last_id"}
    ids = [item["id"] for item in page["data"]]
    assert ids == listed[:5]
    assert page["has_more"] is (len(listed) > 5)
    assert page["first_id"] == (ids[0] if ids else None)
    assert page["last_id"] == (ids[-1] if ids else None)
    for item in page["data"]:
        assert set(item) == set(ModelInfo.model_fields)
        assert ModelInfo.model_validate(item).type == "model"


@pytest.mark.parametrize("when", [JUNE_1_2024, NOV_27_2026])
def test_the_next_page_follows_last_id(deployed_app: FastAPI, when: float) -> None:
    serve_on(deployed_app, when)
    first = json_of(invoke(load(LIST_EVENT)))
    event = load(LIST_EVENT)
    event["rawQueryString"] = f"limit=5&after_id={first['last_id']}"
    event["queryStringParameters"] = {"limit": "5", "after_id": first["last_id"]}
    response = invoke(event)
    assert response["statusCode"] == 200, response
    second = json_of(response)
    newest_first = sorted(bundled_models(), key=lambda model: -model.created)
    listed = [m.id for m in newest_first if status_at(m, when) in ("active", "deprecated")]
    assert [item["id"] for item in second["data"]] == listed[5:10]
    assert second["has_more"] is (len(listed) > 10)


@DATES
def test_the_retrieve_event_answers_a_model_info(deployed_app: FastAPI, when: float) -> None:
    serve_on(deployed_app, when)
    response = invoke(load(RETRIEVE_EVENT))
    assert response["statusCode"] == 200, response
    assert_anthropic_answer(response, RETRIEVE_EVENT)
    item = json_of(response)
    assert set(item) == set(ModelInfo.model_fields)
    model = ModelInfo.model_validate(item)
    (bundled,) = [m for m in bundled_models() if m.id == "claude-3-5-sonnet-20241022"]
    assert model.id == bundled.id
    assert model.lifecycle == status_at(bundled, when)
    assert model.created_at.timestamp() == bundled.created
    assert model.max_input_tokens == bundled.context_length
    if model.lifecycle == "active":
        assert (model.deprecated_at, model.retires_at) == (None, None)
        assert "sunset" not in lambda_headers(response)
    else:
        assert model.retires_at is not None
        assert model.retires_at.date().isoformat() == "2025-10-28"
        assert lambda_headers(response)["sunset"] == "Tue, 28 Oct 2025 00:00:00 GMT"


def test_an_unknown_model_through_the_event_is_anthropics_not_found(
    deployed_app: FastAPI,
) -> None:
    serve_on(deployed_app, NOV_27_2026)
    event = load(RETRIEVE_EVENT)
    event["rawPath"] = event["requestContext"]["http"]["path"] = "/v1/models/no-such-model"
    event["pathParameters"] = {"proxy": "no-such-model"}
    response = invoke(event)
    assert response["statusCode"] == 404
    assert_anthropic_answer(response, RETRIEVE_EVENT)
    body = json_of(response)
    assert body["type"] == "error"
    assert body["error"]["type"] == "not_found_error"
    assert body["request_id"] == load(RETRIEVE_EVENT)["requestContext"]["requestId"]

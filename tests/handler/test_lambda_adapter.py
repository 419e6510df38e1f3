"""handler/lambda_adapter.py, the deployed Lambda entry point with API Gateway events: every file
in events/, and edge cases (malformed and foreign events, HEAD, gzip as API Gateway receives
it).

Every event goes through the real module-level `handler.api.lambda_handler`, its app given the
services `sam local invoke --env-vars events/env.json` would build.
"""

from __future__ import annotations

import base64
import copy
import gzip
import json
from typing import TYPE_CHECKING, Any

import mangum.adapter
import pytest

from handler import lambda_adapter
from handler.api import lambda_handler
from handler.compose import build_api
from handler.dialects import VARY
from handler.settings import Settings
from tests.support.events import (
    API_EVENTS,
    EVENTS,
    EXPECTED,
    SAM_ENV,
    load,
    retrieve_event,
    with_method,
)
from tests.support.factories import (
    CURRENT_IDS,
    SEED_MODELS,
    listed_by_default,
    model_doc,
    publish,
)
from tests.support.http import LambdaContext, lambda_body, lambda_headers

if TYPE_CHECKING:
    from fastapi import FastAPI
    from mypy_boto3_dynamodb import DynamoDBClient

    from awsclients import AwsClients

SLASH_ID = "meta-llama/llama-3.1-70b-instruct"


def invoke(event: Any) -> dict[str, Any]:
    return lambda_handler(event, LambdaContext())


@pytest.fixture
def sam_local_env(deployed_app: FastAPI) -> None:
    """The services of the function `sam local invoke --env-vars events/env.json` runs."""
    settings = Settings.from_environ(SAM_ENV["ModelsApiFunction"])
    deployed_app.state.services = build_api(settings)


@pytest.fixture
def slash_id_table(
    deployed_app: FastAPI, aws: AwsClients, dynamodb: DynamoDBClient, models_table: str
) -> None:
    """The sam local environment with MODELS_TABLE set, its table holding an id with a `/`."""
    publish(dynamodb, models_table, [model_doc("gpt-4o"), model_doc(SLASH_ID, owned_by="meta")])
    settings = Settings.from_environ({**SAM_ENV["ModelsApiFunction"], "MODELS_TABLE": models_table})
    deployed_app.state.services = build_api(settings, aws=aws)


def test_every_event_file_is_listed_in_the_manifest() -> None:
    files = {p.name for p in EVENTS.glob("*.json")} - {"expected.json", "env.json"}
    assert files == set(EXPECTED)


@pytest.mark.usefixtures("sam_local_env")
@pytest.mark.parametrize("name", API_EVENTS)
def test_event_file_answers_with_its_expected_status(name: str) -> None:
    response = invoke(load(name))
    assert response["statusCode"] == EXPECTED[name]["status"], response
    body = json.loads(lambda_body(response))
    if response["statusCode"] >= 400:
        assert set(body["error"]) == {"message", "type", "param", "code"}
    headers = lambda_headers(response)
    request_id = load(name)["requestContext"]["requestId"]
    assert headers["x-request-id"] == request_id  # API Gateway's id, so logs line up
    assert headers["x-content-type-options"] == "nosniff"


@pytest.mark.usefixtures("sam_local_env")
@pytest.mark.parametrize(
    "name", ["list-models.json", "list-models-rest-v1.json", "list-models-gzip.json"]
)
def test_list_through_http_api_v2_and_rest_v1(name: str) -> None:
    response = invoke(load(name))
    data = json.loads(lambda_body(response))["data"]
    assert [(m["id"], m["owned_by"], m["context_length"]) for m in data] == listed_by_default()


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


def assert_unsupported_event(response: dict[str, Any]) -> None:
    assert response["statusCode"] == 400, response
    assert response["isBase64Encoded"] is False
    error = json.loads(response["body"])["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert (error["type"], error["code"]) == ("invalid_request_error", "unsupported_event")
    headers = lambda_headers(response)
    assert headers["content-type"] == "application/json"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-request-id"]


@pytest.mark.usefixtures("sam_local_env")
@pytest.mark.parametrize(
    "event",
    [
        {},
        None,
        [],
        "GET /v1/models",
        7,
        {"source": "aws.events", "detail-type": "Scheduled Event", "detail": {}},
        {"Records": [{"eventSource": "aws:sqs", "body": "x"}]},
        {"Records": [{"cf": {"request": {"uri": "/v1/models", "method": "GET"}}}]},  # @Edge
        {  # an Application Load Balancer's
            "requestContext": {"elb": {"targetGroupArn": "arn:aws:elasticloadbalancing:x"}},
            "httpMethod": "GET",
            "path": "/v1/models",
            "headers": {},
            "body": "",
            "isBase64Encoded": False,
        },
    ],
)
def test_a_non_http_event_gets_a_clean_error_not_a_crash(
    event: Any, caplog: pytest.LogCaptureFixture
) -> None:
    assert_unsupported_event(invoke(event))
    assert "not an API Gateway request we can serve" in caplog.text
    # and the container still serves HTTP afterwards
    assert invoke(load("health.json"))["statusCode"] == 200


def v2(**changes: Any) -> dict[str, Any]:
    """list-models.json (HTTP API 2.0) with these top-level keys set."""
    event = load("list-models.json")
    event.update(changes)
    return event


def v1(**changes: Any) -> dict[str, Any]:
    """list-models-rest-v1.json (REST API) with these top-level keys set."""
    event = load("list-models-rest-v1.json")
    event.update(changes)
    return event


def with_path(event: dict[str, Any], path: list[str], value: Any) -> dict[str, Any]:
    """`event` with the value at `path` replaced (`...`: removed)."""
    target = event
    for key in path[:-1]:
        target = target[key]
    if value is ...:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return event


MALFORMED = {
    # The issue's list.
    "headers null (2.0)": v2(headers=None),
    "an int header value": with_path(v2(), ["headers", "x-forwarded-port"], 443),
    "rawQueryString null": v2(rawQueryString=None),
    "no requestContext.http": with_path(v2(), ["requestContext", "http"], ...),
    "version 3.0": v2(version="3.0"),
    "version null": v2(version=None),
    "invalid base64 body": v2(body="not base64!", isBase64Encoded=True),
    "non-ASCII base64 body": v2(body="aGVsbG8=é", isBase64Encoded=True),
    "surrogate in Authorization": with_path(v2(), ["headers", "authorization"], "Bearer \ud800"),
    # HTTP API 2.0, more.
    "requestContext not an object": v2(requestContext="x"),
    "http.method missing": with_path(v2(), ["requestContext", "http", "method"], ...),
    "http.method a number": with_path(v2(), ["requestContext", "http", "method"], 1),
    "http.method a list": with_path(v2(), ["requestContext", "http", "method"], ["GET"]),
    "http.method not a token": with_path(v2(), ["requestContext", "http", "method"], "G T"),
    "http.path null": with_path(v2(), ["requestContext", "http", "path"], None),
    "http.path a surrogate": with_path(v2(), ["requestContext", "http", "path"], "/v1/\udfff"),
    "http.sourceIp missing": with_path(v2(), ["requestContext", "http", "sourceIp"], ...),
    "headers a list": v2(headers=[["authorization", "Bearer x"]]),
    "a header value a list": with_path(v2(), ["headers", "accept"], ["a", "b"]),
    "a header value null": with_path(v2(), ["headers", "accept"], None),
    "a surrogate header name": with_path(v2(), ["headers", "x-\ud800"], "1"),
    "Host port not a number": with_path(v2(), ["headers", "host"], "example.com:https"),
    "Host with two colons": with_path(v2(), ["headers", "host"], "[::1]:443"),
    "X-Forwarded-Port not a number": with_path(v2(), ["headers", "x-forwarded-port"], "443a"),
    "rawQueryString a number": v2(rawQueryString=1),
    "rawQueryString a surrogate": v2(rawQueryString="owned_by=\ud800"),
    "rawPath a list": v2(rawPath=["/v1/models"]),
    "cookies a string": v2(cookies="a=b"),
    "a cookie a number": v2(cookies=["a=b", 1]),
    "body a number": v2(body=12),
    "body an object": v2(body={"a": 1}),
    "body a surrogate": v2(body="\ud800"),
    "isBase64Encoded a string": v2(isBase64Encoded="true"),
    # REST API / payload 1.0.
    "version 1.0 without httpMethod": v2(version="1.0"),
    "no resource, no version": with_path(v1(), ["resource"], ...),
    "httpMethod null": v1(httpMethod=None),
    "path a number": v1(path=404),
    "identity null": with_path(v1(), ["requestContext", "identity"], None),
    "identity.sourceIp a number": with_path(v1(), ["requestContext", "identity", "sourceIp"], 1),
    "multiValueHeaders a list": v1(multiValueHeaders=[["Accept", "x"]]),
    "a multiValueHeaders value a string": with_path(v1(), ["multiValueHeaders", "Accept"], "x"),
    "a multiValueHeaders item a number": with_path(v1(), ["multiValueHeaders", "Accept"], [1]),
    "two Hosts with ports": with_path(v1(), ["multiValueHeaders", "Host"], ["a:1", "b:2"]),
    "queryStringParameters a list": v1(queryStringParameters=["owned_by"]),
    "a query value a number": v1(queryStringParameters={"owned_by": 1}),
    "a query value a surrogate": v1(queryStringParameters={"owned_by": "\udc80"}),
    "multiValueQueryStringParameters a string": v1(multiValueQueryStringParameters="x"),
    "a multi query value a string": v1(multiValueQueryStringParameters={"owned_by": "openai"}),
}


@pytest.mark.usefixtures("sam_local_env")
@pytest.mark.parametrize("name", MALFORMED)
def test_a_malformed_api_gateway_event_gets_unsupported_event(
    name: str, caplog: pytest.LogCaptureFixture
) -> None:
    event = copy.deepcopy(MALFORMED[name])
    assert_unsupported_event(invoke(event))
    assert "not an API Gateway request we can serve" in caplog.text
    assert "Bearer ar-dev-local-key" not in caplog.text  # header values are never logged
    assert "ar-dev-local-key" not in caplog.text
    good = invoke(load("list-models.json"))
    assert good["statusCode"] == 200


@pytest.mark.usefixtures("sam_local_env")
def test_the_request_id_of_a_malformed_event_is_api_gateways_or_the_invocations() -> None:
    response = invoke(v2(headers=None))
    assert lambda_headers(response)["x-request-id"] == "RxT2fgZ8IAMEVxw="
    response = invoke({"requestContext": {"requestId": "bad id\r\n"}})
    assert lambda_headers(response)["x-request-id"] == LambdaContext.aws_request_id


WELL_FORMED = {
    "no headers at all (2.0)": (with_path(v2(), ["headers"], ...), 401),
    "no rawQueryString": (with_path(v2(), ["rawQueryString"], ...), 200),
    "cookies": (v2(cookies=["a=b", "c=d"]), 200),
    "a base64 body": (v2(body=base64.b64encode(b"{}").decode(), isBase64Encoded=True), 200),
    "an empty base64 body": (v2(body="", isBase64Encoded=True), 200),
    "a text body": (v2(body="hello", isBase64Encoded=False), 200),
    "isBase64Encoded null": (v2(body=None, isBase64Encoded=None), 200),
    "non-ASCII header value": (with_path(v2(), ["headers", "user-agent"], "café ☕"), 200),
    "Host with a port": (with_path(v2(), ["headers", "host"], "localhost:3000"), 200),
    "payload 1.0": (v1(version="1.0"), 200),
    "REST: headers null": (v1(headers=None), 200),
    "REST: multiValueHeaders null": (v1(multiValueHeaders=None), 200),
    "REST: query": (
        v1(
            queryStringParameters={"owned_by": "google"},
            multiValueQueryStringParameters={"owned_by": ["google"]},
        ),
        200,
    ),
    "REST: identity absent": (with_path(v1(), ["requestContext", "identity"], ...), 200),
    "a lowercase method": (with_path(v2(), ["requestContext", "http", "method"], "get"), 405),
    "an unknown method": (with_path(v2(), ["requestContext", "http", "method"], "BREW"), 405),
    "a surrogate request id": (with_path(v2(), ["requestContext", "requestId"], "\ud800"), 200),
}


@pytest.mark.usefixtures("sam_local_env")
@pytest.mark.parametrize("name", WELL_FORMED)
def test_unusual_but_well_formed_events_are_served(name: str) -> None:
    event, status = WELL_FORMED[name]
    response = invoke(copy.deepcopy(event))
    assert response["statusCode"] == status, response
    if status >= 400:
        assert json.loads(response["body"])["error"]["code"] != "unsupported_event"
    headers = lambda_headers(response)
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-request-id"].isascii()


@pytest.mark.usefixtures("sam_local_env")
def test_an_event_mangum_cannot_adapt_is_still_unsupported_event(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Should the shape check miss a case, what Mangum raises is the same clean 400."""
    monkeypatch.setattr(lambda_adapter, "_check_event", lambda event: None)
    assert_unsupported_event(invoke(v2(headers=None)))
    assert "Mangum raised AttributeError at api_gateway.py:" in caplog.text
    assert invoke(load("list-models.json"))["statusCode"] == 200


class BrokenCycle:
    """Mangum's HTTPCycle failing around the app, as a broken event loop makes it."""

    def __init__(self, scope: dict[str, Any], body: bytes) -> None:
        pass

    def __call__(self, app: object) -> dict[str, Any]:
        raise RuntimeError("There is no current event loop")


@pytest.mark.usefixtures("sam_local_env")
def test_a_failure_to_run_the_app_is_a_json_500_not_a_400(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Mangum's event loop failing is our fault, not the event's: 500, logged with traceback."""

    monkeypatch.setattr(mangum.adapter, "HTTPCycle", BrokenCycle)
    response = invoke(load("list-models.json"))
    assert response["statusCode"] == 500
    error = json.loads(response["body"])["error"]
    assert (error["type"], error["code"]) == ("server_error", "internal_error")
    assert lambda_headers(response)["x-request-id"] == "RxT2fgZ8IAMEVxw="
    assert lambda_headers(response)["x-content-type-options"] == "nosniff"
    assert "could not run the app" in caplog.text
    monkeypatch.undo()
    assert invoke(load("list-models.json"))["statusCode"] == 200


@pytest.mark.usefixtures("sam_local_env")
def test_errors_answered_without_the_app_speak_the_clients_dialect(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An Anthropic client (Anthropic-Version, in any case) gets Anthropic's error shape and a
    `request-id` even when the app never ran: a malformed event, or a failure to run the app."""
    malformed = v2(headers={"Anthropic-Version": "2023-06-01", "host": 7})
    response = invoke(malformed)
    assert response["statusCode"] == 400
    body = json.loads(response["body"])
    assert body == {
        "type": "error",
        "error": {"type": "invalid_request_error", "message": body["error"]["message"]},
        "request_id": "RxT2fgZ8IAMEVxw=",
    }
    assert lambda_headers(response)["request-id"] == "RxT2fgZ8IAMEVxw="
    assert lambda_headers(response)["vary"] == VARY

    monkeypatch.setattr(mangum.adapter, "HTTPCycle", BrokenCycle)
    event = load("list-models.json")
    event["headers"]["anthropic-version"] = "2023-06-01"
    response = invoke(event)
    assert response["statusCode"] == 500
    assert json.loads(response["body"])["error"]["type"] == "api_error"
    # An OpenAI client's failure is unchanged: OpenAI's shape, no request-id.
    response = invoke(load("list-models.json"))
    assert json.loads(response["body"])["error"]["code"] == "internal_error"
    assert "request-id" not in lambda_headers(response)


# --- HEAD and gzip, as API Gateway receives them ---------------------------------------------


def head_of(event: dict[str, Any]) -> dict[str, Any]:
    return with_method(event, "HEAD")


@pytest.mark.usefixtures("sam_local_env")
@pytest.mark.parametrize("name", API_EVENTS)
def test_head_through_lambda_has_no_body_and_the_gets_headers(name: str) -> None:
    get, head = invoke(load(name)), invoke(head_of(load(name)))
    assert head["statusCode"] == get["statusCode"]
    assert head["body"] == ""
    assert head["isBase64Encoded"] is False
    assert lambda_headers(head) == lambda_headers(get)
    raw = base64.b64decode(get["body"]) if get["isBase64Encoded"] else get["body"].encode()
    assert lambda_headers(head)["content-length"] == str(len(raw))


@pytest.mark.usefixtures("sam_local_env")
def test_gzip_reaches_api_gateway_base64_encoded() -> None:
    """Mangum base64-encodes the gzip bytes; API Gateway decodes them; the client gunzips."""
    response = invoke(load("list-models-gzip.json"))
    assert response["statusCode"] == 200
    assert response["isBase64Encoded"] is True
    headers = lambda_headers(response)
    assert headers["content-encoding"] == "gzip"
    assert headers["content-type"] == "application/json"
    assert headers["etag"].endswith('-gzip"')
    assert headers["vary"] == VARY
    compressed = base64.b64decode(response["body"])
    assert headers["content-length"] == str(len(compressed))
    plain = invoke(load("list-models.json"))
    assert plain["isBase64Encoded"] is False
    assert gzip.decompress(compressed) == plain["body"].encode()
    assert headers["etag"] == lambda_headers(plain)["etag"][:-1] + '-gzip"'


@pytest.mark.usefixtures("sam_local_env")
def test_gzip_through_a_rest_api_event() -> None:
    event = load("list-models-rest-v1.json")
    event["headers"]["Accept-Encoding"] = "gzip"
    event["multiValueHeaders"]["Accept-Encoding"] = ["gzip"]
    response = invoke(event)
    assert response["isBase64Encoded"] is True
    assert lambda_headers(response)["content-encoding"] == "gzip"
    data = json.loads(lambda_body(response))["data"]
    assert [(m["id"], m["owned_by"], m["context_length"]) for m in data] == listed_by_default()


# -- the lifecycle through API Gateway, the bundled catalog on 2026-11-27 ---------------------

NOV_27_2026 = 1795737600.0  # 2026-11-27 00:00 UTC


@pytest.fixture
def on_nov_27(deployed_app: FastAPI) -> None:
    """The deployed app, its clock on 2026-11-27, the sam-local key, the bundled catalog."""
    from tests.support.services import make_services

    deployed_app.state.services = make_services(
        dev_key=SAM_ENV["ModelsApiFunction"]["DEV_API_KEY"], wall_clock=lambda: NOV_27_2026
    )


def with_query(event: dict[str, Any], query: str) -> dict[str, Any]:
    """An HTTP API (2.0) event with this query string, as API Gateway sends it."""
    event = copy.deepcopy(event)
    event["rawQueryString"] = query
    pairs = [pair.split("=", 1) for pair in query.split("&")]
    event["queryStringParameters"] = {k: ",".join(v for n, v in pairs if n == k) for k, _ in pairs}
    return event


@pytest.mark.usefixtures("on_nov_27")
def test_a_deprecated_model_carries_its_lifecycle_headers_through_lambda() -> None:
    response = invoke(load("retrieve-model.json"))  # gpt-4o: deprecated 2026-10-14
    assert response["statusCode"] == 200
    headers = {k.lower(): v for k, v in response["headers"].items()}
    assert headers["deprecation"] == "@1791936000"  # 2026-10-14 00:00 UTC
    assert headers["sunset"] == "Thu, 14 Jan 2027 00:00:00 GMT"
    assert headers["link"] == '</v1/models/gpt-6-luna>; rel="successor-version"'
    lifecycle = json.loads(lambda_body(response))["lifecycle"]
    assert lifecycle["status"] == "deprecated"


@pytest.mark.usefixtures("on_nov_27")
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=active", CURRENT_IDS),
        ("status=deprecated", ["gpt-4o", "gpt-4o-mini"]),
        ("status=deprecated&status=retired", [m for m, _, _ in SEED_MODELS]),
        (
            "min_context_length=200001&status=retired",
            ["gemini-1.5-pro", "gemini-1.5-flash"],
        ),
        (
            "capability=structured_outputs&owned_by=openai",
            ["gpt-4o", "gpt-4o-mini", "gpt-6.2-astra", "gpt-6.1-terra"],
        ),
    ],
)
def test_lifecycle_and_v2_filters_through_lambda(query: str, expected: list[str]) -> None:
    response = invoke(with_query(load("list-models.json"), query))
    assert response["statusCode"] == 200, response
    assert [m["id"] for m in json.loads(lambda_body(response))["data"]] == expected


# --- A Host header that is no URL's authority (issue 18) -------------------------------------


def _with_host(event: dict[str, Any], host: str, **headers: str) -> dict[str, Any]:
    event["headers"] = {**event["headers"], "host": host, **headers}
    return event


@pytest.mark.usefixtures("sam_local_env")
@pytest.mark.parametrize("host", ["[", "[v1", "a]b", "x[y"])
@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [("GET", "/nowhere", 404, "unknown_url"), ("POST", "/v1/models", 405, "method_not_allowed")],
)
def test_a_host_no_url_can_hold_still_gets_json_on_the_404_and_405_paths(
    host: str, method: str, path: str, status: int, code: str
) -> None:
    """urllib refuses these as a URL's authority; the answer names the path all the same."""
    event = _with_host(load("list-models.json"), host)
    event["requestContext"]["http"].update(method=method, path=path)
    event["rawPath"] = path
    response = invoke(event)
    assert response["statusCode"] == status, response
    error = json.loads(response["body"])["error"]
    assert error["code"] == code
    assert path in error["message"]

    anthropic = _with_host(copy.deepcopy(event), host, **{"anthropic-version": "2023-06-01"})
    response = invoke(anthropic)
    assert response["statusCode"] == status, response
    body = json.loads(response["body"])
    assert body["type"] == "error"
    assert path in body["error"]["message"]

"""A new dialect is one new module: this test's `PirateDialect`, registered in a test, is answered
by every layer (middleware, routes, error handlers, the Lambda adapter, /openapi.json) without
an edit anywhere else."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from fastapi.testclient import TestClient

from catalog.body import Body
from handler.app import create_app
from handler.dialects import DIALECTS, Dialects
from handler.dialects.base import HeaderLookup, ListFilters
from handler.lambda_adapter import build_lambda_handler
from tests.support.events import load
from tests.support.factories import model_doc
from tests.support.http import DEV_KEY, LambdaContext, lambda_headers
from tests.support.services import make_services, memory_catalog

if TYPE_CHECKING:
    from starlette.requests import Request

    from catalog.snapshot import CatalogSnapshot
    from handler.errors import APIError

PIRATE = "x-pirate"


class PirateDialect:
    """Ids only, errors shouted, selected by an `x-pirate` header."""

    name = "pirate"
    selecting_headers: Sequence[str] = (PIRATE,)

    def recognises(self, header: HeaderLookup) -> bool:
        return header(PIRATE) is not None

    def response_headers(self, request_id: str) -> Mapping[str, str]:
        return {"x-pirate-log": request_id}

    def list_body(self, snapshot: CatalogSnapshot, filters: ListFilters, request: Request) -> Body:
        models = json.loads(
            snapshot.list_body_for(
                filters.owned_by, filters.capabilities, filters.statuses or ()
            ).content
        )
        treasure = [model["id"] for model in models["data"]]
        return Body.of({"treasure": treasure, "parrot": request.query_params.get("parrot")})

    def model_body(self, snapshot: CatalogSnapshot, model_id: str) -> Body:
        return Body.of({"treasure": json.loads(snapshot.model_body(model_id).content)["id"]})

    def error_body(self, error: APIError, request_id: str | None) -> bytes:
        return json.dumps({"arr": error.message.upper(), "log": request_id}).encode()

    def extend_openapi(self, document: dict[str, Any]) -> None:
        document["components"]["schemas"]["PirateTreasure"] = {"type": "object"}


DOCS = [model_doc("gpt-x"), model_doc("claude-y", owned_by="anthropic")]
WITH_PIRATES = Dialects((PirateDialect(), *DIALECTS.dialects))


def pirate_app() -> Any:
    return create_app(make_services(memory_catalog(DOCS)), dialects=WITH_PIRATES)


def test_every_route_and_error_answers_in_the_new_dialect() -> None:
    client = TestClient(pirate_app(), headers={"Authorization": f"Bearer {DEV_KEY}"})
    pirate = {PIRATE: "1"}

    listed = client.get("/v1/models?owned_by=anthropic&parrot=polly", headers=pirate)
    assert listed.status_code == 200
    assert listed.json() == {"treasure": ["claude-y"], "parrot": "polly"}
    assert listed.headers["x-pirate-log"] == listed.headers["x-request-id"]
    assert PIRATE in listed.headers["vary"]

    retrieved = client.get("/v1/models/gpt-x", headers=pirate)
    assert retrieved.json() == {"treasure": "gpt-x"}

    missing = client.get("/v1/models/nope", headers=pirate)
    assert missing.status_code == 404
    openai_message = client.get("/v1/models/nope").json()["error"]["message"]
    assert missing.json() == {"arr": openai_message.upper(), "log": missing.headers["x-request-id"]}
    refused = client.get("/v1/models", headers={**pirate, "Authorization": "Bearer wrong"})
    assert refused.status_code == 401
    assert set(refused.json()) == {"arr", "log"}

    # The other dialects are untouched.
    assert client.get("/v1/models").json()["object"] == "list"
    anthropic = client.get("/v1/models", headers={"anthropic-version": "2023-06-01"})
    assert "has_more" in anthropic.json()


def test_the_new_dialect_adds_its_part_to_the_openapi_document() -> None:
    document = TestClient(pirate_app()).get("/openapi.json").json()
    assert document["components"]["schemas"]["PirateTreasure"] == {"type": "object"}
    assert "AnthropicModelInfo" in document["components"]["schemas"]


def test_the_lambda_adapter_answers_a_malformed_event_in_the_new_dialect() -> None:
    handler = build_lambda_handler(pirate_app())
    event = load("list-models.json")
    event["headers"] = {"X-Pirate": "aye", "host": 7}  # a Host Mangum cannot read
    response = handler(event, LambdaContext())
    assert response["statusCode"] == 400
    body = json.loads(response["body"])
    assert set(body) == {"arr", "log"}
    assert lambda_headers(response)["x-pirate-log"] == body["log"]
    assert PIRATE in lambda_headers(response)["vary"]

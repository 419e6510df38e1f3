"""The declared operations (handler/operations.py): what /openapi.json documents and what
validates a list query; built only when one of those needs them, never on a plain cold start."""

from __future__ import annotations

import pytest
from fastapi.dependencies.utils import request_params_to_args
from starlette.datastructures import QueryParams

from handler.dialects import ListFilters
from handler.operations import LIST_QUERY_PARAMETERS, documented_routes
from tests.support.http import api_client
from tests.support.probe import probe_json

# A fresh process: the deployed entry point's import, then a request; then what it built.
_COLD_START = """
import json, sys
from handler.api import lambda_handler
from handler.operations import documented_routes
event = json.load(open("events/" + sys.argv[1]))
status = lambda_handler(event, None)["statusCode"]
print(json.dumps({
    "status": status,
    "built": documented_routes.cache_info().currsize,
    "pydantic_v1": "pydantic.v1" in sys.modules,
}))
"""


def cold_start(event: str) -> dict[str, object]:
    # The bundled catalog (no MODELS_TABLE): no table, no network.
    result: dict[str, object] = probe_json(
        _COLD_START,
        event,
        env={"DEV_API_KEY": "ar-dev-local-key", "AWS_DEFAULT_REGION": "us-east-1"},
    )
    return result


@pytest.mark.parametrize(
    "event", ["list-models.json", "anthropic-list-models.json", "retrieve-model.json"]
)
def test_a_cold_start_serving_a_request_builds_no_documented_operation(event: str) -> None:
    """Neither the declaration of the operations nor pydantic.v1 (FastAPI imports it to check
    each declared model) is on a cold start's path: the first answer does not need them."""
    assert cold_start(event) == {"status": 200, "built": 0, "pydantic_v1": False}


def test_the_shared_list_parameters_are_the_ones_the_list_operation_declares() -> None:
    declared = documented_routes()["list_models"].dependant.query_params
    assert tuple(field.name for field in declared) == LIST_QUERY_PARAMETERS


def test_a_query_without_the_shared_parameters_gets_what_validation_gives() -> None:
    """The served list skips validation when none of the shared parameters is present: the
    filters it then uses are those FastAPI's validation finds for such a query."""
    fields = documented_routes()["list_models"].dependant.query_params
    values, errors = request_params_to_args(fields, QueryParams("limit=20&after_id=x"))
    assert errors == []
    validated = ListFilters(
        values["owned_by"],
        values["capability"] or (),
        values["status"],
        values["min_context_length"],
    )
    assert validated == ListFilters()
    with api_client() as client:
        plain = client.get("/v1/models")
        unrelated = client.get("/v1/models?unrelated=1")
    assert plain.status_code == unrelated.status_code == 200
    assert plain.content == unrelated.content


def test_a_shared_parameter_is_validated_as_declared() -> None:
    with api_client() as client:
        refused = client.get("/v1/models?min_context_length=0")
        kept = client.get("/v1/models?owned_by=openai")
    assert refused.status_code == 400
    assert refused.json()["error"]["param"] == "min_context_length"
    assert kept.status_code == 200
    assert {model["owned_by"] for model in kept.json()["data"]} == {"openai"}


def test_openapi_documents_the_three_operations_in_order() -> None:
    with api_client() as client:
        document = client.get("/openapi.json").json()
    operations = [
        (path, operation["operationId"])
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
        if method == "get"
    ]
    assert operations == [
        ("/v1/models", "list_models"),
        ("/v1/models/{model_id}", "retrieve_model"),
        ("/health", "health"),
    ]

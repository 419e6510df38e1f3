"""handler/dialects/anthropic_schema.py: the Anthropic shapes of /openapi.json have exactly the
anthropic SDK's fields, describe the bodies really served, and are imported by the document only.
"""

from __future__ import annotations

import json
import re
import typing
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import anthropic
import pydantic
import pytest
from anthropic.types.shared.error_response import ErrorResponse as AnthropicErrorResponse

from tests.support.factories import model_doc
from tests.support.fakes import FakeClock
from tests.support.http import api_client
from tests.support.probe import run_probe
from tests.support.services import make_services, memory_catalog

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

NOV_27_2026 = 1795737600.0  # 2026-11-27T00:00:00Z
# A deprecated model, a retired one and an active one (as tests/handler/test_app.py's V2_CATALOG).
CATALOG = [
    model_doc(
        "old-1",
        lifecycle={"deprecated_at": "2026-10-14", "shutdown_at": "2027-01-14", "successor": "new"},
    ),
    model_doc("gone", owned_by="acme", lifecycle={"shutdown_at": "2025-09-24"}),
    model_doc("new"),
]


@pytest.fixture
def v2_client() -> Iterator[TestClient]:
    services = make_services(memory_catalog(CATALOG), wall_clock=FakeClock(NOV_27_2026))
    with api_client(services=services) as client:
        yield client


def _fields(model: type[pydantic.BaseModel]) -> dict[str, Any]:
    """A pydantic model's field names, with those of every model nested in a field (by name)."""
    fields: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        nested = [
            arg
            for arg in (field.annotation, *typing.get_args(field.annotation))
            if isinstance(arg, type) and issubclass(arg, pydantic.BaseModel)
        ]
        fields[name] = _fields(nested[0]) if nested else None
    return fields


def _documented_fields(schemas: dict[str, Any], name: str) -> dict[str, Any]:
    """The same, read from the document's component `name`."""
    fields: dict[str, Any] = {}
    for field, schema in schemas[name]["properties"].items():
        refs = re.findall(r'"#/components/schemas/([^"]+)"', json.dumps(schema))
        fields[field] = _documented_fields(schemas, refs[0]) if refs else None
    return fields


def test_openapi_anthropic_schemas_have_exactly_the_sdk_fields(anonymous: TestClient) -> None:
    schemas = anonymous.get("/openapi.json").json()["components"]["schemas"]
    model_info = _documented_fields(schemas, "AnthropicModelInfo")
    assert model_info == _fields(anthropic.types.ModelInfo)
    assert model_info["capabilities"]  # nested objects compared too
    # Every key is always sent.
    assert set(schemas["AnthropicModelInfo"]["required"]) == set(model_info)
    page = _documented_fields(schemas, "AnthropicModelPage")
    assert set(page) == set(anthropic.pagination.SyncPage.model_fields)
    error = _documented_fields(schemas, "AnthropicError")
    assert set(error) == set(AnthropicErrorResponse.model_fields)
    assert set(error["error"] or {}) == {"type", "message"}


def test_openapi_anthropic_schemas_describe_the_bodies_served(v2_client: TestClient) -> None:
    from handler.dialects.anthropic_schema import (
        AnthropicError,
        AnthropicModelInfo,
        AnthropicModelPage,
    )

    anthropic_headers = {"anthropic-version": "2023-06-01"}
    page = v2_client.get("/v1/models?lifecycle[]=retired&limit=2", headers=anthropic_headers)
    assert page.status_code == 200, page.text
    AnthropicModelPage.model_validate_json(page.content)
    model = v2_client.get("/v1/models/old-1", headers=anthropic_headers)
    assert model.status_code == 200, model.text
    info = AnthropicModelInfo.model_validate_json(model.content)
    assert set(model.json()) == set(AnthropicModelInfo.model_fields)
    assert info.lifecycle == "deprecated"
    missing = v2_client.get("/v1/models/nope", headers=anthropic_headers)
    assert missing.status_code == 404
    error = AnthropicError.model_validate_json(missing.content)
    assert error.request_id == missing.headers["request-id"]


_LAZY_SCHEMA_PROBE = """
import sys
from fastapi.testclient import TestClient
from handler.app import create_app
from tests.support.http import DEV_KEY
from tests.support.services import make_services

client = TestClient(create_app(make_services()), headers={"Authorization": f"Bearer {DEV_KEY}"})
anthropic = {"anthropic-version": "2023-06-01"}
statuses = [
    client.get("/v1/models").status_code,
    client.get("/v1/models", headers=anthropic).status_code,
    client.get("/v1/models/gpt-4o", headers=anthropic).status_code,
    client.get("/v1/models?limit=0", headers=anthropic).status_code,
    client.get("/v1/models/nope", headers=anthropic).status_code,
    client.get("/health").status_code,
]
assert statuses == [200, 200, 200, 400, 404, 200], statuses
before = "handler.dialects.anthropic_schema" in sys.modules
assert client.get("/openapi.json").status_code == 200
print(before, "handler.dialects.anthropic_schema" in sys.modules)
"""


def test_the_anthropic_schemas_are_imported_by_the_openapi_document_only() -> None:
    """The deployed function imports the app at init: the documentation-only models must not
    add to that cold start, nor to any request but /openapi.json. (A fresh interpreter: this
    one may have built a document already.)"""
    result = run_probe(_LAZY_SCHEMA_PROBE)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True"]

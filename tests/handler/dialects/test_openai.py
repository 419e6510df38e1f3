"""handler/dialects/openai.py: the default dialect. It recognises any request, adds no header
and nothing to the OpenAPI document, answers the snapshot's own bodies, and errors as
`{"error": {"message", "type", "param", "code"}}`."""

from __future__ import annotations

import json

from catalog.bundled import bundled_snapshot
from handler.dialects.base import ListFilters
from handler.dialects.openai import OPENAI, ErrorResponse
from handler.errors import APIError


def test_it_recognises_any_request_and_adds_no_header() -> None:
    assert OPENAI.recognises(lambda _name: None)
    assert OPENAI.recognises(lambda _name: "anything")
    assert OPENAI.selecting_headers == ()
    assert dict(OPENAI.response_headers("req-1")) == {}


def test_its_error_body_is_openais_and_validates_as_the_documented_shape() -> None:
    error = APIError(404, "No such model.", param="model", code="model_not_found")
    body = OPENAI.error_body(error, "req-1")
    assert json.loads(body) == {
        "error": {
            "message": "No such model.",
            "type": "invalid_request_error",
            "param": "model",
            "code": "model_not_found",
        }
    }
    assert b" " not in body.replace(b"No such model.", b"")  # compact, as every body we send
    ErrorResponse.model_validate_json(body)


def test_its_bodies_are_the_snapshots_own() -> None:
    snapshot = bundled_snapshot()
    everything = OPENAI.list_body(snapshot, ListFilters(), request=None)  # type: ignore[arg-type]
    assert everything == snapshot.list_body_for(None, (), (), None)
    filters = ListFilters(owned_by="openai", statuses=("active",))
    assert OPENAI.list_body(snapshot, filters, request=None) == snapshot.list_body_for(  # type: ignore[arg-type]
        "openai", (), ("active",), None
    )
    model_id = json.loads(everything.content)["data"][0]["id"]
    assert OPENAI.model_body(snapshot, model_id) == snapshot.model_body(model_id)


def test_it_adds_nothing_to_the_openapi_document() -> None:
    document: dict[str, object] = {"paths": {}, "components": {"schemas": {}}}
    OPENAI.extend_openapi(document)
    assert document == {"paths": {}, "components": {"schemas": {}}}

"""handler/app.py: the served /v1 endpoints read the query once per distinct query string."""

from __future__ import annotations

from fastapi.testclient import TestClient

from handler.app import create_app
from tests.support.factories import model_doc
from tests.support.http import DEV_KEY
from tests.support.services import make_services, memory_catalog

DOCS = [model_doc("gpt-x"), model_doc("claude-y", owned_by="anthropic")]


def client() -> TestClient:
    app = create_app(make_services(memory_catalog(DOCS)))
    return TestClient(app, headers={"Authorization": f"Bearer {DEV_KEY}"})


def test_the_same_query_string_gets_the_same_answer_and_a_bad_one_is_refused_each_time() -> None:
    api = client()
    first = api.get("/v1/models?owned_by=anthropic")
    again = api.get("/v1/models?owned_by=anthropic")
    assert [m["id"] for m in first.json()["data"]] == ["claude-y"]
    assert again.content == first.content
    for _ in range(2):
        refused = api.get("/v1/models?min_context_length=0")
        assert refused.status_code == 400
        assert refused.json()["error"]["param"] == "min_context_length"


def test_the_kept_filters_are_bounded_whatever_clients_send() -> None:
    api = client()
    queries = api.app.state.list_queries  # type: ignore[attr-defined]
    for n in range(queries.MAX_ENTRIES + 50):
        assert api.get(f"/v1/models?min_context_length={n + 1}").status_code == 200
    assert len(queries._kept) == queries.MAX_ENTRIES
    long_query = "owned_by=anthropic&" + "x=1&" * queries.MAX_KEY_BYTES
    assert [m["id"] for m in api.get(f"/v1/models?{long_query}").json()["data"]] == ["claude-y"]
    assert long_query.encode() not in queries._kept


def test_a_request_without_a_key_is_refused_before_its_query_is_read() -> None:
    anonymous = TestClient(create_app(make_services(memory_catalog(DOCS))))
    response = anonymous.get("/v1/models?min_context_length=0")
    assert response.status_code == 401

"""The text-body extension (handler/text_body.py): under Lambda a prebuilt body is answered in
the text form it keeps, the same answer Mangum would build from its bytes, with no per-request
copy; any other server gets the bytes."""

from __future__ import annotations

import base64
import copy
import gzip
import json
import time
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from mangum import Mangum
from starlette.routing import Route

from apikeys.verifier import KeyVerifier
from catalog.cache import CatalogCache
from catalog.snapshot import CatalogSnapshot
from handler.app import create_app
from handler.compose import build_api
from handler.deps import Services
from handler.lambda_adapter import build_lambda_handler
from handler.settings import Settings
from handler.text_body import TEXT_BODY, TextBodySlot
from tests.support.events import API_EVENTS, load, retrieve_event, with_header, with_method
from tests.support.factories import make_model
from tests.support.http import DEV_KEY, LambdaContext

CONTEXT = LambdaContext()


def bundled_app() -> FastAPI:
    return create_app(build_api(Settings(dev_api_key=DEV_KEY)))


def large_app(models: int = 2_000) -> FastAPI:
    """An app serving a catalog whose list is hundreds of KB (gzip well worth it)."""
    snapshot = CatalogSnapshot.build(
        1, [make_model(f"model-{n:05d}") for n in range(models)], now=time.time()
    )
    cache = CatalogCache(None, bundled_snapshot=lambda: snapshot, ttl=3600)
    return create_app(Services(cache, KeyVerifier(None, dev_key=DEV_KEY)))


def authorised(event: dict[str, Any]) -> dict[str, Any]:
    return with_header(event, "authorization", f"Bearer {DEV_KEY}")


def variants() -> list[tuple[str, dict[str, Any]]]:
    """Every sample API event, with and without gzip, as GET and HEAD, authorised by the dev key
    (the unauthorized sample keeps its missing key)."""
    cases = []
    for name in API_EVENTS:
        event = load(name) if name == "unauthorized.json" else authorised(load(name))
        for encoding in ("identity", "gzip"):
            for method in ("GET", "HEAD"):
                case = with_method(with_header(event, "accept-encoding", encoding), method)
                cases.append((f"{name}-{encoding}-{method}", case))
    return cases


VARIANTS = variants()


@pytest.mark.parametrize("app_of", [bundled_app, large_app], ids=["bundled", "2000-models"])
def test_every_answer_is_the_one_mangum_builds_from_the_bytes(app_of: Any) -> None:
    app = app_of()
    ours, plain = build_lambda_handler(app), Mangum(app, lifespan="off")
    for name, event in VARIANTS:
        expected = plain(copy.deepcopy(event), CONTEXT)  # type: ignore[arg-type]
        assert ours(copy.deepcopy(event), CONTEXT) == expected, name


def test_a_gzip_answer_stays_base64_and_a_plain_one_text() -> None:
    handler = build_lambda_handler(large_app())
    event = authorised(load("list-models.json"))
    plain = handler(event, CONTEXT)
    zipped = handler(with_header(event, "accept-encoding", "gzip"), CONTEXT)
    assert plain["isBase64Encoded"] is False
    assert zipped["isBase64Encoded"] is True
    assert gzip.decompress(base64.b64decode(zipped["body"])) == plain["body"].encode()
    assert len(json.loads(plain["body"])["data"]) == 2_000


@pytest.mark.parametrize("encoding", ["identity", "gzip"])
def test_a_prebuilt_body_is_answered_without_a_copy_per_request(encoding: str) -> None:
    """The same text object on every request: not copied, decoded or base64-encoded again."""
    handler = build_lambda_handler(large_app())
    event = with_header(authorised(load("list-models.json")), "accept-encoding", encoding)
    first, second = handler(copy.deepcopy(event), CONTEXT), handler(copy.deepcopy(event), CONTEXT)
    assert first["body"] == second["body"]
    assert first["body"] is second["body"]


def test_a_retrieve_and_a_head_through_lambda() -> None:
    handler = build_lambda_handler(bundled_app())
    event = authorised(retrieve_event("retrieve-model.json", "/v1/models/gpt-4o"))
    got = handler(copy.deepcopy(event), CONTEXT)
    assert got["statusCode"] == 200
    assert json.loads(got["body"])["id"] == "gpt-4o"
    head = handler(with_method(event, "HEAD"), CONTEXT)
    assert head["statusCode"] == 200
    assert head["body"] == ""
    assert head["headers"]["content-length"] == str(len(got["body"].encode()))


def test_a_server_without_the_extension_gets_the_bytes() -> None:
    """uvicorn (and Starlette's TestClient) offer no text-body slot: the body is sent as is."""
    headers = {"Authorization": f"Bearer {DEV_KEY}", "Accept-Encoding": "identity"}
    with TestClient(large_app(), headers=headers) as client:
        response = client.get("/v1/models")
    assert response.status_code == 200
    assert len(response.json()["data"]) == 2_000
    assert response.headers["content-length"] == str(len(response.content))


class LateFailure:
    """An ASGI app that leaves a text in the slot, then fails into a body of bytes anyway."""

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        slot = scope["extensions"][TEXT_BODY]
        assert isinstance(slot, TextBodySlot)
        slot.text = "left behind"
        await send({"type": "http.response.start", "status": 500, "headers": []})
        await send({"type": "http.response.body", "body": b"Internal Server Error"})


def test_a_failure_after_the_text_was_left_is_answered_as_mangum_built_it() -> None:
    app = bundled_app()
    app.router.routes.insert(0, Route("/v1/models", LateFailure()))
    response = build_lambda_handler(app)(authorised(load("list-models.json")), CONTEXT)
    assert response["statusCode"] == 500
    assert response["body"] == "Internal Server Error"

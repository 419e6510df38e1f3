"""The official OpenAI SDK against the app served on loopback by a real HTTP server."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

import openai
import pytest
import uvicorn

from handler import deps
from handler.api import app
from tests.factories import model_doc, publish

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


@pytest.fixture
def base_url() -> Iterator[str]:
    """Serve the app on 127.0.0.1 (a free port) in a thread; stop it after the test."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.01)
    yield f"http://127.0.0.1:{port}/v1"
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()
    assert not thread.is_alive()


def sdk(base_url: str, key: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=base_url, api_key=key, max_retries=0, timeout=10)


def test_models_list_and_retrieve(base_url: str, dev_key: str) -> None:
    client = sdk(base_url, dev_key)
    models = list(client.models.list())
    assert [m.id for m in models][:3] == ["gpt-4o", "gpt-4o-mini", "gpt-4-turbo"]
    assert len(models) == 8
    assert all(m.object == "model" and m.created > 0 for m in models)
    gemini = client.models.retrieve("gemini-1.5-pro")
    assert gemini.owned_by == "google"
    assert gemini.model_extra is not None
    assert gemini.model_extra["context_length"] == 1_000_000
    assert gemini.model_extra["capabilities"] == {"vision": True, "function_calling": True}


def test_sdk_errors_are_typed(base_url: str, dev_key: str) -> None:
    with pytest.raises(openai.AuthenticationError) as auth_error:
        list(sdk(base_url, "ar-not-a-real-key").models.list())
    assert auth_error.value.code == "invalid_api_key"
    with pytest.raises(openai.NotFoundError) as not_found:
        sdk(base_url, dev_key).models.retrieve("no-such-model")
    assert not_found.value.code == "model_not_found"
    assert not_found.value.body["param"] == "model"  # type: ignore[index]


def test_retrieve_an_id_with_a_slash(
    base_url: str,
    dev_key: str,
    dynamodb: DynamoDBClient,
    models_table: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    publish(
        dynamodb, models_table, [model_doc("meta-llama/llama-3.1-70b-instruct", owned_by="meta")]
    )
    monkeypatch.setenv("MODELS_TABLE", models_table)
    deps.reset()
    model = sdk(base_url, dev_key).models.retrieve("meta-llama/llama-3.1-70b-instruct")
    assert (model.id, model.owned_by) == ("meta-llama/llama-3.1-70b-instruct", "meta")

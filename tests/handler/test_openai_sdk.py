"""The official OpenAI SDK against the app served on loopback by a real HTTP server (uvicorn)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import httpx
import openai
import pytest

from tests.support.factories import ids_listed_by_default, model_doc
from tests.support.http import DEV_KEY
from tests.support.server import served
from tests.support.services import make_services, memory_catalog

SLASH_ID = "meta-llama/llama-3.1-70b-instruct"


@pytest.fixture
def base_url() -> Iterator[str]:
    """The API on the bundled catalog, accepting the dev key."""
    with served(make_services()) as url:
        yield url


@pytest.fixture
def slash_id_url() -> Iterator[str]:
    """The API on a published catalog holding an id with a `/`."""
    catalog = memory_catalog([model_doc("gpt-4o"), model_doc(SLASH_ID, owned_by="meta")])
    with served(make_services(catalog)) as url:
        yield url


def sdk(base_url: str, key: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=base_url, api_key=key, max_retries=0, timeout=10)


def test_models_list_and_retrieve(base_url: str) -> None:
    with sdk(base_url, DEV_KEY) as client:
        models = list(client.models.list())
        gemini = client.models.retrieve("gemini-1.5-pro")
    assert [m.id for m in models] == ids_listed_by_default()
    assert all(m.object == "model" and m.created > 0 for m in models)
    assert gemini.owned_by == "google"
    assert gemini.model_extra is not None
    assert gemini.model_extra["context_length"] == 1_000_000
    assert gemini.model_extra["capabilities"]["vision"] is True
    assert gemini.model_extra["capabilities"]["function_calling"] is True


@pytest.fixture
def v2_url() -> Iterator[str]:
    """The API on the bundled catalog, served as on 2026-11-27 (an injected wall clock)."""
    with served(make_services(wall_clock=lambda: 1795737600.0)) as url:
        yield url


def test_the_sdk_sees_the_v2_fields_in_model_extra(v2_url: str) -> None:
    with sdk(v2_url, DEV_KEY) as client:
        models = list(client.models.list())
        gpt_4o = client.models.retrieve("gpt-4o")
        raw = client.models.with_raw_response.retrieve("gemini-1.5-pro")
    assert [m.id for m in models] == ids_listed_by_default(on=date(2026, 11, 27))
    assert all(
        m.model_extra["lifecycle"]["status"] == "deprecated"
        for m in models
        if m.model_extra and "lifecycle" in m.model_extra
    )
    extra = gpt_4o.model_extra
    assert extra is not None
    assert (gpt_4o.id, gpt_4o.owned_by, gpt_4o.created) == ("gpt-4o", "openai", 1715558400)
    # OpenAI's own field, typed by its SDK: the date the model shuts down; unset when unknown.
    assert gpt_4o.shutdown_date == "2027-01-14"
    assert {m.id: m.shutdown_date for m in models}["gpt-6.2-astra"] is None
    assert extra["display_name"] == "GPT-4o"
    assert extra["max_output_tokens"] == 16384
    assert extra["modalities"] == {"input": ["text", "image"], "output": ["text"]}
    assert extra["capabilities"] == {
        "vision": True,
        "function_calling": True,
        "structured_outputs": True,
        "reasoning": False,
        "prompt_caching": True,
    }
    assert extra["pricing"] == {
        "input_per_mtok": 2.5,
        "output_per_mtok": 10,
        "cached_input_per_mtok": 1.25,
    }
    assert extra["knowledge_cutoff"] == "2023-10"
    assert extra["lifecycle"] == {
        "status": "deprecated",
        "deprecated_at": "2026-10-14",
        "shutdown_at": "2027-01-14",
        "successor": "gpt-6-luna",
    }
    assert raw.headers["sunset"] == "Wed, 24 Sep 2025 00:00:00 GMT"
    assert raw.headers["link"] == '</v1/models/gemini-2.5-pro>; rel="successor-version"'
    assert raw.parse().model_extra["lifecycle"]["status"] == "retired"  # type: ignore[index]


def test_sdk_errors_are_typed(base_url: str) -> None:
    with (
        sdk(base_url, "ar-not-a-real-key") as client,
        pytest.raises(openai.AuthenticationError) as auth_error,
    ):
        list(client.models.list())
    assert auth_error.value.code == "invalid_api_key"
    with sdk(base_url, DEV_KEY) as client, pytest.raises(openai.NotFoundError) as not_found:
        client.models.retrieve("no-such-model")
    assert not_found.value.code == "model_not_found"
    assert not_found.value.body["param"] == "model"  # type: ignore[index]


def test_retrieve_an_id_with_a_slash(slash_id_url: str) -> None:
    with sdk(slash_id_url, DEV_KEY) as client:
        model = client.models.retrieve(SLASH_ID)
    assert (model.id, model.owned_by) == (SLASH_ID, "meta")


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/models/meta-llama%2Fllama-3.1-70b-instruct", 200),
        ("/models/meta-llama%252Fllama-3.1-70b-instruct", 404),  # decoded once: a literal %2F
    ],
)
def test_the_server_percent_decodes_the_path_once(
    slash_id_url: str, path: str, status: int
) -> None:
    response = httpx.get(
        slash_id_url + path, headers={"Authorization": f"Bearer {DEV_KEY}"}, timeout=10
    )
    assert response.status_code == status, response.text
    if status == 200:
        assert response.json()["id"] == SLASH_ID
    else:
        assert response.json()["error"]["code"] == "model_not_found"

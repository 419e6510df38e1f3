"""The official Anthropic SDK against the app served on loopback by a real HTTP server (uvicorn).

The SDK parses leniently (a missing field is None, not an error), so the raw JSON is also
checked against `anthropic.types.ModelInfo`, every key present.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import anthropic
import httpx2
import pytest
from anthropic.types import ModelInfo

from catalog.bundled import bundled_models
from catalog.lifecycle import status_at
from tests.support.factories import model_doc
from tests.support.http import DEV_KEY
from tests.support.server import served
from tests.support.services import make_services, memory_catalog

NOV_27_2026 = 1795737600.0  # 2026-11-27 00:00 UTC: the clock of the served catalog

# Seven active models, released a month apart, listed in the catalog out of release order.
ACTIVE = [
    model_doc("gpt-5", created=1755000000),
    model_doc(
        "claude-opus-4-8",
        created=1780000000,
        owned_by="anthropic",
        display_name="Claude Opus 4.8",
        line="opus",
        aliases=["claude-opus-latest"],
        max_output_tokens=64000,
        context_length=200000,
    ),
    model_doc("gemini-3-pro", created=1765000000, owned_by="google"),
    model_doc("claude-sonnet-4-6", created=1775000000, owned_by="anthropic", line="sonnet"),
    model_doc("mistral-large", created=1750000000, owned_by="mistral"),
    model_doc("claude-haiku-4-5-20251001", created=1760000000, owned_by="anthropic"),
    model_doc("gpt-6-luna", created=1770000000),
]
DEPRECATED = model_doc(
    "gpt-4o",
    created=1715558400,
    lifecycle={
        "deprecated_at": "2026-10-14",
        "shutdown_at": "2027-01-14",
        "successor": "gpt-6-luna",
    },
)
RETIRED = model_doc(
    "claude-2.1",
    created=1700000000,
    owned_by="anthropic",
    lifecycle={"deprecated_at": "2024-07-21", "shutdown_at": "2025-07-21"},
)
CATALOG = [*ACTIVE, DEPRECATED, RETIRED]
# What a list without `lifecycle` answers: active and deprecated, newest first.
LISTED = [
    "claude-opus-4-8",
    "claude-sonnet-4-6",
    "gpt-6-luna",
    "gemini-3-pro",
    "claude-haiku-4-5-20251001",
    "gpt-5",
    "mistral-large",
    "gpt-4o",
]
MODEL_INFO_KEYS = set(ModelInfo.model_fields)
PAGE_KEYS = {"data", "has_more", "first_id", "last_id"}


@pytest.fixture(autouse=True)
def no_anthropic_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The SDK reads credentials, a base URL and headers from the environment: not here."""
    for name in (
        "ANTHROPIC_API_KEY",
        "ANTHROPIC_AUTH_TOKEN",
        "ANTHROPIC_BASE_URL",
        "ANTHROPIC_CUSTOM_HEADERS",
        "ANTHROPIC_PROFILE",
        "ANTHROPIC_CONFIG_DIR",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def root() -> Iterator[str]:
    """The server root (the SDK adds /v1) of the API on CATALOG, served on 2026-11-27."""
    services = make_services(memory_catalog(CATALOG), wall_clock=lambda: NOV_27_2026)
    with served(services, path="") as url:
        yield url


class Recorder:
    """The requests an SDK client sends, seen by an httpx2 event hook."""

    def __init__(self) -> None:
        self.requests: list[httpx2.Request] = []

    def __call__(self, request: httpx2.Request) -> None:
        self.requests.append(request)

    def client(self) -> httpx2.Client:
        return anthropic.DefaultHttpxClient(event_hooks={"request": [self]})


def sdk(
    root: str, recorder: Recorder | None = None, *, auth: str = "api_key", key: str = DEV_KEY
) -> anthropic.Anthropic:
    """The SDK on `root`, given `key` as `api_key=`, as `auth_token=` or as an `x-api-key`
    header of its own (`auth`), its requests recorded by `recorder`."""
    return anthropic.Anthropic(
        base_url=root,
        api_key=key if auth == "api_key" else None,
        auth_token=key if auth == "auth_token" else None,
        default_headers={"X-Api-Key": key} if auth == "x-api-key" else None,
        max_retries=0,
        timeout=10,
        http_client=None if recorder is None else recorder.client(),
    )


def assert_model_infos(page: dict[str, Any]) -> list[str]:
    """Every item of a raw page is a ModelInfo with every key; returns their ids."""
    assert set(page) == PAGE_KEYS
    for item in page["data"]:
        assert set(item) == MODEL_INFO_KEYS, item["id"]
        ModelInfo.model_validate(item)
    return [item["id"] for item in page["data"]]


@pytest.mark.parametrize(("limit", "pages"), [(2, 4), (3, 3), (1000, 1)])
def test_auto_paging_lists_every_model_once_newest_first(root: str, limit: int, pages: int) -> None:
    recorder = Recorder()
    with sdk(root, recorder) as client:
        models = list(client.models.list(limit=limit))
    assert [model.id for model in models] == LISTED
    assert all(isinstance(model, ModelInfo) for model in models)
    assert len(recorder.requests) == pages
    first, *rest = recorder.requests
    assert "after_id" not in first.url.params
    # Each further page asks for the models after the last one of the page before.
    cursors = [request.url.params["after_id"] for request in rest]
    assert cursors == [LISTED[limit * n - 1] for n in range(1, pages)]
    assert all(request.url.params["limit"] == str(limit) for request in recorder.requests)
    assert all(request.headers["anthropic-version"] for request in recorder.requests)


def test_paging_backwards_with_before_id(root: str) -> None:
    recorder = Recorder()
    with sdk(root, recorder) as client:
        first = client.models.list(limit=3, before_id="gpt-4o")
        models = list(first)
    # The three just before gpt-4o, then the three before those, then what is left.
    assert (first.first_id, first.last_id, first.has_more) == (LISTED[4], LISTED[6], True)
    assert [model.id for model in models] == [*LISTED[4:7], *LISTED[1:4], LISTED[0]]
    assert [request.url.params["before_id"] for request in recorder.requests] == [
        "gpt-4o",
        "claude-haiku-4-5-20251001",
        "claude-sonnet-4-6",
    ]


def test_the_raw_pages_are_model_infos_with_every_key(root: str) -> None:
    with sdk(root) as client:
        raw = client.models.with_raw_response.list(limit=5)
        every = client.models.with_raw_response.list(
            limit=1000, lifecycle=["active", "deprecated", "retired"]
        )
    page = raw.http_response.json()
    assert assert_model_infos(page) == LISTED[:5]
    assert (page["has_more"], page["first_id"], page["last_id"]) == (True, LISTED[0], LISTED[4])
    assert raw.headers["request-id"] == raw.headers["x-request-id"]
    assert assert_model_infos(every.http_response.json()) == [*LISTED, "claude-2.1"]


def test_retired_models_only_when_asked(root: str) -> None:
    recorder = Recorder()
    with sdk(root, recorder) as client:
        retired = list(client.models.list(lifecycle=["retired"]))
        deprecated = list(client.models.list(lifecycle=["deprecated"]))
    assert [(model.id, model.lifecycle) for model in retired] == [("claude-2.1", "retired")]
    assert [(model.id, model.lifecycle) for model in deprecated] == [("gpt-4o", "deprecated")]
    # The SDK sends a list parameter with brackets.
    assert recorder.requests[0].url.params.get_list("lifecycle[]") == ["retired"]


def test_retrieve_by_id_and_by_alias(root: str) -> None:
    with sdk(root) as client:
        by_id = client.models.retrieve("claude-opus-4-8")
        by_alias = client.models.retrieve("claude-opus-latest")
        retired = client.models.retrieve("claude-2.1")
    assert by_alias == by_id
    assert by_id.id == "claude-opus-4-8"
    assert by_id.display_name == "Claude Opus 4.8"
    assert by_id.line == "opus"
    assert (by_id.max_input_tokens, by_id.max_tokens) == (200000, 64000)
    assert by_id.created_at.isoformat() == "2026-05-28T20:26:40+00:00"
    assert (by_id.lifecycle, by_id.deprecated_at, by_id.retires_at) == ("active", None, None)
    assert by_id.capabilities is not None
    assert by_id.capabilities.image_input.supported is True
    assert retired.lifecycle == "retired"
    assert retired.retires_at is not None
    assert retired.retires_at.isoformat() == "2025-07-21T00:00:00+00:00"


def test_an_unknown_model_is_a_not_found_error_in_anthropics_shape(root: str) -> None:
    with sdk(root) as client, pytest.raises(anthropic.NotFoundError) as caught:
        client.models.retrieve("no-such-model")
    error = caught.value
    assert error.status_code == 404
    assert error.type == "not_found_error"
    assert error.request_id
    assert error.body == {
        "type": "error",
        "error": {"type": "not_found_error", "message": error.api_message},
        "request_id": error.request_id,
    }
    assert "no-such-model" in str(error.api_message)


@pytest.mark.parametrize("auth", ["api_key", "auth_token", "x-api-key"])
def test_a_wrong_key_is_an_authentication_error(root: str, auth: str) -> None:
    recorder = Recorder()
    with (
        sdk(root, recorder, auth=auth, key="ar-not-a-real-key") as client,
        pytest.raises(anthropic.AuthenticationError) as caught,
    ):
        client.models.list()
    # SDK 2.14.0 sends either credential as a Bearer token; an x-api-key header as given.
    sent = recorder.requests[0].headers
    if auth == "x-api-key":
        assert (sent["x-api-key"], sent.get("authorization")) == ("ar-not-a-real-key", None)
    else:
        assert sent["authorization"] == "Bearer ar-not-a-real-key"
    error = caught.value
    assert (error.status_code, error.type) == (401, "authentication_error")
    assert error.body["request_id"] == error.request_id  # type: ignore[index]


@pytest.mark.parametrize("auth", ["api_key", "auth_token", "x-api-key"])
def test_the_key_is_accepted_as_api_key_auth_token_or_x_api_key(root: str, auth: str) -> None:
    with sdk(root, auth=auth) as client:
        model = client.models.retrieve("gpt-5")
        names = [model.id for model in client.models.list(limit=3)]
    assert model.id == "gpt-5"
    assert names == LISTED


def test_the_async_client(root: str) -> None:
    async def calls() -> tuple[list[str], ModelInfo]:
        async with anthropic.AsyncAnthropic(
            base_url=root, api_key=DEV_KEY, max_retries=0, timeout=10
        ) as client:
            ids = [model.id async for model in client.models.list(limit=3)]
            return ids, await client.models.retrieve("claude-opus-latest")

    # A loop of its own, never made the thread's current one: asyncio.run() would leave the
    # thread with no current loop, and Mangum (later tests) asks for one.
    loop = asyncio.new_event_loop()
    try:
        ids, model = loop.run_until_complete(calls())
    finally:
        loop.close()
    assert ids == LISTED
    assert model.id == "claude-opus-4-8"


# -- the bundled catalog ---------------------------------------------------------------------

JUNE_1_2024 = 1717200000.0  # every bundled model active


@pytest.mark.parametrize("when", [JUNE_1_2024, time.time()], ids=["2024-06-01", "today"])
def test_the_bundled_catalog_lists_active_and_deprecated_models(when: float) -> None:
    """What a default list answers is computed from the bundled catalog at that date: most
    bundled models retire during 2026, and the list must follow."""
    newest_first = sorted(bundled_models(), key=lambda model: -model.created)
    statuses = {model.id: status_at(model, when) for model in newest_first}
    expected = [m.id for m in newest_first if statuses[m.id] in ("active", "deprecated")]
    retired = [m.id for m in newest_first if statuses[m.id] == "retired"]
    with (
        served(make_services(wall_clock=lambda: when), path="") as url,
        sdk(url) as client,
    ):
        listed = list(client.models.list(limit=3))
        listed_retired = list(client.models.list(lifecycle=["retired"]))
        raw = client.models.with_raw_response.list(limit=1000, lifecycle=["retired", "active"])
    assert [model.id for model in listed] == expected
    assert [model.id for model in listed_retired] == retired
    assert all(model.lifecycle == statuses[model.id] for model in [*listed, *listed_retired])
    page = raw.http_response.json()
    assert assert_model_infos(page) == [
        m.id for m in newest_first if statuses[m.id] in ("active", "retired")
    ]


def test_the_default_list_holds_the_current_claude_models_with_their_limits() -> None:
    """What the anthropic SDK sees today of the bundled catalog: the current Claude models,
    1,000,000 input and 128,000 output tokens each (Haiku 4.5: 200,000 and 64,000), their
    lines, and no retired seed model."""
    with served(make_services(), path="") as url, sdk(url) as client:
        claude = {
            model.id: model
            for model in client.models.list(limit=1000)
            if model.id.startswith("claude")
        }
    assert list(claude) == [
        "claude-fable-5-2",
        "claude-haiku-5-5",
        "claude-sonnet-5-5",
        "claude-opus-5-5",
        "claude-haiku-4-5-20251001",
    ]  # newest first
    for model_id in (
        "claude-fable-5-2",
        "claude-haiku-5-5",
        "claude-sonnet-5-5",
        "claude-opus-5-5",
    ):
        model = claude[model_id]
        assert (model.max_input_tokens, model.max_tokens) == (1_000_000, 128_000)
        assert model.lifecycle == "active"
        capabilities = model.capabilities
        assert capabilities is not None
        assert capabilities.image_input.supported
        assert capabilities.pdf_input.supported
        assert capabilities.thinking.supported
    haiku = claude["claude-haiku-4-5-20251001"]
    assert (haiku.max_input_tokens, haiku.max_tokens, haiku.line) == (200_000, 64_000, "haiku")
    opus, fable = claude["claude-opus-5-5"].capabilities, claude["claude-fable-5-2"].capabilities
    assert opus is not None
    assert fable is not None
    assert opus.structured_outputs.supported
    assert not fable.structured_outputs.supported  # unknown: unsupported, as Anthropic types it

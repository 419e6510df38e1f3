"""audit/providers/openai.py: one GET of `{base}/models` with a Bearer key, no paging; each
model's `shutdown_date` (a date or null) is its only lifecycle value; errors as OpenAI words
them."""

from __future__ import annotations

import pytest

from audit.errors import ProviderFailed
from audit.providers.base import UpstreamModel
from audit.providers.openai import OpenAIProvider
from tests.support.audit import KEYS, Auditor, listed_by, only_failed
from tests.support.fake_providers import FakeOpenAI, Fault, openai_model


def test_the_list_is_one_get_with_a_bearer_key_mapped_to_our_fields() -> None:
    fake = FakeOpenAI(
        [openai_model("gpt-5", shutdown_date="2027-01-14"), openai_model("gpt-4o")],
        key=KEYS["openai"],
        page_size=1,  # OpenAI does not page: one request lists everything
    )
    listed, fetcher = listed_by(OpenAIProvider, fake)
    assert listed == [UpstreamModel("gpt-5", shutdown_at="2027-01-14"), UpstreamModel("gpt-4o")]
    assert fetcher.requests == 1
    (request,) = fake.requests
    assert (request.path, request.query) == ("/v1/models", {})
    assert request.headers["authorization"] == f"Bearer {KEYS['openai']}"


def test_no_limits_and_no_status_are_ever_read_from_it() -> None:
    fake = FakeOpenAI([openai_model("gpt-5")], key=KEYS["openai"])
    fake.models[0].update(context_length=1, max_output_tokens=1, status="retired")
    listed, _ = listed_by(OpenAIProvider, fake)
    assert listed == [UpstreamModel("gpt-5")]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b'{"object": "list", "data": "none"}', "malformed body: list.data"),
        (b'{"data": []}', 'malformed body: not {"object": "list", "data": [...]}'),
        (b'{"object": "list", "data": [{"id": 5}]}', "malformed body: data[0].id"),
        (
            b'{"object": "list", "data": [{"id": "gpt-5", "shutdown_date": "14/01/2027"}]}',
            "malformed body: data[0].shutdown_date is not a date",
        ),
    ],
)
def test_a_malformed_list_fails_the_provider(auditor: Auditor, body: bytes, expected: str) -> None:
    auditor.fake("openai").fail(Fault(body=body))
    assert only_failed(auditor(), "openai").startswith(expected)


def test_a_wrong_key_fails_the_provider_and_never_shows_the_key(auditor: Auditor) -> None:
    sent = "wrong-openai-key-c0ffee"
    auditor.keys["openai"] = sent
    reason = only_failed(auditor(), "openai")
    assert reason == "HTTP 401: invalid_api_key: Incorrect API key provided: [redacted]."
    assert sent not in reason


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            {"error": {"message": "Slow down", "type": "requests", "code": "rate_limit_exceeded"}},
            "HTTP 429: rate_limit_exceeded: Slow down",
        ),
        (
            {"error": {"message": "Boom", "type": "server_error", "code": None}},
            "HTTP 429: server_error: Boom",
        ),
        ({"error": "nope"}, "HTTP 429"),
        (None, "HTTP 429"),
    ],
)
def test_an_error_body_is_described_by_its_code_or_type_then_its_message(
    body: object, expected: str
) -> None:
    assert OpenAIProvider().describe_error(429, body) == expected


def test_the_base_url_ends_in_v1_and_the_candidates_are_gpt_and_o_models() -> None:
    provider = OpenAIProvider()
    assert provider.base_url == "https://api.openai.com/v1"
    candidates = ["gpt-7", "o5", "o4-mini", "omni-moderation", "dall-e-3", "text-embedding-3"]
    assert [m for m in candidates if provider.is_candidate(UpstreamModel(m))] == [
        "gpt-7",
        "o5",
        "o4-mini",
    ]


def test_a_provider_failure_is_a_reason_not_an_exception_of_httpx() -> None:
    fake = FakeOpenAI([], key=KEYS["openai"]).fail(Fault(status=403))
    with pytest.raises(ProviderFailed) as caught:
        listed_by(OpenAIProvider, fake)
    assert caught.value.reason.startswith("HTTP 403")

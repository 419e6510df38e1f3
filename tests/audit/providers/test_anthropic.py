"""audit/providers/anthropic.py: `{base}/v1/models` with `x-api-key` and `anthropic-version`,
every lifecycle asked for, paged by `after_id` while `has_more`; each model's lifecycle and
limits mapped to our fields; errors as Anthropic words them."""

from __future__ import annotations

import pytest

from audit.providers.anthropic import API_VERSION, PAGE_SIZE, AnthropicProvider
from audit.providers.base import UpstreamModel
from tests.support.audit import KEYS, Auditor, listed_by, only_failed
from tests.support.fake_providers import FakeAnthropic, Fault, anthropic_model


def test_anthropic_is_asked_for_every_lifecycle_and_paged_to_the_end(auditor: Auditor) -> None:
    anthropic = auditor.fake("anthropic")
    anthropic.models = [anthropic_model(f"claude-extra-{i}") for i in range(5)] + anthropic.models
    anthropic.page_size = 2
    report = auditor()
    assert report.providers[1].upstream_models == 7
    assert report.providers[1].requests == 4  # 7 models, 2 a page
    first, second = anthropic.requests[0], anthropic.requests[1]
    assert first.query["lifecycle"] == ["active", "deprecated", "retired"]
    assert "after_id" not in first.query
    assert second.query["after_id"] == ["claude-extra-1"]
    # The retired haiku is listed only because `retired` was asked for: it is found, no drift.
    assert [e.model for e in report.drift] == [f"claude-extra-{i}" for i in range(5)]


def test_each_model_is_mapped_to_our_lifecycle_and_limits() -> None:
    fake = FakeAnthropic(
        [
            anthropic_model(
                "claude-old",
                lifecycle="deprecated",
                deprecated_at="2026-10-01T00:00:00Z",
                # RFC 3339 with an offset: the UTC date is the next day.
                retires_at="2027-01-14T20:00:00-05:00",
                max_input_tokens=200000,
                max_tokens=8192,
            ),
            anthropic_model("claude-new", max_input_tokens=None, max_tokens=None),
        ],
        key=KEYS["anthropic"],
    )
    listed, _ = listed_by(AnthropicProvider, fake)
    assert listed == [
        UpstreamModel(
            "claude-old",
            status="deprecated",
            deprecated_at="2026-10-01",
            shutdown_at="2027-01-15",
            context_length=200000,
            max_output_tokens=8192,
        ),
        UpstreamModel("claude-new", status="active"),
    ]
    (request,) = fake.requests
    assert request.path == "/v1/models"
    assert request.headers["x-api-key"] == KEYS["anthropic"]
    assert request.headers["anthropic-version"] == API_VERSION == "2023-06-01"
    assert request.query["limit"] == [str(PAGE_SIZE)]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b'{"data": [{"id": 7}], "has_more": false}', "malformed body: data[0].id"),
        (b'{"data": [], "has_more": "no"}', "malformed body: page.has_more"),
        (
            b'{"data": [{"id": "claude-x", "lifecycle": "sunset"}], "has_more": false}',
            "malformed body: data[0].lifecycle is not one of active, deprecated, retired",
        ),
        (
            b'{"data": [{"id": "claude-x", "max_tokens": 0}], "has_more": false}',
            "malformed body: data[0].max_tokens is 0, not a token count",
        ),
        (
            b'{"data": [{"id": "claude-x", "max_input_tokens": true}], "has_more": false}',
            "malformed body: data[0].max_input_tokens is not of the documented type",
        ),
    ],
)
def test_a_malformed_page_fails_the_provider(auditor: Auditor, body: bytes, expected: str) -> None:
    auditor.fake("anthropic").fail(Fault(body=body))
    assert only_failed(auditor(), "anthropic").startswith(expected)


def test_a_repeated_cursor_is_a_paging_loop(auditor: Auditor) -> None:
    fake = auditor.fake("anthropic")
    fake.endless = "repeat"
    fake.page_size = 1
    assert only_failed(auditor(), "anthropic").startswith("paging loop")


def test_an_anthropic_page_with_more_but_no_cursor_is_a_loop(auditor: Auditor) -> None:
    auditor.fake("anthropic").fail(Fault(body=b'{"data": [], "has_more": true, "last_id": null}'))
    assert only_failed(auditor(), "anthropic") == "paging loop: has_more without a last_id"


def test_a_wrong_key_fails_the_provider_and_never_shows_the_key(auditor: Auditor) -> None:
    sent = "wrong-anthropic-key-c0ffee"
    auditor.keys["anthropic"] = sent
    reason = only_failed(auditor(), "anthropic")
    assert reason == "HTTP 401: authentication_error: invalid x-api-key (request req_fake)"
    assert sent not in reason


def test_an_error_body_is_described_by_its_type_message_and_request() -> None:
    provider = AnthropicProvider()
    body = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
    assert provider.describe_error(529, body) == "HTTP 529: overloaded_error: Overloaded"
    with_id = {**body, "request_id": "req_011"}
    assert provider.describe_error(529, with_id) == (
        "HTTP 529: overloaded_error: Overloaded (request req_011)"
    )
    assert provider.describe_error(502, None) == "HTTP 502"

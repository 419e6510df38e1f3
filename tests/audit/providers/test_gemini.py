"""audit/providers/gemini.py: `{base}/v1beta/models` with the key in `x-goog-api-key`, paged by
`pageToken` until no `nextPageToken`; names lose `models/`; token limits, and whether a model
generates at all; errors as Google words them (a wrong key is 400 API_KEY_INVALID)."""

from __future__ import annotations

import pytest

from audit.providers.base import UpstreamModel
from audit.providers.gemini import PAGE_SIZE, GeminiProvider
from tests.support.audit import KEYS, Auditor, listed_by, only_failed
from tests.support.fake_providers import FakeGemini, Fault, gemini_model


def test_gemini_is_paged_by_token_and_its_names_lose_the_models_prefix(auditor: Auditor) -> None:
    gemini = auditor.fake("gemini")
    gemini.page_size = 1
    report = auditor()
    assert report.providers[2].status == "ok"
    assert [r.query.get("pageToken") for r in gemini.requests] == [None, ["1"], ["2"]]
    assert all(r.headers["x-goog-api-key"] == auditor.keys["gemini"] for r in gemini.requests)
    assert all("key" not in r.query for r in gemini.requests)  # never in the URL
    assert report.drift == []


def test_each_model_is_mapped_to_our_limits_and_whether_it_generates() -> None:
    fake = FakeGemini(
        [
            gemini_model("gemini-2.5-flash", input_tokens=1048576, output_tokens=65536),
            gemini_model(
                "text-embedding-004",
                input_tokens=2048,
                output_tokens=1,
                methods=["embedContent"],
            ),
        ],
        key=KEYS["gemini"],
    )
    listed, _ = listed_by(GeminiProvider, fake)
    assert listed == [
        UpstreamModel("gemini-2.5-flash", context_length=1048576, max_output_tokens=65536),
        UpstreamModel(
            "text-embedding-004", context_length=2048, max_output_tokens=1, generates=False
        ),
    ]
    (request,) = fake.requests
    assert request.path == "/v1beta/models"
    assert request.query["pageSize"] == [str(PAGE_SIZE)]


def test_an_empty_list_sent_as_an_empty_object_is_no_models(auditor: Auditor) -> None:
    auditor.fake("gemini").fail(Fault(body=b"{}"))
    report = auditor()
    assert (report.providers[2].status, report.providers[2].upstream_models) == ("ok", 0)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b'{"models": {"name": "models/x"}}', 'malformed body: not {"models"'),
        (
            b'{"models": [{"name": "models/x", "inputTokenLimit": "big"}]}',
            "malformed body: models[0].inputTokenLimit",
        ),
        (b'{"models": [{"displayName": "x"}]}', "malformed body: models[0].name"),
        (
            b'{"models": [], "nextPageToken": 2}',
            "malformed body: page.nextPageToken is not of the documented type",
        ),
    ],
)
def test_a_malformed_page_fails_the_provider(auditor: Auditor, body: bytes, expected: str) -> None:
    auditor.fake("gemini").fail(Fault(body=body))
    assert only_failed(auditor(), "gemini").startswith(expected)


def test_a_repeated_cursor_is_a_paging_loop(auditor: Auditor) -> None:
    fake = auditor.fake("gemini")
    fake.endless = "repeat"
    fake.page_size = 1
    assert only_failed(auditor(), "gemini").startswith("paging loop")


def test_a_wrong_key_fails_the_provider_and_never_shows_the_key(auditor: Auditor) -> None:
    sent = "wrong-gemini-key-c0ffee"
    auditor.keys["gemini"] = sent
    reason = only_failed(auditor(), "gemini")
    assert reason == "HTTP 400: API_KEY_INVALID: the key was rejected"
    assert sent not in reason


def test_an_error_body_of_another_shape_is_still_a_reason(auditor: Auditor) -> None:
    auditor.fake("gemini").fail(Fault(status=403, body=None))
    auditor.fake("gemini").error_body = lambda status, message: b'{"error": "denied"}'  # type: ignore[method-assign]
    assert only_failed(auditor(), "gemini") == "HTTP 403"


def test_an_error_body_is_described_by_its_reason_or_status_then_its_message() -> None:
    provider = GeminiProvider()
    quota = {"error": {"code": 429, "message": "Quota exceeded", "status": "RESOURCE_EXHAUSTED"}}
    assert provider.describe_error(429, quota) == "HTTP 429: RESOURCE_EXHAUSTED: Quota exceeded"
    detailed = {
        "error": {
            "message": "Denied",
            "status": "PERMISSION_DENIED",
            "details": [{"@type": "x"}, {"reason": "SERVICE_DISABLED"}],
        }
    }
    assert provider.describe_error(403, detailed) == "HTTP 403: SERVICE_DISABLED: Denied"

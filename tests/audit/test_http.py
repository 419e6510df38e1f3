"""Faults never look like drift: a provider that cannot be read is `failed` with the reason,
yields no drift at all (no missing_upstream for its models), and the others are still read."""

from __future__ import annotations

import socket

import pytest

from audit.http import HttpLimits
from audit.report import EXIT_FAILED
from tests.audit.conftest import KEYS, Auditor
from tests.support.fake_providers import Fault, anthropic_model


def only_failed(report: object, name: str) -> str:
    """The failed provider's reason, after checking that it alone failed and has no drift."""
    from audit.report import AuditReport

    assert isinstance(report, AuditReport)
    outcome = next(o for o in report.providers if o.provider == name)
    assert outcome.status == "failed", outcome
    assert outcome.drift == ()
    assert [e for e in report.drift if e.provider == name] == []
    others = [o.status for o in report.providers if o.provider != name]
    assert others == ["ok", "ok"]
    assert report.exit_code() == EXIT_FAILED
    assert outcome.reason
    # The reason is the exception's text: no key in it, whatever the provider sent back.
    assert [key for key in KEYS.values() if key in outcome.reason] == []
    return outcome.reason


@pytest.mark.parametrize(
    ("name", "fault", "expected"),
    [
        ("openai", Fault(status=403), "HTTP 403"),
        ("anthropic", Fault(status=401), "HTTP 401: authentication_error"),
        ("anthropic", Fault(status=403), "HTTP 403: permission_error"),
        ("gemini", Fault(status=403), "HTTP 403: PERMISSION_DENIED"),
        ("anthropic", Fault(status=404), "HTTP 404: not_found_error"),
    ],
)
def test_a_refused_request_fails_the_provider_at_once(
    auditor: Auditor, name: str, fault: Fault, expected: str
) -> None:
    auditor.fake(name).fail(fault)
    reason = only_failed(auditor(), name)
    assert reason.startswith(expected)
    assert len(auditor.fake(name).requests) == 1  # not retried
    assert auditor.pauses == []


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("openai", "HTTP 401: invalid_api_key: Incorrect API key provided: [redacted]."),
        ("anthropic", "HTTP 401: authentication_error: invalid x-api-key (request req_fake)"),
        ("gemini", "HTTP 400: API_KEY_INVALID: the key was rejected"),
    ],
)
def test_a_wrong_key_fails_the_provider_and_never_shows_the_key(
    auditor: Auditor, name: str, expected: str
) -> None:
    sent = f"wrong-{name}-key-c0ffee"
    auditor.keys[name] = sent
    reason = only_failed(auditor(), name)
    assert reason == expected
    assert sent not in reason


@pytest.mark.parametrize("status", [429, 500, 502, 503, 529])
def test_a_transient_status_is_retried_then_read(auditor: Auditor, status: int) -> None:
    auditor.fake("anthropic").fail(Fault(status=status, times=2))
    report = auditor()
    assert [o.status for o in report.providers] == ["ok", "ok", "ok"]
    assert report.providers[1].requests == 3
    assert auditor.pauses == [0.5, 1.0]  # doubling, as the provider said nothing


def test_retry_after_is_honoured(auditor: Auditor) -> None:
    auditor.fake("openai").fail(Fault(status=429, retry_after="7"))
    auditor.fake("gemini").fail(Fault(status=503, retry_after="2.5"))
    report = auditor()
    assert report.drift == []
    assert report.exit_code() == 0
    assert auditor.pauses == [7.0, 2.5]


def test_a_retry_after_beyond_the_budget_fails_without_waiting(auditor: Auditor) -> None:
    auditor.fake("openai").fail(Fault(status=429, retry_after="120"))
    reason = only_failed(auditor(timeout=30), "openai")
    assert reason.startswith("HTTP 429: rate_limit_exceeded: injected fault; retry-after 120 s")
    assert auditor.pauses == []


def test_5xx_after_every_retry_fails_the_provider(auditor: Auditor) -> None:
    auditor.fake("gemini").fail(Fault(status=500, times=99))
    reason = only_failed(auditor(), "gemini")
    assert reason == "HTTP 500: INTERNAL: injected fault, after 5 attempts"
    assert len(auditor.fake("gemini").requests) == 5


def test_a_hang_times_out_within_the_budget(auditor: Auditor) -> None:
    auditor.fake("anthropic").fail(Fault(hang=30))
    reason = only_failed(auditor(timeout=0.5), "anthropic")
    assert reason.startswith("timed out")


@pytest.mark.parametrize(
    ("name", "body", "expected"),
    [
        ("openai", b"<html>502 Bad Gateway</html>", "malformed body: not JSON"),
        ("openai", b'{"object": "list", "data": "none"}', "malformed body: list.data"),
        ("anthropic", b'{"data": [{"id": 7}], "has_more": false}', "malformed body: data[0].id"),
        ("anthropic", b'{"data": [], "has_more": "no"}', "malformed body: page.has_more"),
        ("gemini", b'{"models": {"name": "models/x"}}', 'malformed body: not {"models"'),
        (
            "gemini",
            b'{"models": [{"name": "models/x", "inputTokenLimit": "big"}]}',
            "malformed body: models[0].inputTokenLimit",
        ),
        ("gemini", b"[" * 100000, "malformed body"),
    ],
)
def test_a_malformed_body_fails_the_provider(
    auditor: Auditor, name: str, body: bytes, expected: str
) -> None:
    auditor.fake(name).fail(Fault(body=body))
    assert only_failed(auditor(), name).startswith(expected)


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "streamed"])
def test_an_oversized_body_fails_the_provider_unread(auditor: Auditor, declared: bool) -> None:
    auditor.fake("gemini").fail(Fault(oversized=3 * 2**20, declare_length=declared))
    reason = only_failed(auditor(limits=HttpLimits(max_body_bytes=2**20)), "gemini")
    assert "over the 1,048,576-byte limit" in reason


@pytest.mark.parametrize("name", ["anthropic", "gemini"])
def test_a_repeated_cursor_is_a_paging_loop(auditor: Auditor, name: str) -> None:
    fake = auditor.fake(name)
    fake.endless = "repeat"
    fake.page_size = 1
    assert only_failed(auditor(), name).startswith("paging loop")


@pytest.mark.parametrize("name", ["anthropic", "gemini"])
def test_endless_new_cursors_stop_at_the_page_limit(auditor: Auditor, name: str) -> None:
    fake = auditor.fake(name)
    fake.endless = "new"
    reason = only_failed(auditor(limits=HttpLimits(max_pages=5)), name)
    assert reason == "more than 5 pages: the listing does not end"
    assert len(fake.requests) == 5


def test_a_provider_nobody_answers_for_fails_after_retries(auditor: Auditor) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}"  # bound, never listening
        reason = only_failed(auditor(base_urls={"openai": closed + "/v1"}), "openai")
    assert reason == "connection failed (ConnectError), after 5 attempts"


def test_an_anthropic_page_with_more_but_no_cursor_is_a_loop(auditor: Auditor) -> None:
    auditor.fake("anthropic").fail(Fault(body=b'{"data": [], "has_more": true, "last_id": null}'))
    assert only_failed(auditor(), "anthropic") == "paging loop: has_more without a last_id"


def test_a_failed_provider_reports_no_missing_model_even_if_it_listed_some(
    auditor: Auditor,
) -> None:
    """Page 1 read, page 2 refused: the half-read list is never compared."""
    fake = auditor.fake("anthropic")
    fake.models = [anthropic_model(f"claude-extra-{i}") for i in range(3)]
    fake.page_size = 1
    fake.fail(Fault(), Fault(status=403))  # the first answers normally
    fake.faults[0].status = None
    only_failed(auditor(), "anthropic")


def test_a_bug_in_one_provider_module_never_stops_the_others(
    auditor: Auditor, monkeypatch: pytest.MonkeyPatch
) -> None:
    from audit.providers.gemini import GeminiProvider

    def broken(*_: object) -> list[object]:
        raise KeyError("models")

    monkeypatch.setattr(GeminiProvider, "list_models", broken)
    assert only_failed(auditor(), "gemini") == "internal error reading the list (KeyError)"


def test_an_error_body_of_another_shape_is_still_a_reason(auditor: Auditor) -> None:
    auditor.fake("gemini").fail(Fault(status=403, body=None))
    auditor.fake("gemini").error_body = lambda status, message: b'{"error": "denied"}'  # type: ignore[method-assign]
    assert only_failed(auditor(), "gemini") == "HTTP 403"

"""audit/http.py: GETs within a time budget, bounded bodies, retries that honour Retry-After.

Through the whole audit, faults never look like drift: a provider that cannot be read is
`failed` with the reason, yields no drift at all, and the others are still read. Then the
fetcher on its own, against one fake provider."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from audit.errors import ProviderFailed
from audit.http import HttpLimits, error_text
from tests.support.audit import KEYS, Auditor, fetching, only_failed
from tests.support.fake_providers import FakeOpenAI, Fault, openai_model, serving


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
        ("gemini", b"[" * 100000, "malformed body"),
    ],
)
def test_a_body_that_is_not_json_fails_the_provider(
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


# --- the fetcher on its own ----------------------------------------------------------------------

KEY = KEYS["openai"]


@pytest.fixture
def openai() -> Iterator[tuple[FakeOpenAI, str]]:
    """One fake OpenAI and the URL of its list."""
    fake = FakeOpenAI([openai_model("gpt-5")], key=KEY)
    with serving(fake) as served:
        yield fake, served["openai"].base_url + "/models"


AUTH = {"Authorization": f"Bearer {KEY}"}


def test_a_200_is_decoded_and_counted_as_a_page_and_its_retries_as_requests(
    openai: tuple[FakeOpenAI, str],
) -> None:
    fake, url = openai
    fake.fail(Fault(status=503))
    with fetching(KEY) as fetcher:
        body = fetcher.get_json(url, headers=AUTH, params=[("a", "1")])
    assert body == {"object": "list", "data": [openai_model("gpt-5")]}
    assert (fetcher.requests, fetcher.pages) == (2, 1)
    assert [r.query for r in fake.requests] == [{"a": ["1"]}, {"a": ["1"]}]


def test_retry_after_as_an_http_date_in_the_past_is_no_pause(
    openai: tuple[FakeOpenAI, str],
) -> None:
    fake, url = openai
    fake.fail(Fault(status=429, retry_after="Wed, 21 Oct 2015 07:28:00 GMT"))
    with fetching(KEY) as fetcher:
        fetcher.get_json(url, headers=AUTH)
    assert fetcher.paused == [0.0]


def test_retry_after_as_an_http_date_ahead_is_the_seconds_until_then(
    openai: tuple[FakeOpenAI, str],
) -> None:
    fake, url = openai
    ahead = 20
    fake.fail(
        Fault(
            status=429,
            retry_after=format_datetime(datetime.now(UTC) + timedelta(seconds=ahead), usegmt=True),
        )
    )
    with fetching(KEY) as fetcher:
        fetcher.get_json(url, headers=AUTH)
    # An HTTP date has whole seconds, and a little time passes before it is read.
    (pause,) = fetcher.paused
    assert ahead - 5 < pause <= ahead


@pytest.mark.parametrize("value", ["soon", "", "nan", "inf"])
def test_an_unusable_retry_after_falls_back_to_the_backoff(
    openai: tuple[FakeOpenAI, str], value: str
) -> None:
    fake, url = openai
    fake.fail(Fault(status=429, retry_after=value))
    with fetching(KEY) as fetcher:
        fetcher.get_json(url, headers=AUTH)
    assert fetcher.paused == [HttpLimits().first_backoff]


def test_the_backoff_doubles_up_to_its_cap(openai: tuple[FakeOpenAI, str]) -> None:
    fake, url = openai
    fake.fail(Fault(status=500, times=4))
    limits = HttpLimits(first_backoff=1.0, max_backoff=3.0, max_attempts=5)
    with fetching(KEY, limits=limits) as fetcher:
        fetcher.get_json(url, headers=AUTH)
    assert fetcher.paused == [1.0, 2.0, 3.0, 3.0]


def test_a_budget_already_spent_sends_no_request(openai: tuple[FakeOpenAI, str]) -> None:
    fake, url = openai
    now = [0.0]
    with fetching(KEY, seconds=10, clock=lambda: now[0]) as fetcher:
        now[0] = 10.0
        with pytest.raises(ProviderFailed) as caught:
            fetcher.get_json(url, headers=AUTH)
    assert caught.value.reason == "time budget of 10 s spent (no attempt)"
    assert fake.requests == []


def test_a_backoff_longer_than_the_budget_left_fails_without_waiting(
    openai: tuple[FakeOpenAI, str],
) -> None:
    fake, url = openai
    fake.fail(Fault(status=503, times=9))
    limits = HttpLimits(first_backoff=4.0)
    with (
        fetching(KEY, seconds=3, clock=lambda: 0.0, limits=limits) as fetcher,
        pytest.raises(ProviderFailed) as caught,
    ):
        fetcher.get_json(url, headers=AUTH)
    assert caught.value.reason == "HTTP 503; no time left in the 3 s budget"
    assert (fetcher.requests, fetcher.paused) == (1, [])


def test_an_error_body_is_bounded_by_its_own_smaller_limit(
    openai: tuple[FakeOpenAI, str],
) -> None:
    fake, url = openai
    fake.fail(Fault(status=400))
    error_size = len(fake.error_body(400, "injected fault"))
    limits = HttpLimits(max_error_body_bytes=error_size - 1)
    with fetching(KEY, limits=limits) as fetcher, pytest.raises(ProviderFailed) as caught:
        fetcher.get_json(url, headers=AUTH)
    assert caught.value.reason == (
        f"HTTP 400 body of {error_size:,} bytes is over the {error_size - 1:,}-byte limit"
    )
    # The same body within the limit is read, and its reason is the provider's description.
    fake.fail(Fault(status=400))
    limits = HttpLimits(max_error_body_bytes=error_size)
    with fetching(KEY, limits=limits) as fetcher, pytest.raises(ProviderFailed) as caught:
        fetcher.get_json(url, headers=AUTH)
    assert caught.value.reason == "HTTP 400"  # no describe_error given: the generic one


def test_redact_hides_every_key_and_keeps_one_short_line() -> None:
    with fetching(KEY) as fetcher:
        assert fetcher.redact(f"bad key {KEY}\n\tand {KEY} again") == (
            "bad key [redacted] and [redacted] again"
        )
        long = fetcher.redact("x" * 400)
    assert (len(long), long.endswith("...")) == (300, True)


def test_error_text_reads_a_string_at_a_path_or_nothing() -> None:
    body = {"error": {"message": "no", "code": 7, "empty": ""}}
    assert error_text(body, "error", "message") == "no"
    assert error_text(body, "error", "code") is None  # not a string
    assert error_text(body, "error", "empty") is None
    assert error_text(body, "error", "message", "deeper") is None
    assert error_text(None, "error") is None

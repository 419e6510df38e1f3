"""GET a provider's JSON within a time budget: bounded bodies, retries that honour Retry-After.

One small loop over one well-kept client (httpx) instead of three SDKs: the SDKs neither bound a
body's size nor share one deadline across their retries, and what we need of each API is one
GET. Every failure becomes `ProviderFailed` with a reason of ours: a key is never in it (any
text a provider sends back has the key redacted), nor is a raw body.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from audit.errors import ProviderFailed

# 429 rate limited, 529 Anthropic's overloaded_error; any other 5xx is retried as well.
RETRIED_STATUSES = frozenset({429, 529})
REDACTED = "[redacted]"


@dataclass(frozen=True, slots=True)
class HttpLimits:
    """How much of a provider one audit reads, and how patiently."""

    # A 1,000-model page is about 1.5 MB (Anthropic's, capabilities included); far more is not
    # a model list, and reading it whole would be the failure.
    max_body_bytes: int = 8 * 2**20
    max_error_body_bytes: int = 64 * 2**10
    max_pages: int = 50
    max_attempts: int = 5
    first_backoff: float = 0.5  # seconds, doubled per retry when the provider says nothing
    max_backoff: float = 8.0
    max_attempt_seconds: float = 30.0  # one request, whatever budget is left


class Budget:
    """A deadline: the seconds a provider has left."""

    def __init__(self, seconds: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self._clock = clock
        self._deadline = clock() + seconds

    def remaining(self) -> float:
        return max(0.0, self._deadline - self._clock())


class JsonFetcher:
    """GETs JSON documents from one provider with one key, inside one budget."""

    def __init__(
        self,
        client: httpx.Client,
        *,
        budget: Budget,
        secrets: Sequence[str] = (),
        limits: HttpLimits | None = None,
        sleep: Callable[[float], None] = time.sleep,
        describe_error: Callable[[int, Any], str] | None = None,
    ) -> None:
        """`secrets`: texts redacted from anything kept of a provider's answer (its keys).
        `describe_error(status, body)`: the provider's error body as a short reason."""
        self._client = client
        self._budget = budget
        self._secrets = [secret for secret in secrets if secret]
        self._limits = limits or HttpLimits()
        self._sleep = sleep
        self._describe = describe_error or _generic_error
        self.requests = 0  # made, retries included
        self.pages = 0  # documents returned

    @property
    def limits(self) -> HttpLimits:
        return self._limits

    def get_json(
        self, url: str, *, headers: Mapping[str, str], params: Sequence[tuple[str, str]] = ()
    ) -> Any:
        """The decoded JSON of a 200 answer. Retries 429, 529 and 5xx (and a lost connection)
        while the budget and the attempts last; raises ProviderFailed for anything else."""
        if self.pages >= self._limits.max_pages:
            raise ProviderFailed(
                f"more than {self._limits.max_pages} pages: the listing does not end"
            )
        last = "no attempt"
        for attempt in range(1, self._limits.max_attempts + 1):
            remaining = self._budget.remaining()
            if remaining <= 0:
                raise ProviderFailed(f"time budget of {self._budget.seconds:g} s spent ({last})")
            try:
                status, retry_after, body = self._get(url, headers, params, remaining)
            except _Transient as exc:
                status, retry_after, body, last = None, None, b"", str(exc)
            if status == 200:
                self.pages += 1
                return self._decode(body)
            if status is not None:
                reason = self._reason(status, body)
                if status not in RETRIED_STATUSES and status < 500:
                    raise ProviderFailed(reason)
                last = reason
            if attempt == self._limits.max_attempts:
                break
            self._wait(attempt, retry_after, last)
        raise ProviderFailed(f"{last}, after {self._limits.max_attempts} attempts")

    def _get(
        self,
        url: str,
        headers: Mapping[str, str],
        params: Sequence[tuple[str, str]],
        remaining: float,
    ) -> tuple[int, str | None, bytes]:
        """One request: status, Retry-After, body (bounded). Raises _Transient for a lost
        connection, ProviderFailed for a timeout, an oversized body or the budget running out."""
        timeout = min(remaining, self._limits.max_attempt_seconds)
        self.requests += 1
        try:
            with self._client.stream(
                "GET", url, headers=dict(headers), params=list(params), timeout=timeout
            ) as response:
                bound = (
                    self._limits.max_body_bytes
                    if response.status_code == 200
                    else self._limits.max_error_body_bytes
                )
                body = self._bounded_body(response, bound)
                return response.status_code, response.headers.get("retry-after"), body
        except httpx.TimeoutException:
            raise ProviderFailed(
                f"timed out: no answer within {timeout:.3g} s (budget {self._budget.seconds:g} s)"
            ) from None
        except (httpx.TransportError, httpx.DecodingError) as exc:
            # The exception's text names the URL at most (keys travel in headers, never in it).
            raise _Transient(f"connection failed ({type(exc).__name__})") from None

    def _bounded_body(self, response: httpx.Response, bound: int) -> bytes:
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > bound:
            raise ProviderFailed(
                f"HTTP {response.status_code} body of {int(declared):,} bytes is over the "
                f"{bound:,}-byte limit"
            )
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > bound:
                raise ProviderFailed(
                    f"HTTP {response.status_code} body is over the {bound:,}-byte limit"
                )
            if self._budget.remaining() <= 0:
                raise ProviderFailed(
                    f"timed out: the body did not end within the {self._budget.seconds:g} s budget"
                )
            chunks.append(chunk)
        return b"".join(chunks)

    def _decode(self, body: bytes) -> Any:
        try:
            return json.loads(body)
        except (UnicodeDecodeError, ValueError):
            raise ProviderFailed(f"malformed body: not JSON ({len(body):,} bytes)") from None
        except RecursionError:
            raise ProviderFailed("malformed body: nested too deeply") from None

    def _reason(self, status: int, body: bytes) -> str:
        try:
            parsed: Any = json.loads(body)
        except (UnicodeDecodeError, ValueError, RecursionError):
            parsed = None
        return self.redact(self._describe(status, parsed))

    def redact(self, text: str) -> str:
        """`text` with every key replaced, and cut to a line of at most 300 characters."""
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        text = " ".join(text.split())
        return text if len(text) <= 300 else text[:297] + "..."

    def _wait(self, attempt: int, retry_after: str | None, last: str) -> None:
        asked = _retry_after_seconds(retry_after)
        pause = (
            asked
            if asked is not None
            else min(self._limits.max_backoff, self._limits.first_backoff * 2 ** (attempt - 1))
        )
        remaining = self._budget.remaining()
        if pause >= remaining:
            if asked is not None:
                raise ProviderFailed(
                    f"{last}; retry-after {asked:g} s is beyond the {remaining:.3g} s left of the "
                    f"{self._budget.seconds:g} s budget"
                )
            raise ProviderFailed(f"{last}; no time left in the {self._budget.seconds:g} s budget")
        self._sleep(pause)


class _Transient(Exception):
    """A failure worth another attempt (a lost connection)."""


def _retry_after_seconds(value: str | None) -> float | None:
    """Retry-After as seconds: a number of seconds or an HTTP date; None if absent or unusable."""
    if not value:
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
        seconds = when.timestamp() - time.time()
    if not math.isfinite(seconds):
        return None
    return max(0.0, seconds)


def _generic_error(status: int, _body: Any) -> str:
    return f"HTTP {status}"


def error_text(body: Any, *path: str) -> str | None:
    """The string at `path` in a decoded error body, or None."""
    value = body
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value if isinstance(value, str) and value else None

"""Fake OpenAI, Anthropic and Gemini model-list servers on loopback, with fault injection.

Each speaks its provider's wire format as the providers document it (shared/provider-apis.md): the
path, the auth header, the paging (none for OpenAI; `limit` / `after_id` / `has_more` /
`last_id` and the `lifecycle` filter for Anthropic; `pageSize` / `pageToken` / `nextPageToken`
for Gemini) and the error bodies (a wrong key is 401 for OpenAI and Anthropic, Gemini's 400
`API_KEY_INVALID`). Faults are queued per request: a status with its error body and
`Retry-After`, a hang, garbage, an oversized body, endless paging. Started and stopped by the
test (`serving(...)`), on 127.0.0.1 only. `ar-models dev --fake-providers` starts them for a
local demo of `ar-models audit`, each listing the catalog's own models (`fakes_of`).
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar, Literal
from urllib.parse import parse_qs, urlsplit

Endless = Literal["repeat", "new"]


@dataclass
class Fault:
    """What one request gets instead of its page. `times`: how many requests in a row."""

    status: int | None = None  # answered with the provider's error body for it
    retry_after: str | None = None
    hang: float | None = None  # seconds before answering (ended early when the server stops)
    body: bytes | None = None  # sent as is with a 200: garbage, a truncated document
    oversized: int | None = None  # a 200 of this many bytes of a JSON string
    declare_length: bool = True  # with `oversized`: say so in Content-Length, or stream it
    times: int = 1


@dataclass
class Recorded:
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]


class FakeProvider:
    """One provider's model list. Subclasses speak a wire format."""

    name: ClassVar[str]

    def __init__(self, models: Sequence[Mapping[str, Any]], *, key: str, page_size: int = 2):
        self.models = [dict(model) for model in models]
        self.key = key
        self.page_size = page_size
        self.faults: list[Fault] = []
        self.endless: Endless | None = None
        self.requests: list[Recorded] = []
        self._stop = threading.Event()
        self._lock = threading.Lock()

    # -- what a test sets --------------------------------------------------------------------

    def fail(self, *faults: Fault) -> FakeProvider:
        self.faults.extend(faults)
        return self

    # -- what the server does ----------------------------------------------------------------

    def answer(
        self, path: str, query: dict[str, list[str]], headers: Mapping[str, str]
    ) -> tuple[int, dict[str, str], bytes | Iterator[bytes]]:
        with self._lock:
            self.requests.append(Recorded(path, query, dict(headers)))
            fault = self._next_fault()
        if fault is not None:
            if fault.hang is not None:
                self._stop.wait(fault.hang)
            if fault.status is not None:
                extra = {"Retry-After": fault.retry_after} if fault.retry_after else {}
                return fault.status, extra, self.error_body(fault.status, "injected fault")
            if fault.body is not None:
                return 200, {}, fault.body
            if fault.oversized is not None:
                return 200, {"declare": str(fault.declare_length)}, _big(fault.oversized)
        if path != self.path:
            return 404, {}, self.error_body(404, f"no route {path}")
        if not self.authorized(headers):
            return self.rejected(headers)
        return 200, {}, json.dumps(self.page(query)).encode()

    def _next_fault(self) -> Fault | None:
        if not self.faults:
            return None
        fault = self.faults[0]
        fault.times -= 1
        if fault.times <= 0:
            self.faults.pop(0)
        return fault

    path: ClassVar[str]

    def authorized(self, headers: Mapping[str, str]) -> bool:
        raise NotImplementedError

    def rejected(self, headers: Mapping[str, str]) -> tuple[int, dict[str, str], bytes]:
        return 401, {}, self.error_body(401, "invalid x-api-key")

    def page(self, query: dict[str, list[str]]) -> dict[str, Any]:
        raise NotImplementedError

    def error_body(self, status: int, message: str) -> bytes:
        raise NotImplementedError

    def stop(self) -> None:
        self._stop.set()


class FakeOpenAI(FakeProvider):
    """`GET /v1/models`, Bearer key, one page; base URL `<root>/v1`."""

    name = "openai"
    path = "/v1/models"
    base_path = "/v1"

    def authorized(self, headers: Mapping[str, str]) -> bool:
        return headers.get("authorization") == f"Bearer {self.key}"

    def rejected(self, headers: Mapping[str, str]) -> tuple[int, dict[str, str], bytes]:
        # OpenAI quotes the key it got (masked in reality; whole here, to test our redaction).
        sent = headers.get("authorization", "").removeprefix("Bearer ")
        return 401, {}, self.error_body(401, f"Incorrect API key provided: {sent}.")

    def page(self, query: dict[str, list[str]]) -> dict[str, Any]:
        return {"object": "list", "data": self.models}

    def error_body(self, status: int, message: str) -> bytes:
        code = {401: "invalid_api_key", 429: "rate_limit_exceeded"}.get(status)
        kind = {401: "invalid_request_error", 429: "requests"}.get(status, "server_error")
        error = {"message": message, "type": kind, "param": None, "code": code}
        return json.dumps({"error": error}).encode()


class FakeAnthropic(FakeProvider):
    """`GET /v1/models` paged by `after_id`, `x-api-key` and `anthropic-version`; base URL the
    root. Lists active and deprecated models unless `lifecycle` asks for others."""

    name = "anthropic"
    path = "/v1/models"
    base_path = ""

    def authorized(self, headers: Mapping[str, str]) -> bool:
        return (
            headers.get("x-api-key") == self.key
            and headers.get("anthropic-version") == "2023-06-01"
        )

    def page(self, query: dict[str, list[str]]) -> dict[str, Any]:
        wanted = query.get("lifecycle") or ["active", "deprecated"]
        models = [m for m in self.models if m.get("lifecycle", "active") in wanted]
        limit = min(int(query.get("limit", ["20"])[0]), self.page_size)
        after = query.get("after_id", [None])[0]
        start = 0
        if after is not None:
            ids = [m["id"] for m in models]
            start = ids.index(after) + 1 if after in ids else len(models)
        data = models[start : start + limit]
        has_more = start + limit < len(models)
        if self.endless == "repeat":
            has_more = True  # the same cursor again: a loop
        elif self.endless == "new":
            has_more, data = True, models[:limit]
        last = data[-1]["id"] if data else None
        if self.endless == "new":
            last = f"cursor-{len(self.requests)}"
        return {
            "data": data,
            "has_more": has_more,
            "first_id": data[0]["id"] if data else None,
            "last_id": last,
        }

    def error_body(self, status: int, message: str) -> bytes:
        kind = {
            400: "invalid_request_error",
            401: "authentication_error",
            403: "permission_error",
            404: "not_found_error",
            429: "rate_limit_error",
            529: "overloaded_error",
        }.get(status, "api_error")
        body = {"type": "error", "error": {"type": kind, "message": message}}
        return json.dumps({**body, "request_id": "req_fake"}).encode()


class FakeGemini(FakeProvider):
    """`GET /v1beta/models` paged by `pageToken`, `x-goog-api-key`; base URL the root. A wrong
    key is 400 `API_KEY_INVALID`, as Google answers it."""

    name = "gemini"
    path = "/v1beta/models"
    base_path = ""

    def authorized(self, headers: Mapping[str, str]) -> bool:
        return headers.get("x-goog-api-key") == self.key

    def rejected(self, headers: Mapping[str, str]) -> tuple[int, dict[str, str], bytes]:
        error = {
            "code": 400,
            "message": "API key not valid. Please pass a valid API key.",
            "status": "INVALID_ARGUMENT",
            "details": [
                {
                    "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                    "reason": "API_KEY_INVALID",
                    "domain": "googleapis.com",
                }
            ],
        }
        return 400, {}, json.dumps({"error": error}).encode()

    def page(self, query: dict[str, list[str]]) -> dict[str, Any]:
        size = min(int(query.get("pageSize", ["50"])[0]), self.page_size)
        start = int(query.get("pageToken", ["0"])[0] or 0)
        body: dict[str, Any] = {"models": self.models[start : start + size]}
        if self.endless == "repeat":
            body["nextPageToken"] = "0"
        elif self.endless == "new":
            body["nextPageToken"] = str(len(self.requests))
        elif start + size < len(self.models):
            body["nextPageToken"] = str(start + size)
        return body

    def error_body(self, status: int, message: str) -> bytes:
        name = {
            403: "PERMISSION_DENIED",
            429: "RESOURCE_EXHAUSTED",
            500: "INTERNAL",
            503: "UNAVAILABLE",
        }.get(status, "UNKNOWN")
        return json.dumps({"error": {"code": status, "message": message, "status": name}}).encode()


def _big(size: int) -> Iterator[bytes]:
    yield b'"'
    sent = 1
    while sent < size - 1:
        chunk = min(65536, size - 1 - sent)
        yield b"x" * chunk
        sent += chunk
    yield b'"'


@dataclass
class Served:
    """A running fake: its provider and the base URL a client is configured with."""

    provider: FakeProvider
    root: str
    base_url: str = field(init=False)

    def __post_init__(self) -> None:
        self.base_url = self.root + getattr(self.provider, "base_path", "")


def _handler(provider: FakeProvider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def handle(self) -> None:
            # The client went away (a bounded body, a closed keep-alive): expected.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                super().handle()

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            headers = {name.lower(): value for name, value in self.headers.items()}
            status, extra, body = provider.answer(url.path, parse_qs(url.query), headers)
            declare = extra.pop("declare", "True") == "True"
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                for name, value in extra.items():
                    self.send_header(name, value)
                if isinstance(body, bytes):
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                chunks = list(body) if declare else None
                if chunks is not None:
                    self.send_header("Content-Length", str(sum(map(len, chunks))))
                    self.end_headers()
                    for chunk in chunks:
                        self.wfile.write(chunk)
                    return
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                for chunk in body:
                    self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                self.wfile.write(b"0\r\n\r\n")
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client stopped reading (a bounded body): what the test wants

        def log_message(self, format: str, *args: Any) -> None:
            pass  # quiet: the tests read `provider.requests`

    return Handler


@contextmanager
def serving(*providers: FakeProvider) -> Iterator[dict[str, Served]]:
    """Each fake on 127.0.0.1 (a free port) in a thread, stopped on exit; by provider name."""
    servers: list[tuple[ThreadingHTTPServer, threading.Thread, FakeProvider]] = []
    try:
        for provider in providers:
            server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(provider))
            server.daemon_threads = True
            thread = threading.Thread(
                target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
            )
            thread.start()
            servers.append((server, thread, provider))
        yield {
            provider.name: Served(provider, f"http://127.0.0.1:{server.server_address[1]}")
            for server, _, provider in servers
        }
    finally:
        for server, thread, provider in servers:
            provider.stop()
            server.shutdown()
            server.server_close()
            thread.join(timeout=10)


# -- models in each provider's shape -------------------------------------------------------------


def openai_model(model_id: str, *, shutdown_date: str | None = None) -> dict[str, Any]:
    return {
        "id": model_id,
        "object": "model",
        "created": 1686935002,
        "owned_by": "openai",
        "shutdown_date": shutdown_date,
    }


def anthropic_model(
    model_id: str,
    *,
    lifecycle: str = "active",
    deprecated_at: str | None = None,
    retires_at: str | None = None,
    max_input_tokens: int | None = 200000,
    max_tokens: int | None = 64000,
) -> dict[str, Any]:
    return {
        "type": "model",
        "id": model_id,
        "display_name": model_id,
        "created_at": "2026-02-04T00:00:00Z",
        "max_input_tokens": max_input_tokens,
        "max_tokens": max_tokens,
        "capabilities": None,
        "lifecycle": lifecycle,
        "deprecated_at": deprecated_at,
        "retires_at": retires_at,
        "line": None,
    }


def gemini_model(
    model_id: str,
    *,
    input_tokens: int = 1048576,
    output_tokens: int = 65536,
    methods: Sequence[str] = ("generateContent", "countTokens"),
) -> dict[str, Any]:
    return {
        "name": f"models/{model_id}",
        "version": "001",
        "displayName": model_id,
        "description": "",
        "inputTokenLimit": input_tokens,
        "outputTokenLimit": output_tokens,
        "supportedGenerationMethods": list(methods),
    }


# -- the local demo ------------------------------------------------------------------------------

# The keys the demo's fakes accept: not secrets, only what `ar-models audit` must send them.
DEMO_KEYS = {"openai": "sk-fake-openai", "anthropic": "sk-ant-fake", "gemini": "fake-gemini"}


def _rfc3339(day: str | None) -> str | None:
    return None if day is None else f"{day}T00:00:00Z"


def fakes_of(models: Sequence[Any], *, now: float) -> list[FakeProvider]:
    """The three fakes, each listing the catalog models of its provider that it still serves
    (not retired at `now`) with their dates and limits, as the provider would: an audit of the
    same catalog finds no drift, until the catalog or a fake's list is edited."""
    from catalog.lifecycle import status_at  # the demo only: the tests' fakes need no catalog

    served = [model for model in models if status_at(model, now) != "retired"]

    def of(owned_by: str) -> list[Any]:
        return [model for model in served if model.owned_by == owned_by]

    openai = [
        openai_model(m.id, shutdown_date=m.lifecycle.shutdown_at if m.lifecycle else None)
        for m in of("openai")
    ]
    anthropic = [
        anthropic_model(
            m.id,
            lifecycle=status_at(m, now),
            deprecated_at=_rfc3339(m.lifecycle.deprecated_at if m.lifecycle else None),
            retires_at=_rfc3339(m.lifecycle.shutdown_at if m.lifecycle else None),
            max_input_tokens=m.context_length,
            max_tokens=m.max_output_tokens,
        )
        for m in of("anthropic")
    ]
    gemini = [
        gemini_model(m.id, input_tokens=m.context_length, output_tokens=m.max_output_tokens)
        for m in of("google")
        if m.max_output_tokens is not None  # Gemini states both limits: no model without one
    ]
    return [
        FakeOpenAI(openai, key=DEMO_KEYS["openai"], page_size=100),
        FakeAnthropic(anthropic, key=DEMO_KEYS["anthropic"], page_size=100),
        FakeGemini(gemini, key=DEMO_KEYS["gemini"], page_size=100),
    ]


def demo_environment(running: Mapping[str, Served]) -> dict[str, str]:
    """What `ar-models audit` reads to audit against the running fakes: base URLs and keys."""
    return {
        "OPENAI_BASE_URL": f"{running['openai'].root}/v1",
        "ANTHROPIC_BASE_URL": running["anthropic"].root,
        "GEMINI_BASE_URL": running["gemini"].root,
        "OPENAI_API_KEY": DEMO_KEYS["openai"],
        "ANTHROPIC_API_KEY": DEMO_KEYS["anthropic"],
        "GEMINI_API_KEY": DEMO_KEYS["gemini"],
    }

"""The audit against fake provider servers: a catalog, the fakes, and a run without real sleeps.

Shared by tests/audit/ (whose conftest.py makes the fixtures of them), the audit job's and the
CLI's tests."""

from __future__ import annotations

import calendar
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx

from audit import AuditReport, AuditRun, ProviderSetup, run_audit
from audit.http import Budget, HttpLimits, JsonFetcher
from audit.providers import build_providers
from audit.providers.base import ProviderBase, UpstreamModel
from audit.report import EXIT_FAILED
from catalog.schema import Model
from tests.support.factories import model_doc
from tests.support.fake_providers import (
    FakeAnthropic,
    FakeGemini,
    FakeOpenAI,
    FakeProvider,
    Served,
    anthropic_model,
    gemini_model,
    openai_model,
    serving,
)

NOW = float(calendar.timegm(date(2026, 12, 1).timetuple()))
KEYS = {
    "openai": "sk-test-OPENAI-7f3a9c1e5b",
    "anthropic": "sk-ant-test-ANTHROPIC-2d8e4f6a",
    "gemini": "AIzaTEST-GEMINI-9b1c3d5e7f",
}


def catalog_docs() -> list[dict[str, Any]]:
    """Our catalog for these tests: what each provider's fake below agrees with."""
    return [
        model_doc(
            "gpt-4o",
            max_output_tokens=16384,
            lifecycle={"deprecated_at": "2026-10-14", "shutdown_at": "2027-01-14"},
        ),
        model_doc("gpt-5", aliases=["gpt-5-latest"]),
        model_doc("gpt-4-turbo", lifecycle={"shutdown_at": "2026-10-23"}),  # retired
        model_doc(
            "claude-opus-5-5",
            owned_by="anthropic",
            context_length=200000,
            max_output_tokens=64000,
        ),
        model_doc(
            "claude-3-haiku-20240307",
            owned_by="anthropic",
            context_length=200000,
            max_output_tokens=4096,
            lifecycle={"deprecated_at": "2026-02-19", "shutdown_at": "2026-04-20"},
        ),
        model_doc(
            "gemini-2.5-flash", owned_by="google", context_length=1048576, max_output_tokens=65536
        ),
    ]


def catalog() -> list[Model]:
    return [Model.model_validate(doc) for doc in catalog_docs()]


def agreeing_fakes() -> list[FakeProvider]:
    """Fakes whose lists agree with `catalog_docs()` exactly: no drift."""
    return [
        FakeOpenAI(
            [
                openai_model("gpt-4o", shutdown_date="2027-01-14"),
                openai_model("gpt-5-latest"),  # one of our aliases: ours
                openai_model("dall-e-3"),  # not `gpt-*` / `o<digit>*`: never new
                openai_model("text-embedding-3-large"),
            ],
            key=KEYS["openai"],
        ),
        FakeAnthropic(
            [
                anthropic_model("claude-opus-5-5"),
                anthropic_model(
                    "claude-3-haiku-20240307",
                    lifecycle="retired",
                    deprecated_at="2026-02-19T00:00:00Z",
                    retires_at="2026-04-20T00:00:00Z",
                    max_tokens=4096,
                ),
            ],
            key=KEYS["anthropic"],
        ),
        FakeGemini(
            [
                gemini_model("gemini-2.5-flash"),
                gemini_model(
                    "text-embedding-004",
                    input_tokens=2048,
                    output_tokens=1,
                    methods=["embedContent"],
                ),
                gemini_model("gemini-embedding-001", methods=["embedContent"]),
            ],
            key=KEYS["gemini"],
        ),
    ]


@dataclass
class Auditor:
    """Runs the audit against served fakes; records the pauses the retries asked for."""

    served: dict[str, Served]
    keys: dict[str, str | None] = field(default_factory=lambda: dict(KEYS))
    pauses: list[float] = field(default_factory=list)

    def __call__(
        self,
        models: Sequence[Model] | None = None,
        *,
        timeout: float = 60.0,
        limits: HttpLimits | None = None,
        base_urls: Mapping[str, str] | None = None,
    ) -> AuditReport:
        urls = {name: s.base_url for name, s in self.served.items()}
        urls.update(base_urls or {})
        providers = build_providers(urls)
        run = AuditRun(timeout=timeout, limits=limits or HttpLimits(), sleep=self.pauses.append)
        return run_audit(
            [ProviderSetup(p, self.keys.get(p.name)) for p in providers],
            catalog() if models is None else models,
            catalog_origin="test catalog",
            now=NOW,
            run=run,
        )

    def fake(self, name: str) -> FakeProvider:
        return self.served[name].provider


def entries(report: AuditReport) -> list[tuple[str, str, str, str, Any, Any]]:
    """The report's drift entries as tuples: provider, model, kind, field, ours, theirs."""
    return [(e.provider, e.model, e.kind, e.field, e.ours, e.theirs) for e in report.drift]


def only_failed(report: AuditReport, name: str) -> str:
    """The failed provider's reason, after checking that it alone failed and has no drift."""
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


class RecordingFetcher(JsonFetcher):
    """A JsonFetcher whose retries' pauses are recorded (`paused`), never slept."""

    paused: list[float]


@contextmanager
def fetching(
    key: str,
    *,
    seconds: float = 60.0,
    clock: Callable[[], float] = time.monotonic,
    limits: HttpLimits | None = None,
    describe_error: Callable[[int, Any], str] | None = None,
) -> Iterator[RecordingFetcher]:
    """A fetcher with `key` as its secret, inside a budget of `seconds` on `clock`."""
    paused: list[float] = []
    with httpx.Client(trust_env=False) as client:
        fetcher = RecordingFetcher(
            client,
            budget=Budget(seconds, clock=clock),
            secrets=[key],
            limits=limits,
            sleep=paused.append,
            describe_error=describe_error,
        )
        fetcher.paused = paused
        yield fetcher


def listed_by(
    provider: type[ProviderBase], fake: FakeProvider
) -> tuple[list[UpstreamModel], RecordingFetcher]:
    """What `provider` makes of `fake`'s list, read with `fake`'s key, and the fetcher used."""
    with serving(fake) as served, fetching(fake.key) as fetcher:
        listed = provider(served[fake.name].base_url).list_models(fetcher, fake.key)
    return listed, fetcher

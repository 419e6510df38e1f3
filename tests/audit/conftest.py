"""The audit against fake provider servers: a catalog, the fakes, and a run without real sleeps."""

from __future__ import annotations

import calendar
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest

from audit import AuditReport, AuditRun, ProviderSetup, run_audit
from audit.http import HttpLimits
from audit.providers import build_providers
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


@pytest.fixture
def fakes() -> list[FakeProvider]:
    return agreeing_fakes()


@pytest.fixture
def auditor(fakes: list[FakeProvider]) -> Iterator[Auditor]:
    with serving(*fakes) as served:
        yield Auditor(served)

"""Benchmark of the drift audit on a 1,000-model provider list: time and peak memory.

Run: .venv/bin/python bench/bench_audit.py   (offline: the fake provider servers on loopback)

Each provider's fake lists 1,000 models (Anthropic's with every capability key, the largest
documented model object; Gemini's with a description) at the documented maximum page size
(1,000, so one page), and our catalog holds 1,000 of that provider's models, half of which
drift. Timed: the whole `run_audit` (HTTP on loopback, JSON decoding, mapping, comparison) and
`propose`; peak memory by tracemalloc (Python allocations: the body, the decoded JSON, ours).
Not a test: nothing here asserts a time. Figures go in README's audit section.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))

MODELS = 1000
RUNS = 5
_CAPABILITIES = {
    name: {"supported": True}
    for name in (
        "batch",
        "citations",
        "code_execution",
        "image_input",
        "pdf_input",
        "server_tools",
        "structured_outputs",
    )
} | {
    "context_management": {
        "clear_thinking_20251015": {"supported": True},
        "clear_tool_uses_20250919": {"supported": True},
        "compact_20260112": {"supported": True},
        "supported": True,
    },
    "effort": {level: {"supported": True} for level in ("low", "medium", "high", "max")}
    | {"supported": True},
    "thinking": {
        "supported": True,
        "types": {"adaptive": {"supported": True}, "enabled": {"supported": True}},
    },
}


def upstream(provider: str) -> list[dict[str, Any]]:
    from tests.support.fake_providers import anthropic_model, gemini_model, openai_model

    if provider == "openai":
        return [
            openai_model(f"gpt-bench-{i:04}", shutdown_date="2027-06-30") for i in range(MODELS)
        ]
    if provider == "anthropic":
        models = []
        for i in range(MODELS):
            model = anthropic_model(
                f"claude-bench-{i:04}", max_input_tokens=1000000, max_tokens=128000
            )
            model["capabilities"] = _CAPABILITIES
            models.append(model)
        return models
    models = [gemini_model(f"gemini-bench-{i:04}", output_tokens=32768) for i in range(MODELS)]
    for model in models:
        model["description"] = "A benchmark model of the Gemini family, " * 4
    return models


def ours(provider: str, owned_by: str, prefix: str) -> list[Any]:
    from catalog.schema import Model
    from tests.support.factories import model_doc

    # Half agree with the upstream list, half differ in limits or dates: 500 drift entries+.
    docs = []
    for i in range(MODELS):
        agree = i % 2 == 0
        docs.append(
            model_doc(
                f"{prefix}-bench-{i:04}",
                owned_by=owned_by,
                context_length=1048576 if provider == "gemini" else 1000000,
                max_output_tokens=(32768 if provider == "gemini" else 128000) if agree else 16384,
                lifecycle={"shutdown_at": "2027-06-30" if agree else "2027-07-31"},
            )
        )
    return [Model.model_validate(doc) for doc in docs]


def main() -> None:
    from audit import AuditRun, ProviderSetup, run_audit
    from audit.proposal import propose
    from audit.providers import PROVIDERS, build_providers
    from tests.support.fake_providers import FakeAnthropic, FakeGemini, FakeOpenAI, serving

    fakes = {"openai": FakeOpenAI, "anthropic": FakeAnthropic, "gemini": FakeGemini}
    prefixes = {"openai": "gpt", "anthropic": "claude", "gemini": "gemini"}
    owners = {"openai": "openai", "anthropic": "anthropic", "gemini": "google"}
    authority = {p.name: p.authoritative_for for p in PROVIDERS}
    print(f"{MODELS:,} models per provider list, {MODELS:,} of ours; median of {RUNS} runs")
    for name, fake_type in fakes.items():
        fake = fake_type(upstream(name), key="bench-key", page_size=1000)
        catalog = ours(name, owners[name], prefixes[name])
        with serving(fake) as served:
            [provider] = build_providers({name: served[name].base_url})
            setups = [ProviderSetup(provider, "bench-key")]
            times, proposals = [], []
            for _ in range(RUNS):
                started = time.perf_counter()
                report = run_audit(
                    setups, catalog, catalog_origin="bench", now=time.time(), run=AuditRun()
                )
                audited = time.perf_counter()
                propose(catalog, report.drift, authority)
                times.append(audited - started)
                proposals.append(time.perf_counter() - audited)
            # Peak memory of one more run, apart: tracemalloc slows everything it traces.
            tracemalloc.start()
            run_audit(setups, catalog, catalog_origin="bench", now=time.time(), run=AuditRun())
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            outcome = report.providers[0]
            assert outcome.status == "ok", outcome.reason
            page = fake.page({"limit": ["1000"], "pageSize": ["1000"]})
            body = len(json.dumps(page).encode())
        print(
            f"{name:<10} page {body / 2**10:,.0f} KiB, {outcome.requests} request(s), "
            f"{len(report.drift):,} drift entries: audit {statistics.median(times) * 1000:.0f} ms, "
            f"propose {statistics.median(proposals) * 1000:.0f} ms, "
            f"peak {peak / 2**20:.1f} MiB (the audit)"
        )


if __name__ == "__main__":
    main()

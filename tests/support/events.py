"""The sample events of `events/` (for `sam local invoke`), their manifest and the env file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

EVENTS = Path(__file__).resolve().parents[2] / "events"
# events/expected.json: each event file, the function it is for and the status it must get.
EXPECTED: dict[str, dict[str, Any]] = json.loads((EVENTS / "expected.json").read_text())
API_EVENTS = sorted(n for n, spec in EXPECTED.items() if spec["function"] == "ModelsApiFunction")
SYNC_EVENTS = sorted(n for n, spec in EXPECTED.items() if spec["function"] == "CatalogSyncFunction")
# events/env.json: what `sam local --env-vars` gives each function.
SAM_ENV: dict[str, dict[str, str]] = json.loads((EVENTS / "env.json").read_text())


def load(name: str) -> dict[str, Any]:
    """A fresh copy of one sample event."""
    event: dict[str, Any] = json.loads((EVENTS / name).read_text())
    return event

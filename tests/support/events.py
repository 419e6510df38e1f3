"""The sample events of `events/` (for `sam local invoke`), their manifest and the env file."""

from __future__ import annotations

import copy
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


def retrieve_event(template: str, path: str) -> dict[str, Any]:
    """A retrieve request for `path`, as it arrives: HTTP API (2.0) or REST API (1.0)."""
    event = copy.deepcopy(load(template))
    if "rawPath" in event:
        event["rawPath"] = path
        event["requestContext"]["http"]["path"] = path
        event["pathParameters"] = {"proxy": path.removeprefix("/v1/models/")}
    else:
        event["path"] = path
        event["resource"] = "/v1/models/{proxy+}"
        event["pathParameters"] = {"proxy": path.removeprefix("/v1/models/")}
    return event


def with_method(event: dict[str, Any], method: str) -> dict[str, Any]:
    """A copy of an API Gateway event (HTTP API 2.0 or REST 1.0) with another HTTP method."""
    event = copy.deepcopy(event)
    if "httpMethod" in event:
        event["httpMethod"] = method
    else:
        event["requestContext"]["http"]["method"] = method
    return event


def with_header(event: dict[str, Any], name: str, value: str) -> dict[str, Any]:
    """A copy of an event with one more header (in `multiValueHeaders` too, where it has them)."""
    event = copy.deepcopy(event)
    event["headers"][name] = value
    if "multiValueHeaders" in event:
        event["multiValueHeaders"][name] = [value]
    return event

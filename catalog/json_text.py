"""JSON as text: one line for a log or a metric, or indented for a person. One function each.

The other serialisations have their own homes, each the only one for its purpose: what the API
sends (`catalog.wire.wire_json`), the canonical bytes a published catalog is named by
(`catalog.document.document_of`), an event's detail (`catalog.change_events.event_detail`)
and an error body (`handler.dialects.base.error_json`).
"""

from __future__ import annotations

import json
from typing import Any


def json_line(value: Any) -> str:
    """`value` as one log line (a run's report, an EMF record): compact JSON, ASCII (every
    other character escaped, so the line encodes whatever it holds). No trailing newline."""
    return json.dumps(value, separators=(",", ":"))


def pretty_json(value: Any, *, ascii_only: bool = False) -> str:
    """`value` for a person: indented by 2, with one trailing newline; UTF-8 as is unless
    `ascii_only` (the sync's printed report, which has always been ASCII). What the CLI's
    --json prints and the files it and the audit write (a catalog, a report)."""
    return json.dumps(value, indent=2, ensure_ascii=ascii_only) + "\n"

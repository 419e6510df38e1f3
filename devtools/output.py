"""What every `ar-models` command prints alike: its failure line and its tables."""

from __future__ import annotations

import sys
from collections.abc import Sequence


def fail(message: str) -> int:
    """Say why the command failed, on stderr; its exit status."""
    print(f"ar-models: {message}", file=sys.stderr)
    return 1


def format_table(rows: Sequence[Sequence[str]]) -> str:
    """Left-aligned columns, each as wide as its widest cell, two spaces apart."""
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )

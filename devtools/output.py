"""What every `ar-models` command prints alike: its failure line, its tables, and the paths and
commands it suggests in the form that runs pasted."""

from __future__ import annotations

import shlex
import sys
from collections.abc import Sequence
from pathlib import Path


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


def shown_path(path: Path) -> str:
    """`path` as a shell command should name it: relative to the working directory when it is
    inside it (`.dev/env`), else absolute; quoted when it needs to be."""
    absolute = path.absolute()
    here = Path.cwd()
    shown = str(absolute.relative_to(here)) if absolute.is_relative_to(here) else str(absolute)
    return shlex.quote(shown)


def ar_models_command() -> str:
    """How a line printed for the user to paste runs `ar-models` from where this one runs:
    the console script beside this interpreter (`.venv/bin/ar-models` in a clone `make`
    set up), since nothing puts that directory on PATH."""
    script = Path(sys.executable).with_name("ar-models")
    if script.is_file():
        return shown_path(script)
    return f"{shown_path(Path(sys.executable))} -m devtools.cli"

"""A probe: Python code run by a fresh interpreter, for what one process cannot show about
itself (what an import pulls in or reads, what a cold start builds): this one has imported and
built plenty already."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
# All a probe inherits from this environment: the tools and the home directory, and the path
# the tests run with. Nothing of the developer's AWS or provider settings.
_KEPT = ("PATH", "HOME", "PYTHONPATH", "SYSTEMROOT")


def run_probe(
    code: str, *args: str, env: Mapping[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """`code` (with `args` in sys.argv[1:]) run in the repository's root by a fresh interpreter
    whose environment is PATH, HOME and PYTHONPATH plus `env`. Never raises on its exit."""
    kept = {name: value for name, value in os.environ.items() if name in _KEPT}
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        env={**kept, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def probe_json(
    code: str, *args: str, env: Mapping[str, str] | None = None, timeout: float = 120
) -> Any:
    """The last line a successful probe printed, read as JSON."""
    result = run_probe(code, *args, env=env, timeout=timeout)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])

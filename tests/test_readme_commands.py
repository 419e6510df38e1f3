"""Every command block of README.md runs as written, from the clone, with the servers it needs.

The Quickstart's blocks run against `make serve`; the operator's path against `make dev`, in
one shell (its `. .dev/env` carries on to the next blocks), on a free port instead of 3000
(the only substitution), in order. `make test` is not run: it is what runs this.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from devtools.devstack import free_port
from tests.support.docs import README_PATH, ROOT

pytestmark = pytest.mark.slow

README = README_PATH.read_text(encoding="utf-8")


def section(title: str) -> str:
    return README.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]


def blocks(text: str) -> list[str]:
    """The `sh` blocks of `text`, dedented (a block inside a numbered step is indented)."""
    found = re.findall(r"^( *)```sh\n(.*?)^ *```", text, flags=re.MULTILINE | re.DOTALL)
    return ["\n".join(line[len(indent) :] for line in body.splitlines()) for indent, body in found]


def shell_env(**extra: str) -> dict[str, str]:
    """The environment of a new terminal in the clone: none of the test run's AWS settings,
    no provider key (the audit then skips every provider)."""
    drop = ("AWS_", "MODELS_TABLE", "API_KEYS_TABLE", "CATALOG_", "DEV_API_KEY", "PYTHONPATH")
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    for name in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GEMINI_API_KEY"):
        env.pop(name, None)
    return env | extra


def run_bash(script: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@contextmanager
def server(command: str, port: int, env: dict[str, str]) -> Iterator[None]:
    """`command` (a README line starting a server) in the background until /health answers."""
    process = subprocess.Popen(
        ["bash", "-c", command],
        cwd=ROOT,
        env=env | {"PORT": str(port)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 240
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                output = process.stdout.read() if process.stdout else ""
                pytest.fail(f"{command!r} did not serve on port {port}:\n{output}")
            time.sleep(0.3)
        yield
    finally:
        stop(process)


def stop(process: subprocess.Popen[str]) -> None:
    """Ctrl-C to the server's whole process group (make, ar-models, moto), as a terminal sends
    it; then SIGKILL if it lingers."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGINT)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    if process.stdout:
        process.stdout.close()


def on_port(script: str, port: int) -> str:
    return script.replace("127.0.0.1:3000", f"127.0.0.1:{port}")


def test_the_quickstart_runs_as_written() -> None:
    quickstart = blocks(section("Quickstart"))
    start, *commands = quickstart
    assert start.strip() == "DEV_API_KEY=local-dev-key make serve"
    port = free_port()
    env = shell_env()
    with server(start.strip(), port, env):
        for script in commands:
            result = run_bash(on_port(script, port), env)
            assert result.returncode == 0, f"{script}\n{result.stdout}\n{result.stderr}"
            assert "error" not in result.stdout.lower(), result.stdout
    assert len(commands) == 3  # curl, the OpenAI SDK, the anthropic SDK


def test_the_operators_path_runs_as_written() -> None:
    """`make dev`, then every step in one shell: export, validate, publish (dry run, then for
    real), lifecycle, audit."""
    first, *steps = blocks(section("Operating the catalog"))
    start, *rest = [line for line in first.splitlines() if line.strip()]
    assert start.split("#")[0].strip() == "make dev"
    port = free_port()
    env = shell_env()
    try:
        with server("make dev", port, env):
            script = "\n".join([*rest, *steps])
            result = run_bash(on_port(script, port), env)
            assert result.returncode == 0, f"{script}\n{result.stdout}\n{result.stderr}"
            # publish's report, then the lifecycle table: the path did what it says.
            assert '"dry_run": true' in result.stdout
            assert '"dry_run": false' in result.stdout
            assert "gpt-4o" in result.stdout
    finally:
        (ROOT / "models.json").unlink(missing_ok=True)

"""What `make serve`, `make dev` and `make test` would run on a fresh clone (`make -n`: printed,
not run): `make dev` installs the local stack's extra, not the dev toolchain; PORT= reaches both
servers; each long step is announced with what it does and about how long it takes."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# What the Makefile's install recipes depend on.
_FILES = ("Makefile", "pyproject.toml", "requirements-lambda.txt", "requirements-sam.txt")


@pytest.fixture
def fresh_clone(tmp_path: Path) -> Path:
    """The files the install recipes need, without a .venv: a clone before its first `make`."""
    for name in _FILES:
        shutil.copy(ROOT / name, tmp_path / name)
    return tmp_path


def planned(clone: Path, *args: str) -> list[str]:
    """What `make -n ARGS` would run, as a terminal's make prints it: not a sub-make of the
    `make test` that runs this (MAKELEVEL and MAKEFLAGS would add "Entering directory" lines)."""
    env = {k: v for k, v in os.environ.items() if k not in {"MAKELEVEL", "MAKEFLAGS", "MFLAGS"}}
    done = subprocess.run(
        ["make", "-n", *args],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return done.stdout.splitlines()


def installs(lines: list[str]) -> list[str]:
    return re.findall(r"pip install .*-e '\.\[(\w+)\]'", "\n".join(lines))


def test_make_dev_installs_the_local_extra_only(fresh_clone: Path) -> None:
    lines = planned(fresh_clone, "dev")
    assert installs(lines) == ["local"]
    assert lines[-1] == ".venv/bin/ar-models dev"


def test_make_serve_installs_the_serve_extra_and_make_test_the_dev_one(fresh_clone: Path) -> None:
    assert installs(planned(fresh_clone, "serve")) == ["serve"]
    assert installs(planned(fresh_clone, "test")) == ["dev"]


@pytest.mark.parametrize("target", ["serve", "dev"])
def test_port_reaches_the_server(fresh_clone: Path, target: str) -> None:
    command = planned(fresh_clone, target, "PORT=3001")[-1]
    assert command == f".venv/bin/ar-models {target} --port 3001"


@pytest.mark.parametrize("target", ["serve", "dev", "test"])
def test_each_install_is_announced_with_its_duration(fresh_clone: Path, target: str) -> None:
    lines = planned(fresh_clone, target)
    for number, line in enumerate(lines):
        if re.search(r"pip install .*(-e '|-r requirements)", line):
            # Within the three lines before it (the SAM venv is created in between).
            announced = [
                previous for previous in lines[max(0, number - 3) : number] if "==>" in previous
            ]
            assert announced, f"{line!r} is not announced"
            assert re.search(r"about \d+ s", announced[-1]), announced[-1]

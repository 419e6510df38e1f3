"""requirements-lambda.txt, the Lambda artifact's pinned dependencies, agrees with pyproject.toml.

`make lambda-requirements` generates it; this checks, offline, that nobody changed pyproject's
runtime dependencies without regenerating it, that it never carries boto3 (the Lambda
runtime's) or a test tool, and that the environment the tests run in has exactly those pins
(the Makefile installs .venv with them as constraints), so the tests exercise what ships.
"""

from __future__ import annotations

import importlib.metadata

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from tests.support.requirements import (
    REQUIREMENTS,
    inconsistencies,
    parse_pins,
    runtime_dependencies,
)


def test_requirements_file_matches_pyproject() -> None:
    problems = inconsistencies(runtime_dependencies(), REQUIREMENTS.read_text())
    assert problems == [], "run `make lambda-requirements`:\n" + "\n".join(problems)


def test_requirements_file_pins_what_the_lambda_needs_and_not_boto3() -> None:
    pins = parse_pins(REQUIREMENTS.read_text())
    assert {"fastapi", "mangum", "pydantic", "pydantic-core", "starlette"} <= set(pins)
    assert "boto3" in {canonicalize_name(Requirement(d).name) for d in runtime_dependencies()}
    assert not {"boto3", "botocore"} & set(pins)


def test_the_test_environment_has_the_versions_the_lambda_ships() -> None:
    # `make test` installs .venv with requirements-lambda.txt's pins as constraints and reinstalls
    # it when the file changes; a venv that drifted would test other fastapi/pydantic code.
    drifted = []
    for name, (pinned, _) in parse_pins(REQUIREMENTS.read_text()).items():
        try:
            installed = Version(importlib.metadata.version(name))
        except importlib.metadata.PackageNotFoundError:
            drifted.append(f"{name}: not installed, the Lambda ships {pinned}")
            continue
        if installed != pinned:
            drifted.append(f"{name}: {installed} installed, the Lambda ships {pinned}")
    assert drifted == [], "reinstall the venv (`make test` does when the pins change):\n" + (
        "\n".join(drifted)
    )


def test_requirements_file_says_how_it_was_generated() -> None:
    header = REQUIREMENTS.read_text().split("\n\n")[0].splitlines()
    assert header[0].startswith("#")
    comment = " ".join(line.lstrip("# ") for line in header if line.startswith("#"))
    assert "make lambda-requirements" in comment
    assert "uv pip compile" in comment
    assert "boto3" in comment


PINNED = """\
# header
fastapi==0.115.2 \\
    --hash=sha256:{h}
mangum==0.19.0 \\
    --hash=sha256:{h} \\
    --hash=sha256:{h}
    # via -r -
""".replace("{h}", "0" * 64)


def test_the_check_accepts_a_consistent_file() -> None:
    assert inconsistencies(["fastapi>=0.115,<1", "mangum>=0.19,<0.20", "boto3>=1.34"], PINNED) == []


@pytest.mark.parametrize(
    ("dependencies", "text", "problem"),
    [
        (["fastapi>=0.116"], PINNED, "fastapi==0.115.2 is outside pyproject's fastapi>=0.116"),
        (["httpx>=0.27"], PINNED, "httpx is a runtime dependency but is not pinned"),
        ([], PINNED + "boto3==1.35.0 \\\n    --hash=sha256:" + "0" * 64, "boto3 must not be"),
        ([], PINNED + "botocore==1.35.0 \\\n    --hash=sha256:" + "0" * 64, "botocore must not"),
        ([], PINNED + "pytest==8.3.0 \\\n    --hash=sha256:" + "0" * 64, "pytest must not be"),
        ([], PINNED + "moto==5.0.0 \\\n    --hash=sha256:" + "0" * 64, "moto must not be"),
        ([], PINNED + "starlette==0.41.0\n", "starlette has no hash"),
    ],
)
def test_the_check_reports_a_stale_or_wrong_file(
    dependencies: list[str], text: str, problem: str
) -> None:
    assert any(p.startswith(problem) for p in inconsistencies(dependencies, text))


@pytest.mark.parametrize("line", ["fastapi>=0.115", "fastapi", "-e .", "--index-url http://x"])
def test_the_check_refuses_unpinned_lines(line: str) -> None:
    with pytest.raises(AssertionError, match="neither a pin nor a hash"):
        parse_pins(PINNED + line + "\n")

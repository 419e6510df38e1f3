"""requirements-lambda.txt, the Lambda artifact's pinned dependencies, agrees with pyproject.toml.

`make lambda-requirements` generates it; this checks, offline, that nobody changed pyproject's
runtime dependencies without regenerating it, that it never carries boto3 (the Lambda
runtime's) or a test tool, and that the environment the tests run in has exactly those pins
(the Makefile installs .venv with them as constraints), so the tests exercise what ships.
"""

from __future__ import annotations

import importlib.metadata
import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = ROOT / "requirements-lambda.txt"
PYPROJECT = ROOT / "pyproject.toml"

# Provided by the Lambda runtime (boto3 and what only it needs) or never meant for production.
NEVER_IN_THE_ARTIFACT = ("boto3", "botocore", "s3transfer", "moto", "pytest", "uvicorn")

_PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>[^\s;\\]+)\s*\\?$")
_HASH = re.compile(r"^\s+--hash=sha256:[0-9a-f]{64}\s*\\?$")


def parse_pins(text: str) -> dict[NormalizedName, tuple[Version, int]]:
    """The pins of a `uv pip compile --generate-hashes` file: name -> (version, hash count).

    Anything else that is not a comment is an error: an unpinned or unhashed line would make
    the build resolve something this file does not say (pip --require-hashes refuses it).
    """
    pins: dict[NormalizedName, tuple[Version, int]] = {}
    current: NormalizedName | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if pin := _PIN.match(line):
            current = canonicalize_name(pin["name"])
            assert current not in pins, f"line {number}: {current} pinned twice"
            pins[current] = (Version(pin["version"]), 0)
        elif _HASH.match(line) and current is not None:
            version, hashes = pins[current]
            pins[current] = (version, hashes + 1)
        else:
            raise AssertionError(f"line {number} is neither a pin nor a hash: {line!r}")
    return pins


def inconsistencies(dependencies: list[str], text: str) -> list[str]:
    """What is wrong with a requirements file given pyproject's runtime dependencies."""
    pins = parse_pins(text)
    problems = []
    for dependency in dependencies:
        requirement = Requirement(dependency)
        name = canonicalize_name(requirement.name)
        if name == "boto3":
            continue
        if name not in pins:
            problems.append(f"{name} is a runtime dependency but is not pinned")
        elif not requirement.specifier.contains(pins[name][0], prereleases=True):
            problems.append(f"{name}=={pins[name][0]} is outside pyproject's {requirement}")
    problems += [
        f"{name} must not be in the artifact" for name in NEVER_IN_THE_ARTIFACT if name in pins
    ]
    problems += [f"{name} has no hash" for name, (_, hashes) in pins.items() if not hashes]
    return problems


def runtime_dependencies() -> list[str]:
    dependencies: list[str] = tomllib.loads(PYPROJECT.read_text())["project"]["dependencies"]
    return dependencies


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

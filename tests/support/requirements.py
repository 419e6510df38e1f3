"""requirements-lambda.txt, read: its pins and what is wrong with it given pyproject.toml."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
REQUIREMENTS = ROOT / "requirements-lambda.txt"
PYPROJECT = ROOT / "pyproject.toml"

# Provided by the Lambda runtime (boto3 and what only it needs) or never meant for production.
NEVER_IN_THE_ARTIFACT = (
    "boto3",
    "botocore",
    "s3transfer",
    "moto",
    "pytest",
    "uvicorn",
    "swagger-ui-bundle-v2",
)

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


# The drift audit's artifact (AuditFunction): requirements-audit.txt from the `audit` extra.
AUDIT_REQUIREMENTS = ROOT / "requirements-audit.txt"


def audit_dependencies() -> list[str]:
    extras = tomllib.loads(PYPROJECT.read_text())["project"]["optional-dependencies"]
    dependencies: list[str] = extras["audit"]
    return dependencies

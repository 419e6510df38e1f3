"""requirements-audit.txt, the AuditFunction artifact's pins, agrees with pyproject's `audit`
extra, shares every pin with the API's artifact where both ship a package, and the API's
dependencies never gain the audit's HTTP client."""

from __future__ import annotations

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.support.requirements import (
    AUDIT_REQUIREMENTS,
    REQUIREMENTS,
    audit_dependencies,
    inconsistencies,
    parse_pins,
    runtime_dependencies,
)


def test_audit_requirements_match_the_audit_extra() -> None:
    problems = inconsistencies(audit_dependencies(), AUDIT_REQUIREMENTS.read_text())
    assert problems == [], "run `make audit-requirements`:\n" + "\n".join(problems)


def test_the_audit_ships_httpx_and_pydantic_and_none_of_the_api_framework() -> None:
    pins = parse_pins(AUDIT_REQUIREMENTS.read_text())
    assert {"httpx", "httpcore", "pydantic", "pydantic-core"} <= set(pins)
    assert not {"fastapi", "starlette", "mangum", "boto3", "botocore"} & set(pins)


def test_a_package_both_artifacts_ship_is_pinned_alike() -> None:
    audit = {
        name: version for name, (version, _) in parse_pins(AUDIT_REQUIREMENTS.read_text()).items()
    }
    api = {name: version for name, (version, _) in parse_pins(REQUIREMENTS.read_text()).items()}
    assert {
        name: (audit[name], api[name])
        for name in audit.keys() & api.keys()
        if audit[name] != api[name]
    } == {}


def test_the_api_artifact_does_not_carry_the_audits_http_client() -> None:
    api = {canonicalize_name(Requirement(d).name) for d in runtime_dependencies()}
    assert "httpx" not in api
    assert "httpx" not in parse_pins(REQUIREMENTS.read_text())


def test_audit_requirements_say_how_they_were_generated() -> None:
    header = AUDIT_REQUIREMENTS.read_text().split("\n\n")[0].splitlines()
    comment = " ".join(line.lstrip("# ") for line in header if line.startswith("#"))
    assert "make audit-requirements" in comment
    assert "uv pip compile" in comment

"""The single-region template.yaml as the template tests read it: its resources, each function's
role and the statements it grants, cfn-lint's findings and the SAM transform's output.

Shared by tests/test_template.py (the single-region contract), tests/test_template_audit.py and
tests/test_template_regions.py; the other modes are tests/support/template_modes.py's.
"""

from __future__ import annotations

import copy
import functools
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from devtools.template_tables import DEFAULT_TEMPLATE_PATH
from tests.support.template_modes import SINGLE, load_long_form, plain, render

TEMPLATE_PATH = DEFAULT_TEMPLATE_PATH
EVENTS = TEMPLATE_PATH.parent / "events"
# The single-region stack (ReplicaRegions empty), which tests/test_template.py describes; the
# writer and reader stacks are tests/test_template_regions.py's.
TEMPLATE = plain(render(load_long_form(TEMPLATE_PATH), SINGLE))
RESOURCES: dict[str, Any] = TEMPLATE["Resources"]
FUNCTIONS = ("ModelsApiFunction", "CatalogSyncFunction", "AuditFunction")

# Exactly the calls the API makes: the catalog's meta item, its model items in chunks, one key.
API_CATALOG_ACTIONS = {"dynamodb:GetItem", "dynamodb:BatchGetItem"}
API_KEYS_ACTIONS = {"dynamodb:GetItem"}
# Exactly the calls catalog.sync makes (BatchWriteItem needs no PutItem grant; DeleteItem is
# the clean-up's conditional delete of a chunk).
SYNC_TABLE_ACTIONS = {
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:Query",
    "dynamodb:BatchWriteItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
}
# What a function needs to write its logs into a log group that already exists.
LOG_ACTIONS = {"logs:CreateLogStream", "logs:PutLogEvents"}
ALIAS = "live"


def function(logical_id: str) -> dict[str, Any]:
    """A function's Properties with the template's Globals applied (top-level keys)."""
    resource = RESOURCES[logical_id]
    assert resource["Type"] == "AWS::Serverless::Function"
    merged: dict[str, Any] = copy.deepcopy(TEMPLATE.get("Globals", {}).get("Function", {}))
    merged.update(resource["Properties"])
    return merged


def role_of(logical_id: str) -> dict[str, Any]:
    """The Properties of a function's execution role, a role of the template's own."""
    role = function(logical_id)["Role"]
    assert isinstance(role, str), f"not !GetAtt <Role>.Arn: {role}"
    assert role.endswith(".Arn"), f"not !GetAtt <Role>.Arn: {role}"
    resource = RESOURCES[role.removesuffix(".Arn")]
    assert resource["Type"] == "AWS::IAM::Role"
    properties: dict[str, Any] = resource["Properties"]
    return properties


def statements(role: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every IAM statement of a role's inline policies, conditional ones (`!If`) included."""
    for policy in role.get("Policies", []):
        assert set(policy) == {"PolicyName", "PolicyDocument"}, policy
        for statement in policy["PolicyDocument"]["Statement"]:
            # `!If [Condition, statement, !Ref AWS::NoValue]` reads as a plain list.
            candidates = statement if isinstance(statement, list) else [statement]
            yield from (s for s in candidates if isinstance(s, dict))


def by_resource(role: dict[str, Any]) -> dict[str, set[str]]:
    """A role's granted actions keyed by resource (as JSON), every statement an Allow."""
    granted: dict[str, set[str]] = {}
    for statement in statements(role):
        assert statement["Effect"] == "Allow", statement
        for resource in as_list(statement["Resource"]):
            granted.setdefault(json.dumps(resource), set()).update(as_list(statement["Action"]))
    return granted


def conditions_of(role: dict[str, Any]) -> list[str]:
    """The conditions of a role's conditional statements (`!If [Condition, statement, ...]`)."""
    return [
        statement[0]
        for policy in role["Policies"]
        for statement in policy["PolicyDocument"]["Statement"]
        if isinstance(statement, list)
    ]


def as_list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else value


def cfn_lint(path: Path) -> list[dict[str, Any]]:
    """cfn-lint's findings on a template, through its command line (JSON output)."""
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from cfnlint.runner import main; sys.exit(main())",
            "--format",
            "json",
            str(path),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.stdout.strip(), (
        f"cfn-lint printed nothing (exit {result.returncode}): {result.stderr}"
    )
    findings: list[dict[str, Any]] = json.loads(result.stdout)
    return findings


@functools.cache
def _transform(parameters: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    from samtranslator.public.exceptions import InvalidDocumentException
    from samtranslator.translator.transform import transform
    from samtranslator.yaml_helper import yaml_parse

    class ManagedPolicies:
        def load(self) -> dict[str, str]:
            arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
            return {"AWSLambdaBasicExecutionRole": arn}

    document = render(yaml_parse(TEMPLATE_PATH.read_text()), SINGLE)
    for resource in document["Resources"].values():
        if resource["Type"] == "AWS::Serverless::Function":
            resource["Properties"]["CodeUri"] = "s3://bucket/artifact.zip"  # as `sam package` does
    try:
        output: dict[str, Any] = transform(
            document, {"AWS::Region": "us-east-1", **dict(parameters)}, ManagedPolicies()
        )
    except InvalidDocumentException as exc:  # pragma: no cover - the assertion message
        pytest.fail("\n".join(cause.message for cause in exc.causes))
    return output


def transformed(**parameters: str) -> dict[str, Any]:
    """What CloudFormation deploys: the template through the real SAM transform (cached).

    cfn-lint checks SAM resources by schema, it does not transform: roles, versions, the alias,
    routes and permissions only exist in this output.
    """
    pytest.importorskip("samtranslator", reason="aws-sam-translator is not installed")
    return copy.deepcopy(_transform(tuple(sorted(parameters.items()))))


def parameter_references(value: Any) -> Iterator[str]:
    """Template parameters a literal structure refers to (`!Ref` and `${...}` in `!Sub`)."""
    parameters = TEMPLATE["Parameters"]
    if isinstance(value, str):
        names = [value, *re.findall(r"\$\{(\w+)\}", value)]
        yield from (name for name in names if name in parameters)
    elif isinstance(value, dict):
        for item in value.values():
            yield from parameter_references(item)
    elif isinstance(value, list):
        for item in value:
            yield from parameter_references(item)


def deployed_statements(role: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every statement of a transformed role's inline policies, conditional ones included."""
    for policy in role.get("Policies", []):
        for statement in policy["PolicyDocument"]["Statement"]:
            if "Fn::If" in statement:  # [condition, statement, {"Ref": "AWS::NoValue"}]
                statement = statement["Fn::If"][1]
            yield statement

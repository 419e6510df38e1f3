"""template.yaml: cfn-lint clean, and the deployment contract the Python code relies on."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from devtools.template_tables import DEFAULT_TEMPLATE_PATH, load_template
from handler import settings as env
from handler.settings import Settings

TEMPLATE_PATH = DEFAULT_TEMPLATE_PATH
EVENTS = TEMPLATE_PATH.parent / "events"
TEMPLATE = load_template(TEMPLATE_PATH)
RESOURCES: dict[str, Any] = TEMPLATE["Resources"]

API_READ_ACTIONS = {"dynamodb:GetItem", "dynamodb:Query"}
# Exactly the calls catalog.sync makes (BatchWriteItem needs no PutItem/DeleteItem grant).
SYNC_TABLE_ACTIONS = {
    "dynamodb:Query",
    "dynamodb:GetItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:UpdateItem",
}


def function(logical_id: str) -> dict[str, Any]:
    """A function's Properties with the template's Globals applied (top-level keys)."""
    resource = RESOURCES[logical_id]
    assert resource["Type"] == "AWS::Serverless::Function"
    merged: dict[str, Any] = copy.deepcopy(TEMPLATE.get("Globals", {}).get("Function", {}))
    merged.update(resource["Properties"])
    return merged


def statements(properties: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every IAM statement of a function's Policies, conditional ones (`!If`) included."""
    for policy in properties.get("Policies", []):
        assert isinstance(policy, dict), (
            f"policy templates and managed policies are too broad: {policy}"
        )
        assert set(policy) <= {"Version", "Statement"}, f"not an inline policy document: {policy}"
        for statement in policy["Statement"]:
            # `!If [Condition, statement, !Ref AWS::NoValue]` reads as a plain list.
            candidates = statement if isinstance(statement, list) else [statement]
            yield from (s for s in candidates if isinstance(s, dict))


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


def test_cfn_lint_reports_no_error_and_no_warning() -> None:
    findings = [f for f in cfn_lint(TEMPLATE_PATH) if f["Level"] in {"Error", "Warning"}]
    assert findings == [], "\n".join(
        f"{f['Rule']['Id']} {f['Level']} {TEMPLATE_PATH.name}:"
        f"{f['Location']['Start']['LineNumber']}: {f['Message']}"
        for f in findings
    )


def test_cfn_lint_would_catch_a_broken_template(tmp_path: Path) -> None:
    """The lint test is not vacuous: a wrong reference and a wrong type are errors."""
    broken = tmp_path / "template.yaml"
    broken.write_text(
        TEMPLATE_PATH.read_text()
        .replace("ReservedConcurrentExecutions: 1", "ReservedConcurrentExecutions: one")
        .replace("Destination: !GetAtt SyncDeadLetterQueue.Arn", "Destination: !GetAtt NoSuch.Arn")
    )
    rules = {f["Rule"]["Id"] for f in cfn_lint(broken) if f["Level"] == "Error"}
    assert {"E3012", "E1010"} <= rules


def test_sam_transform_accepts_the_template() -> None:
    """The real SAM transform: cfn-lint checks SAM resources by schema, it does not transform."""
    pytest.importorskip("samtranslator", reason="aws-sam-translator is not installed")
    from samtranslator.public.exceptions import InvalidDocumentException
    from samtranslator.translator.transform import transform
    from samtranslator.yaml_helper import yaml_parse

    class ManagedPolicies:
        def load(self) -> dict[str, str]:
            arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
            return {"AWSLambdaBasicExecutionRole": arn}

    document = yaml_parse(TEMPLATE_PATH.read_text())
    for resource in document["Resources"].values():
        if resource["Type"] == "AWS::Serverless::Function":
            resource["Properties"]["CodeUri"] = "s3://bucket/artifact.zip"  # as `sam package` does
    try:
        output = transform(document, {"AWS::Region": "us-east-1"}, ManagedPolicies())
    except InvalidDocumentException as exc:  # pragma: no cover - the assertion message
        pytest.fail("\n".join(cause.message for cause in exc.causes))
    types = {r["Type"] for r in output["Resources"].values()}
    assert {"AWS::Lambda::Function", "AWS::ApiGatewayV2::Api", "AWS::Scheduler::Schedule"} <= types
    # What CloudFormation receives: the dev key entry is AWS::NoValue, which it removes.
    api = output["Resources"]["ModelsApiFunction"]["Properties"]["Environment"]["Variables"]
    assert api[env.DEV_API_KEY] == {"Ref": "AWS::NoValue"}


def test_api_function_handler_runtime_and_architecture() -> None:
    api = function("ModelsApiFunction")
    assert api["Handler"] == "handler.api.lambda_handler"
    assert api["Runtime"] in {"python3.12", "python3.13"}
    assert api["Architectures"] == ["x86_64"]
    assert api["CodeUri"] == "."


def test_api_routes_are_exactly_the_three_http_api_routes() -> None:
    events = function("ModelsApiFunction")["Events"].values()
    assert {e["Type"] for e in events} == {"HttpApi"}
    assert {e["Properties"]["ApiId"] for e in events} == {"HttpApi"}
    assert {(e["Properties"]["Method"], e["Properties"]["Path"]) for e in events} == {
        ("GET", "/v1/models"),
        ("GET", "/v1/models/{proxy+}"),
        ("GET", "/health"),
    }


def test_api_environment_matches_settings() -> None:
    variables = function("ModelsApiFunction")["Environment"]["Variables"]
    assert variables == {
        env.MODELS_TABLE: "ModelsTable",
        env.API_KEYS_TABLE: "ApiKeysTable",
        env.CATALOG_CACHE_TTL: "CatalogCacheTtl",
        env.DEV_API_KEY: "AWS::NoValue",
    }


def test_sync_function_environment_matches_settings() -> None:
    sync = function("CatalogSyncFunction")
    assert sync["Handler"] == "handler.sync.lambda_handler"
    variables = sync["Environment"]["Variables"]
    assert set(variables) == {
        env.MODELS_TABLE,
        env.CATALOG_SOURCE,
        env.SYNC_MAX_REMOVE_FRACTION,
        env.CATALOG_EVENT_BUS,
    }
    assert variables[env.MODELS_TABLE] == "ModelsTable"
    # !If [HasCatalogBucket, !Sub "s3://${CatalogSourceBucket}/${CatalogSourceKey}", bundled]
    assert variables[env.CATALOG_SOURCE] == [
        "HasCatalogBucket",
        "s3://${CatalogSourceBucket}/${CatalogSourceKey}",
        "bundled",
    ]


def test_the_dev_api_key_is_declared_for_sam_local_but_never_given_a_value() -> None:
    """SAM CLI injects only declared variables; CloudFormation drops an AWS::NoValue entry."""
    text = TEMPLATE_PATH.read_text()
    assert text.count(f"{env.DEV_API_KEY}:") == 1
    assert f"{env.DEV_API_KEY}: !Ref AWS::NoValue" in text
    for logical_id in ("ModelsApiFunction", "CatalogSyncFunction"):
        variables = function(logical_id)["Environment"]["Variables"]
        assert variables.get(env.DEV_API_KEY, "AWS::NoValue") == "AWS::NoValue"


def test_api_function_may_only_read_the_two_tables() -> None:
    granted = list(statements(function("ModelsApiFunction")))
    assert granted
    for statement in granted:
        assert statement["Effect"] == "Allow"
        actions = set(as_list(statement["Action"]))
        resources = set(as_list(statement["Resource"]))
        assert actions <= API_READ_ACTIONS, statement
        assert resources <= {"ModelsTable.Arn", "ApiKeysTable.Arn"}, statement
        if "ApiKeysTable.Arn" in resources:
            assert actions == {"dynamodb:GetItem"}, statement


def test_sync_function_permissions_are_scoped() -> None:
    sync = function("CatalogSyncFunction")
    assert sync["ReservedConcurrentExecutions"] == 1
    by_resource = {
        json.dumps(statement["Resource"]): set(as_list(statement["Action"]))
        for statement in statements(sync)
    }
    assert by_resource == {
        '"ModelsTable.Arn"': SYNC_TABLE_ACTIONS,
        '"arn:${AWS::Partition}:s3:::${CatalogSourceBucket}/${CatalogSourceKey}"': {"s3:GetObject"},
        '"arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/'
        '${CatalogEventBusName}"': {"events:PutEvents"},
    }
    conditional = [s[0] for p in sync["Policies"] for s in p["Statement"] if isinstance(s, list)]
    assert sorted(conditional) == ["HasCatalogBucket", "PublishEvents"]


def test_sync_runs_on_the_schedule_with_retries_and_a_dead_letter_queue() -> None:
    (schedule,) = function("CatalogSyncFunction")["Events"].values()
    assert schedule["Type"] in {"Schedule", "ScheduleV2"}
    properties = schedule["Properties"]
    expression = properties.get("Schedule", properties.get("ScheduleExpression"))
    assert expression == "SyncSchedule"
    assert properties["RetryPolicy"] == {
        "MaximumRetryAttempts": 2,
        "MaximumEventAgeInSeconds": 3600,
    }
    assert properties["DeadLetterConfig"]["Arn"] == "SyncDeadLetterQueue.Arn"
    queue = RESOURCES["SyncDeadLetterQueue"]["Properties"]
    assert queue == {"MessageRetentionPeriod": 14 * 24 * 3600, "SqsManagedSseEnabled": True}


def test_sync_errors_alarm() -> None:
    alarm = RESOURCES["SyncErrorsAlarm"]["Properties"]
    assert (alarm["Namespace"], alarm["MetricName"]) == ("AWS/Lambda", "Errors")
    assert alarm["Dimensions"] == [{"Name": "FunctionName", "Value": "CatalogSyncFunction"}]
    assert (alarm["Statistic"], alarm["Period"], alarm["EvaluationPeriods"]) == ("Sum", 3600, 1)
    assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    assert alarm["Threshold"] == 1
    assert alarm["TreatMissingData"] == "notBreaching"


@pytest.mark.parametrize("logical_id", ["ModelsTable", "ApiKeysTable"])
def test_tables_are_retained_recoverable_encrypted_and_on_demand(logical_id: str) -> None:
    table = RESOURCES[logical_id]
    assert table["Type"] == "AWS::DynamoDB::Table"
    assert table["DeletionPolicy"] == "Retain"
    assert table["UpdateReplacePolicy"] == "Retain"
    properties = table["Properties"]
    assert properties["BillingMode"] == "PAY_PER_REQUEST"
    assert properties["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert properties["SSESpecification"] == {"SSEEnabled": True}
    assert properties["DeletionProtectionEnabled"] is True
    assert "TableName" not in properties  # CloudFormation names it: stacks never collide


def test_every_table_is_covered_above() -> None:
    tables = {k for k, r in RESOURCES.items() if r["Type"] == "AWS::DynamoDB::Table"}
    assert tables == {"ModelsTable", "ApiKeysTable"}


def test_outputs() -> None:
    outputs = TEMPLATE["Outputs"]
    assert outputs["ApiUrl"]["Value"] == (
        "https://${HttpApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/"
    )
    assert {
        "ModelsTableName",
        "ApiKeysTableName",
        "ModelsApiFunctionName",
        "CatalogSyncFunctionName",
        "SyncDeadLetterQueueUrl",
    } <= set(outputs)


def test_every_parameter_has_a_description_and_a_default() -> None:
    for name, parameter in TEMPLATE["Parameters"].items():
        assert parameter.get("Description"), name
        assert "Default" in parameter, name


def test_sam_local_env_file_overrides_only_declared_variables() -> None:
    """`sam local --env-vars` silently ignores a variable the template does not declare."""
    sam_env: dict[str, dict[str, str]] = json.loads((EVENTS / "env.json").read_text())
    assert sam_env["ModelsApiFunction"][env.DEV_API_KEY]
    for logical_id, variables in sam_env.items():
        declared = set(function(logical_id)["Environment"]["Variables"])
        assert set(variables) <= declared, logical_id


@pytest.mark.parametrize(
    ("parameter", "variable"),
    [
        ("CatalogCacheTtl", env.CATALOG_CACHE_TTL),
        ("SyncMaxRemoveFraction", env.SYNC_MAX_REMOVE_FRACTION),
    ],
)
def test_a_default_is_stated_once_in_settings_not_again_in_the_template(
    parameter: str, variable: str
) -> None:
    """An empty parameter passes an empty variable, which Settings reads as its own default."""
    assert TEMPLATE["Parameters"][parameter]["Default"] == ""
    assert Settings.from_environ({variable: ""}) == Settings()

"""template.yaml: cfn-lint clean, and the deployment contract the Python code relies on."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from handler import metrics
from handler import settings as env
from handler.settings import Settings
from tests.support.docs import DOCUMENTATION
from tests.support.template import (
    ALIAS,
    API_CATALOG_ACTIONS,
    API_KEYS_ACTIONS,
    EVENTS,
    FUNCTIONS,
    LOG_ACTIONS,
    RESOURCES,
    SYNC_TABLE_ACTIONS,
    TEMPLATE,
    TEMPLATE_PATH,
    as_list,
    by_resource,
    cfn_lint,
    conditions_of,
    deployed_statements,
    function,
    parameter_references,
    role_of,
    transformed,
)


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


def of_type(output: dict[str, Any], resource_type: str) -> dict[str, dict[str, Any]]:
    return {k: r for k, r in output["Resources"].items() if r["Type"] == resource_type}


def test_sam_transform_accepts_the_template() -> None:
    output = transformed()
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


def test_api_has_one_route_the_default_one_to_the_function() -> None:
    """Every method on every path reaches the app, which answers with OpenAI-shaped errors."""
    (event,) = function("ModelsApiFunction")["Events"].values()
    # No Path and no Method: SAM's `$default` route.
    assert event == {"Type": "HttpApi", "Properties": {"ApiId": "HttpApi"}}

    output = transformed()
    (api,) = of_type(output, "AWS::ApiGatewayV2::Api").values()
    paths = api["Properties"]["Body"]["paths"]
    assert list(paths) == ["/$default"]
    assert list(paths["/$default"]) == ["x-amazon-apigateway-any-method"]
    assert paths["/$default"]["x-amazon-apigateway-any-method"]["isDefaultRoute"] is True
    routes = of_type(output, "AWS::ApiGatewayV2::Route")
    assert routes == {}  # none besides the body's


def test_the_api_invokes_the_snapstart_alias_never_latest() -> None:
    """SnapStart applies to published versions only: API Gateway must invoke the alias."""
    api = function("ModelsApiFunction")
    assert api["SnapStart"] == {"ApplyOn": "PublishedVersions"}
    assert api["AutoPublishAlias"] == ALIAS
    assert api["AutoPublishAliasAllProperties"] is True
    assert api["Runtime"] in {"python3.12", "python3.13"}  # SnapStart for Python: 3.12+

    output = transformed()
    resources = output["Resources"]
    assert resources["ModelsApiFunction"]["Properties"]["SnapStart"] == {
        "ApplyOn": "PublishedVersions"
    }
    (alias_id,) = of_type(output, "AWS::Lambda::Alias")
    alias = resources[alias_id]["Properties"]
    (version_id,) = of_type(output, "AWS::Lambda::Version")
    assert alias == {
        "Name": ALIAS,
        "FunctionName": {"Ref": "ModelsApiFunction"},
        "FunctionVersion": {"Fn::GetAtt": [version_id, "Version"]},
    }
    assert resources[version_id]["Properties"]["FunctionName"] == {"Ref": "ModelsApiFunction"}

    (api,) = of_type(output, "AWS::ApiGatewayV2::Api").values()
    integration = api["Properties"]["Body"]["paths"]["/$default"]["x-amazon-apigateway-any-method"][
        "x-amazon-apigateway-integration"
    ]
    assert integration["type"] == "aws_proxy"
    assert integration["payloadFormatVersion"] == "2.0"
    assert integration["uri"] == {
        "Fn::Sub": "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/"
        f"functions/${{{alias_id}}}/invocations"
    }
    # API Gateway may invoke the alias, from this API only, and nothing else.
    permissions = list(of_type(output, "AWS::Lambda::Permission").values())
    assert len(permissions) == 1
    permission = permissions[0]["Properties"]
    assert permission["FunctionName"] == {"Ref": alias_id}
    assert permission["Principal"] == "apigateway.amazonaws.com"
    assert permission["SourceArn"]["Fn::Sub"][1]["__ApiId__"] == {"Ref": "HttpApi"}
    assert TEMPLATE["Outputs"]["ModelsApiFunctionAlias"]["Value"] == "ModelsApiFunction.Alias"


def test_a_parameter_the_published_version_reads_publishes_a_new_version() -> None:
    """SAM hashes the function's properties unresolved: a parameter-only change keeps the version.

    A version's Description cannot change in place, so VersionDescription naming every parameter
    the version's configuration reads makes CloudFormation publish a new version (and move the
    alias) when one of them changes. ReservedConcurrentExecutions is the function's, not a
    version's; Events and VersionDescription are not version configuration.
    """
    api = function("ModelsApiFunction")
    outside = {"ReservedConcurrentExecutions", "Events", "VersionDescription"}
    read = set(parameter_references({k: v for k, v in api.items() if k not in outside}))
    assert read  # CatalogCacheTtl at least
    description = api["VersionDescription"]
    assert set(re.findall(r"\$\{(\w+)\}", description)) == read
    # The premise, checked: the version's logical id ignores such a parameter's value...
    assert "CatalogCacheTtl" in read
    assert api["Environment"]["Variables"][env.CATALOG_CACHE_TTL] == "CatalogCacheTtl"
    versions = [
        set(of_type(transformed(CatalogCacheTtl=value), "AWS::Lambda::Version"))
        for value in ("", "5")
    ]
    assert versions[0] == versions[1]
    # ...while the version's Description carries it.
    (version,) = of_type(transformed(), "AWS::Lambda::Version").values()
    assert version["Properties"]["Description"] == {"Fn::Sub": description}


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
        env.LIFECYCLE_WARNING_DAYS,
    }
    assert variables[env.MODELS_TABLE] == "ModelsTable"
    assert variables[env.LIFECYCLE_WARNING_DAYS] == "LifecycleWarningDays"
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


def test_api_function_may_only_read_the_two_tables_and_write_its_logs() -> None:
    api = function("ModelsApiFunction")
    assert "Policies" not in api  # SAM ignores Policies on a function with its own Role
    assert by_resource(role_of("ModelsApiFunction")) == {
        '"ModelsApiLogGroup.Arn"': LOG_ACTIONS,
        '"ModelsTable.Arn"': API_CATALOG_ACTIONS,
        '"ApiKeysTable.Arn"': API_KEYS_ACTIONS,
    }


def test_sync_function_permissions_are_scoped() -> None:
    sync = function("CatalogSyncFunction")
    assert sync["ReservedConcurrentExecutions"] == 1
    assert "Policies" not in sync
    role = role_of("CatalogSyncFunction")
    assert by_resource(role) == {
        '"CatalogSyncLogGroup.Arn"': LOG_ACTIONS,
        '"ModelsTable.Arn"': SYNC_TABLE_ACTIONS,
        # Where Lambda sends a run that failed every retry (EventInvokeConfig), as the function.
        '"SyncDeadLetterQueue.Arn"': {"sqs:SendMessage"},
        '"arn:${AWS::Partition}:s3:::${CatalogSourceBucket}/${CatalogSourceKey}"': {"s3:GetObject"},
        '"arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/'
        '${CatalogEventBusName}"': {"events:PutEvents"},
    }
    conditional = conditions_of(role)
    assert sorted(conditional) == ["HasCatalogBucket", "PublishEvents"]
    destination = sync["EventInvokeConfig"]["DestinationConfig"]["OnFailure"]["Destination"]
    assert destination == "SyncDeadLetterQueue.Arn"


@pytest.mark.parametrize("logical_id", FUNCTIONS)
def test_a_function_may_write_logs_only_to_its_own_log_group(logical_id: str) -> None:
    """Through the transform: no managed AWSLambdaBasicExecutionRole (logs on `*`), no `*`."""
    output = transformed()
    resources = output["Resources"]
    properties = resources[logical_id]["Properties"]
    own_group = properties["LoggingConfig"]["LogGroup"]["Ref"]
    assert resources[own_group]["Type"] == "AWS::Logs::LogGroup"
    role_id, attribute = properties["Role"]["Fn::GetAtt"]
    assert attribute == "Arn"
    role = resources[role_id]["Properties"]
    assert "ManagedPolicyArns" not in role
    assert role["AssumeRolePolicyDocument"]["Statement"] == [
        {
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ]
    logs = []
    for statement in deployed_statements(role):
        # The one wildcard allowed: the audit's reports, objects under audits/ of one bucket.
        resource = json.dumps(statement["Resource"]).replace("}/audits/*", "}/audits/")
        assert "*" not in resource, statement
        actions = set(as_list(statement["Action"]))
        if any(action.startswith("logs:") for action in actions):
            logs.append((actions, statement["Resource"]))
    # The group's Arn attribute is `arn:...:log-group:<name>:*`: its own streams, nothing else.
    assert logs == [(LOG_ACTIONS, {"Fn::GetAtt": [own_group, "Arn"]})]


def test_no_role_in_the_stack_allows_anything_on_every_resource() -> None:
    """The roles SAM still generates (the schedule's) included."""
    roles = of_type(transformed(), "AWS::IAM::Role")
    assert len(roles) == 5  # the three functions' and the two schedules'
    for logical_id, role in roles.items():
        assert "ManagedPolicyArns" not in role["Properties"], logical_id
        for statement in deployed_statements(role["Properties"]):
            assert "*" not in as_list(statement["Resource"]), (logical_id, statement)
            assert "*" not in as_list(statement["Action"]), (logical_id, statement)


def test_api_reserved_concurrency_is_a_parameter_empty_meaning_unreserved() -> None:
    api = function("ModelsApiFunction")
    # !If [HasApiReservedConcurrency, !Ref ApiReservedConcurrency, !Ref AWS::NoValue]
    assert api["ReservedConcurrentExecutions"] == [
        "HasApiReservedConcurrency",
        "ApiReservedConcurrency",
        "AWS::NoValue",
    ]
    assert TEMPLATE["Conditions"]["HasApiReservedConcurrency"] == [["ApiReservedConcurrency", ""]]
    parameter = TEMPLATE["Parameters"]["ApiReservedConcurrency"]
    assert parameter["Default"] == ""
    pattern = re.compile(parameter["AllowedPattern"])
    assert [v for v in ("", "1", "25", "100") if not pattern.fullmatch(v)] == []
    assert [v for v in ("0", "-1", "1.5", "ten", "01") if pattern.fullmatch(v)] == []


def test_api_throttling_comes_from_the_two_parameters() -> None:
    settings = RESOURCES["HttpApi"]["Properties"]["DefaultRouteSettings"]
    assert settings == {
        "ThrottlingBurstLimit": "ApiThrottlingBurstLimit",
        "ThrottlingRateLimit": "ApiThrottlingRateLimit",
    }
    for name in ("ApiThrottlingBurstLimit", "ApiThrottlingRateLimit"):
        parameter = TEMPLATE["Parameters"][name]
        assert parameter["Type"] == "Number"
        assert parameter["MinValue"] >= 1  # 0 would refuse every request
    (stage,) = of_type(transformed(), "AWS::ApiGatewayV2::Stage").values()
    assert stage["Properties"]["DefaultRouteSettings"] == {
        "ThrottlingBurstLimit": {"Ref": "ApiThrottlingBurstLimit"},
        "ThrottlingRateLimit": {"Ref": "ApiThrottlingRateLimit"},
    }


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


@pytest.mark.parametrize(
    ("logical_id", "metric", "statistic", "periods", "threshold", "comparison"),
    [
        ("ApiErrorsAlarm", "Errors", "Sum", 1, 1, "GreaterThanOrEqualToThreshold"),
        ("ApiThrottlesAlarm", "Throttles", "Sum", 1, 1, "GreaterThanOrEqualToThreshold"),
        (
            "ApiDurationAlarm",
            "Duration",
            "p99",
            3,
            "ApiDurationP99ThresholdMs",
            "GreaterThanThreshold",
        ),
    ],
)
def test_api_function_alarms(
    logical_id: str,
    metric: str,
    statistic: str,
    periods: int,
    threshold: int | str,
    comparison: str,
) -> None:
    alarm = RESOURCES[logical_id]["Properties"]
    assert (alarm["Namespace"], alarm["MetricName"]) == ("AWS/Lambda", metric)
    # FunctionName alone: every version and alias together, so the alarm follows `live`.
    assert alarm["Dimensions"] == [{"Name": "FunctionName", "Value": "ModelsApiFunction"}]
    assert alarm.get("Statistic", alarm.get("ExtendedStatistic")) == statistic
    assert alarm["Period"] == 300
    assert alarm["EvaluationPeriods"] == alarm.get("DatapointsToAlarm", 1) == periods
    assert alarm["Threshold"] == threshold
    assert alarm["ComparisonOperator"] == comparison
    assert alarm["TreatMissingData"] == "notBreaching"


def test_api_duration_threshold_is_below_the_function_timeout() -> None:
    parameter = TEMPLATE["Parameters"]["ApiDurationP99ThresholdMs"]
    timeout_ms = function("ModelsApiFunction")["Timeout"] * 1000
    assert parameter["MinValue"] >= 1
    assert parameter["Default"] < parameter["MaxValue"] <= timeout_ms


def test_catalog_degraded_alarm_watches_the_metric_the_api_emits() -> None:
    """handler/metrics.py's embedded-metric names, and the function name Lambda gives it."""
    alarm = RESOURCES["CatalogDegradedAlarm"]["Properties"]
    assert (alarm["Namespace"], alarm["MetricName"]) == (
        metrics.NAMESPACE,
        metrics.CATALOG_DEGRADED,
    )
    assert alarm["Dimensions"] == [{"Name": metrics.DIMENSION, "Value": "ModelsApiFunction"}]
    assert (alarm["Namespace"], alarm["MetricName"]) == (
        "AssistantRouter/Models",
        "CatalogDegraded",
    )
    assert alarm["Statistic"] == "Maximum"
    assert (alarm["Period"], alarm["EvaluationPeriods"], alarm["DatapointsToAlarm"]) == (300, 3, 3)
    assert alarm["Threshold"] == 1
    assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    assert alarm["TreatMissingData"] == "notBreaching"


@pytest.mark.parametrize(
    ("logical_id", "metric"),
    [
        ("ModelRetiredStillListedAlarm", metrics.MODELS_RETIRED_LISTED),
        ("ModelShutdownSoonAlarm", metrics.MODELS_SHUTTING_DOWN_SOON),
    ],
)
def test_lifecycle_alarms_watch_the_metrics_the_sync_emits(logical_id: str, metric: str) -> None:
    """handler/metrics.py's embedded-metric names, and the sync function's name Lambda gives it;
    one datapoint per run, one run an hour by default: any listed model in the hour alarms."""
    alarm = RESOURCES[logical_id]["Properties"]
    assert (alarm["Namespace"], alarm["MetricName"]) == (metrics.NAMESPACE, metric)
    assert alarm["Dimensions"] == [{"Name": metrics.DIMENSION, "Value": "CatalogSyncFunction"}]
    assert metric in {"ModelsRetiredListed", "ModelsShuttingDownSoon"}
    assert alarm["Statistic"] == "Maximum"
    assert (alarm["Period"], alarm["EvaluationPeriods"]) == (3600, 1)
    assert alarm.get("DatapointsToAlarm", 1) == 1
    assert TEMPLATE["Parameters"]["SyncSchedule"]["Default"] == "rate(1 hour)"
    assert alarm["Threshold"] == 1
    assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    assert alarm["TreatMissingData"] == "notBreaching"


def test_the_warning_days_parameter_accepts_what_settings_accept() -> None:
    parameter = TEMPLATE["Parameters"]["LifecycleWarningDays"]
    pattern = re.compile(parameter["AllowedPattern"])
    for value in ("", "0", "30", "3650"):
        assert pattern.fullmatch(value), value
        Settings.from_environ({env.LIFECYCLE_WARNING_DAYS: value})
    for value in ("-1", "7.5", "30d", "1e2"):
        assert not pattern.fullmatch(value), value


def test_every_alarm_notifies_the_alarm_topic_when_one_is_set() -> None:
    alarms = {
        k: r["Properties"] for k, r in RESOURCES.items() if r["Type"] == "AWS::CloudWatch::Alarm"
    }
    assert set(alarms) == {
        "SyncErrorsAlarm",
        "SyncDeadLetterAlarm",
        "ApiErrorsAlarm",
        "ApiThrottlesAlarm",
        "ApiDurationAlarm",
        "CatalogDegradedAlarm",
        "ModelRetiredStillListedAlarm",
        "ModelShutdownSoonAlarm",
        "AuditDeadLetterAlarm",
        "AuditDriftPersistsAlarm",
        "AuditOpenAIFailedAlarm",
        "AuditAnthropicFailedAlarm",
        "AuditGeminiFailedAlarm",
    }
    notify = ["HasAlarmTopic", ["AlarmTopicArn"], "AWS::NoValue"]
    for logical_id, alarm in alarms.items():
        assert alarm["AlarmActions"] == alarm["OKActions"] == notify, logical_id
        assert alarm["AlarmDescription"], logical_id


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


def readme_parameter_table() -> dict[str, str]:
    """README "Deploy"'s parameter table: parameter -> default column, as written."""
    section = DOCUMENTATION.split("\n## Deploy\n", 1)[1]
    table = section.split("\n| parameter | default | meaning |\n", 1)[1].split("\n\n", 1)[0]
    rows = re.findall(r"^\| `([A-Za-z0-9]+)` \| ([^|]*) \|", table, flags=re.MULTILINE)
    return {name: default.strip() for name, default in rows}


def test_readme_states_every_parameter_with_the_templates_default() -> None:
    """Defaults are stated once, in the template; README quotes them and must not drift."""
    table = readme_parameter_table()
    expected = {
        name: f"`{parameter['Default']}`" if parameter["Default"] != "" else "empty"
        for name, parameter in TEMPLATE["Parameters"].items()
    }
    assert table == expected


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
        ("LifecycleWarningDays", env.LIFECYCLE_WARNING_DAYS),
    ],
)
def test_a_default_is_stated_once_in_settings_not_again_in_the_template(
    parameter: str, variable: str
) -> None:
    """An empty parameter passes an empty variable, which Settings reads as its own default."""
    assert TEMPLATE["Parameters"][parameter]["Default"] == ""
    assert Settings.from_environ({variable: ""}) == Settings()

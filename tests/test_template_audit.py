"""template.yaml's AuditFunction: the contract handler/audit_job.py and its metrics rely on."""

from __future__ import annotations

import re
from typing import Any

import pytest

from handler import audit_metrics, metrics
from handler import settings as env
from handler.settings import AuditSettings
from tests.support.template import (
    RESOURCES,
    TEMPLATE,
    by_resource,
    conditions_of,
    function,
    role_of,
    transformed,
)

PROVIDERS = {
    "AuditOpenAIFailedAlarm": "openai",
    "AuditAnthropicFailedAlarm": "anthropic",
    "AuditGeminiFailedAlarm": "gemini",
}


def test_audit_function_entry_point_and_environment_match_settings() -> None:
    audit = function("AuditFunction")
    assert audit["Handler"] == "handler.audit.lambda_handler"
    assert audit["Timeout"] >= 3 * AuditSettings().provider_timeout + 60
    assert audit["Environment"]["Variables"] == {
        env.MODELS_TABLE: "ModelsTable",
        env.CATALOG_EVENT_BUS: "CatalogEventBusName",
        env.PROVIDER_KEYS_SECRET_ARN: "ProviderKeysSecretArn",
        env.AUDIT_REPORT_BUCKET: "CatalogSourceBucket",
    }
    # Its own artifact: built by the Makefile target of its name.
    assert RESOURCES["AuditFunction"]["Metadata"] == {"BuildMethod": "makefile"}


def test_audit_permissions_are_least_privilege() -> None:
    assert "Policies" not in function("AuditFunction")
    role = role_of("AuditFunction")
    assert by_resource(role) == {
        '"AuditLogGroup.Arn"': {"logs:CreateLogStream", "logs:PutLogEvents"},
        # Read as the API reads it: no Query, no write of any kind.
        '"ModelsTable.Arn"': {"dynamodb:GetItem", "dynamodb:BatchGetItem"},
        '"AuditDeadLetterQueue.Arn"': {"sqs:SendMessage"},
        # That one secret, nothing else of Secrets Manager.
        '"ProviderKeysSecretArn"': {"secretsmanager:GetSecretValue"},
        '"arn:${AWS::Partition}:s3:::${CatalogSourceBucket}/audits/*"': {"s3:PutObject"},
        '"arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/'
        '${CatalogEventBusName}"': {"events:PutEvents"},
    }
    conditional = conditions_of(role)
    assert sorted(conditional) == ["HasCatalogBucket", "HasProviderKeysSecret", "PublishEvents"]


def test_without_a_secret_the_role_reads_no_secret_at_all() -> None:
    output = transformed(ProviderKeysSecretArn="")
    role = output["Resources"]["AuditFunctionRole"]["Properties"]
    text = repr(role)
    assert "secretsmanager" in text  # the conditional statement is there...
    assert output["Conditions"]["HasProviderKeysSecret"] == {
        "Fn::Not": [{"Fn::Equals": [{"Ref": "ProviderKeysSecretArn"}, ""]}]
    }


def test_the_secret_parameter_accepts_a_secret_arn_or_nothing() -> None:
    pattern = re.compile(TEMPLATE["Parameters"]["ProviderKeysSecretArn"]["AllowedPattern"])
    assert pattern.fullmatch("")
    assert pattern.fullmatch(
        "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/provider-keys-AbC123"
    )
    for bad in (
        "provider-keys",
        "arn:aws:s3:::bucket",
        "arn:aws:secretsmanager:eu-west-1:1:secret:x",
    ):
        assert not pattern.fullmatch(bad), bad


def test_audit_runs_on_its_schedule_with_retries_and_its_own_dead_letter_queue() -> None:
    audit = function("AuditFunction")
    (schedule,) = audit["Events"].values()
    assert schedule["Type"] == "ScheduleV2"
    properties = schedule["Properties"]
    assert properties["ScheduleExpression"] == "AuditSchedule"
    assert TEMPLATE["Parameters"]["AuditSchedule"]["Default"] == "rate(1 day)"
    assert properties["DeadLetterConfig"]["Arn"] == "AuditDeadLetterQueue.Arn"
    destination = audit["EventInvokeConfig"]["DestinationConfig"]["OnFailure"]["Destination"]
    assert destination == "AuditDeadLetterQueue.Arn"
    assert (
        RESOURCES["AuditDeadLetterQueue"]["Properties"]
        == RESOURCES["SyncDeadLetterQueue"]["Properties"]
    )
    alarm = RESOURCES["AuditDeadLetterAlarm"]["Properties"]
    assert alarm["Dimensions"] == [{"Name": "QueueName", "Value": "AuditDeadLetterQueue.QueueName"}]


def daily_two_in_a_row(alarm: dict[str, Any]) -> None:
    assert alarm["Namespace"] == metrics.NAMESPACE
    assert alarm["Statistic"] == "Maximum"
    assert (alarm["Period"], alarm["EvaluationPeriods"], alarm["DatapointsToAlarm"]) == (
        86400,
        2,
        2,
    )
    assert alarm["Threshold"] == 1
    assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    assert alarm["TreatMissingData"] == "notBreaching"


def test_drift_alarm_watches_the_total_the_audit_emits_over_two_runs() -> None:
    alarm = RESOURCES["AuditDriftPersistsAlarm"]["Properties"]
    daily_two_in_a_row(alarm)
    assert alarm["MetricName"] == audit_metrics.MODELS_DRIFTED
    assert alarm["Dimensions"] == [{"Name": metrics.DIMENSION, "Value": "AuditFunction"}]


@pytest.mark.parametrize(("logical_id", "provider"), PROVIDERS.items())
def test_a_provider_failing_two_runs_in_a_row_alarms(logical_id: str, provider: str) -> None:
    from audit.providers import PROVIDER_NAMES

    alarm = RESOURCES[logical_id]["Properties"]
    daily_two_in_a_row(alarm)
    assert alarm["MetricName"] == audit_metrics.PROVIDER_AUDIT_FAILED
    assert alarm["Dimensions"] == [
        {"Name": metrics.DIMENSION, "Value": "AuditFunction"},
        {"Name": audit_metrics.PROVIDER_DIMENSION, "Value": provider},
    ]
    assert sorted(PROVIDERS.values()) == sorted(PROVIDER_NAMES)

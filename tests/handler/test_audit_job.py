"""The deployed audit against a moto stack: the keys from Secrets Manager, the published catalog
from DynamoDB, the report in S3, CatalogDrift on the bus, the EMF lines; never a table write."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from awsclients import AwsClients
from catalog.change_events import EVENT_SOURCE
from handler.audit_job import AuditConfigError, AuditHandler, provider_keys
from handler.settings import AuditSettings, Settings
from tests.support.audit import KEYS, NOW, agreeing_fakes, catalog_docs
from tests.support.environment import REGION
from tests.support.factories import publish
from tests.support.fake_providers import Served, anthropic_model, openai_model, serving

FUNCTION = "assistantrouter-AuditFunction"
BUCKET = "curated-catalog"
WRITES = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}


@pytest.fixture
def served() -> Iterator[dict[str, Served]]:
    with serving(*agreeing_fakes()) as served:
        yield served


@pytest.fixture
def secret_arn(aws: AwsClients) -> str:
    secret = aws.secretsmanager().create_secret(Name="provider-keys", SecretString=json.dumps(KEYS))
    arn: str = secret["ARN"]
    return arn


@pytest.fixture
def drift_queue(aws: AwsClients) -> str:
    """An SQS queue receiving every CatalogDrift of the default bus (a rule's target)."""
    sqs = boto3.client("sqs", region_name=REGION)
    url = sqs.create_queue(QueueName="drift")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    events = aws.events()
    events.put_rule(
        Name="drift",
        EventPattern=json.dumps({"source": [EVENT_SOURCE], "detail-type": ["CatalogDrift"]}),
    )
    events.put_targets(Rule="drift", Targets=[{"Id": "q", "Arn": arn}])
    return str(url)


def received(queue_url: str) -> list[dict[str, Any]]:
    sqs = boto3.client("sqs", region_name=REGION)
    messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
    return [json.loads(m["Body"]) for m in messages]


def count_dynamodb_writes(aws: AwsClients) -> list[str]:
    """Every write operation the stack's DynamoDB client sends, recorded on the wire."""
    calls: list[str] = []

    def record(model: Any, **_: Any) -> None:
        calls.append(model.name)

    aws.dynamodb().meta.events.register("before-call.dynamodb", record)
    return calls


def handler_for(
    aws: AwsClients, served: dict[str, Served], models_table: str, secret_arn: str, stream: Any
) -> AuditHandler:
    settings = Settings(
        models_table=models_table, catalog_event_bus="default", function_name=FUNCTION
    )
    audit = AuditSettings(
        base_urls={name: s.base_url for name, s in served.items()},
        provider_keys_secret_arn=secret_arn,
        report_bucket=BUCKET,
    )
    return AuditHandler(settings, audit, aws=aws, wall_clock=lambda: NOW, stream=stream)


def test_a_run_with_drift_reports_it_everywhere_and_writes_no_table(
    aws: AwsClients,
    models_table: str,
    served: dict[str, Served],
    secret_arn: str,
    drift_queue: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    publish(aws.dynamodb(), models_table, catalog_docs())
    aws.s3().create_bucket(Bucket=BUCKET)
    served["openai"].provider.models.append(openai_model("gpt-6-luna"))
    served["anthropic"].provider.models[0] = anthropic_model("claude-opus-5-5", max_tokens=128000)
    calls = count_dynamodb_writes(aws)
    emf = io.StringIO()
    caplog.set_level(logging.INFO)

    result = handler_for(aws, served, models_table, secret_arn, emf)({}, None)

    assert result["drift"] == 2
    assert result["exit_code"] == 2
    assert calls
    assert WRITES.isdisjoint(calls)
    # Keys from the secret: each fake saw its own.
    assert served["openai"].provider.requests[0].headers["authorization"] == (
        f"Bearer {KEYS['openai']}"
    )
    # The report, latest and dated, the same JSON.
    s3 = aws.s3()
    listed = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"])
    assert listed == ["audits/2026-12-01T000000Z.json", "audits/latest.json"]
    latest = json.loads(s3.get_object(Bucket=BUCKET, Key="audits/latest.json")["Body"].read())
    dated = json.loads(s3.get_object(Bucket=BUCKET, Key=listed[0])["Body"].read())
    assert latest == dated
    assert latest["schema"] == "assistantrouter.audit/1"
    assert latest["catalog"] == {
        "origin": f"catalog version 1 ({models_table})",
        "version": 1,
        "models": 6,
    }
    assert [(d["provider"], d["model"], d["kind"]) for d in latest["drift"]] == [
        ("openai", "gpt-6-luna", "new_upstream"),
        ("anthropic", "claude-opus-5-5", "limits"),
    ]
    assert result["report"] == f"s3://{BUCKET}/{listed[0]}"
    # The event.
    [event] = received(drift_queue)
    assert event["detail-type"] == "CatalogDrift"
    assert event["detail"]["drift"] == 2
    assert event["detail"]["report"] == result["report"]
    assert event["detail"]["entries"] == latest["drift"]
    # The metrics: one line per provider and the total.
    lines = [json.loads(line) for line in emf.getvalue().splitlines()]
    per_provider = {
        line["Provider"]: (line["ModelsDrifted"], line["ProviderAuditFailed"])
        for line in lines
        if "Provider" in line
    }
    assert per_provider == {"openai": (1, 0), "anthropic": (1, 0), "gemini": (0, 0)}
    [total] = [line for line in lines if "Provider" not in line]
    assert total["ModelsDrifted"] == 2
    for line in lines:
        [directive] = line["_aws"]["CloudWatchMetrics"]
        assert directive["Namespace"] == "AssistantRouter/Models"
        assert line["FunctionName"] == FUNCTION
        assert {m["Name"] for m in directive["Metrics"]} <= set(line)
    # Never a key, anywhere.
    everything = [emf.getvalue(), json.dumps(latest), json.dumps(event), json.dumps(result)]
    everything += [record.getMessage() for record in caplog.records]
    for key in KEYS.values():
        assert not any(key in text for text in everything)


def test_a_run_without_drift_sends_no_event_and_a_failure_is_a_metric(
    aws: AwsClients,
    models_table: str,
    served: dict[str, Served],
    secret_arn: str,
    drift_queue: str,
) -> None:
    from tests.support.fake_providers import Fault

    publish(aws.dynamodb(), models_table, catalog_docs())
    aws.s3().create_bucket(Bucket=BUCKET)
    served["gemini"].provider.fail(Fault(status=403))
    emf = io.StringIO()

    result = handler_for(aws, served, models_table, secret_arn, emf)({}, None)

    assert (result["drift"], result["failed"], result["exit_code"]) == (0, ["gemini"], 1)
    assert received(drift_queue) == []
    failed = {
        line["Provider"]: line["ProviderAuditFailed"]
        for line in map(json.loads, emf.getvalue().splitlines())
        if "Provider" in line
    }
    assert failed == {"openai": 0, "anthropic": 0, "gemini": 1}


def test_the_secret_names_the_keys_and_an_empty_one_skips_its_provider(
    aws: AwsClients, secret_arn: str
) -> None:
    assert provider_keys(AuditSettings(provider_keys_secret_arn=secret_arn), aws=aws) == KEYS
    sm = aws.secretsmanager()
    sm.put_secret_value(SecretId=secret_arn, SecretString=json.dumps({"openai": "sk-x"}))
    keys = provider_keys(AuditSettings(provider_keys_secret_arn=secret_arn), aws=aws)
    assert keys == {"openai": "sk-x", "anthropic": None, "gemini": None}


@pytest.mark.parametrize(
    "secret", ["sk-just-a-key-0123456789", '["sk-in-a-list-0123456789"]', '{"openai": 7}']
)
def test_a_secret_of_another_shape_fails_without_quoting_it(
    aws: AwsClients, secret_arn: str, secret: str
) -> None:
    aws.secretsmanager().put_secret_value(SecretId=secret_arn, SecretString=secret)
    with pytest.raises(AuditConfigError) as raised:
        provider_keys(AuditSettings(provider_keys_secret_arn=secret_arn), aws=aws)
    assert secret not in str(raised.value)
    assert "0123456789" not in str(raised.value)


def test_a_secret_that_cannot_be_read_fails_the_run(aws: AwsClients) -> None:
    missing = f"arn:aws:secretsmanager:{REGION}:123456789012:secret:gone-AbCdEf"
    with pytest.raises(AuditConfigError, match="ResourceNotFoundException"):
        provider_keys(AuditSettings(provider_keys_secret_arn=missing), aws=aws)


def test_nothing_published_fails_the_run(
    aws: AwsClients, models_table: str, served: dict[str, Served], secret_arn: str
) -> None:
    from catalog.errors import CatalogUnavailable

    with pytest.raises(CatalogUnavailable, match="nothing is published"):
        handler_for(aws, served, models_table, secret_arn, io.StringIO())({}, None)


def test_drift_that_cannot_be_announced_fails_the_run_after_the_report_is_stored(
    aws: AwsClients, models_table: str, served: dict[str, Served], secret_arn: str
) -> None:
    """The same publisher as the sync's CatalogChanged: a bus that refuses the event fails the
    run (Lambda retries it, then the DLQ), naming the event and the bus; the report stands."""
    from catalog.errors import EventPublishFailed

    publish(aws.dynamodb(), models_table, catalog_docs())
    aws.s3().create_bucket(Bucket=BUCKET)
    served["openai"].provider.models.append(openai_model("gpt-6-luna"))
    settings = Settings(models_table=models_table, catalog_event_bus="no-such-bus")
    audit = AuditSettings(
        base_urls={name: s.base_url for name, s in served.items()},
        provider_keys_secret_arn=secret_arn,
        report_bucket=BUCKET,
    )
    handler = AuditHandler(settings, audit, aws=aws, wall_clock=lambda: NOW, stream=io.StringIO())
    with pytest.raises(EventPublishFailed, match="CatalogDrift to bus no-such-bus"):
        handler({}, None)
    stored = aws.s3().list_objects_v2(Bucket=BUCKET)["Contents"]
    assert "audits/latest.json" in [item["Key"] for item in stored]


def test_the_event_may_name_the_providers(
    aws: AwsClients, models_table: str, served: dict[str, Served], secret_arn: str
) -> None:
    publish(aws.dynamodb(), models_table, catalog_docs())
    aws.s3().create_bucket(Bucket=BUCKET)
    handler = handler_for(aws, served, models_table, secret_arn, io.StringIO())
    handler({"providers": ["anthropic"]}, None)
    assert served["openai"].provider.requests == []
    assert len(served["anthropic"].provider.requests) == 1
    with pytest.raises(ValueError, match="list of provider names"):
        handler({"providers": "anthropic"}, None)
    with pytest.raises(AuditConfigError, match="unknown provider"):
        handler({"providers": ["mistral"]}, None)

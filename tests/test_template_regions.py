"""template.yaml in its three modes: one region, the writer region, a reader region; and routing.

Each mode is the template rendered as CloudFormation would for a stack with those parameters in
that region (tests/support/template_modes.py), then linted and put through the SAM transform.
The single-region mode is also tests/test_template.py's subject, test for test.
"""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from handler import settings as env
from tests.support.template import (
    API_CATALOG_ACTIONS,
    API_KEYS_ACTIONS,
    LOG_ACTIONS,
    SYNC_TABLE_ACTIONS,
    as_list,
    cfn_lint,
    deployed_statements,
    parameter_references,
)
from tests.support.template_modes import (
    READER,
    READER_REGION,
    ROUTING,
    SINGLE,
    WRITER,
    WRITER_REGION,
    load_long_form,
    plain,
    render,
)

LONG_FORM = load_long_form()
WRITER_JOBS = "WritesCatalog"  # the Condition of every resource of the writer's jobs
# (name, parameters, region): every mode and routing variant the template is linted in.
MODES = [
    ("single", SINGLE, WRITER_REGION),
    ("writer", WRITER, WRITER_REGION),
    ("writer, WriterRegion empty", {"ReplicaRegions": "eu-west-1"}, "us-west-2"),
    ("reader", READER, READER_REGION),
    (
        "writer, tables left out (migration)",
        {**WRITER, "GlobalTablesInStack": "false"},
        WRITER_REGION,
    ),
    ("single with a custom domain", ROUTING, WRITER_REGION),
    ("writer with routing", {**WRITER, **ROUTING}, WRITER_REGION),
    ("reader with routing", {**READER, **ROUTING}, READER_REGION),
    ("reader, domain without record", {**READER, **ROUTING, "HostedZoneId": ""}, READER_REGION),
    (
        "writer, four replicas, named tables",
        {
            "ReplicaRegions": "eu-west-1,ap-southeast-2,us-west-2,eu-central-1",
            "ModelsGlobalTableName": "prod-ModelsTable-1A2B3C",
            "ApiKeysGlobalTableName": "prod-ApiKeysTable-4D5E6F",
        },
        WRITER_REGION,
    ),
]
MODE_IDS = [name for name, _, _ in MODES]


def rendered(parameters: Mapping[str, str], region: str) -> dict[str, Any]:
    return render(LONG_FORM, parameters, region=region)


def resources(parameters: Mapping[str, str], region: str) -> dict[str, Any]:
    result: dict[str, Any] = rendered(parameters, region)["Resources"]
    return result


def deployed(parameters: Mapping[str, str], region: str) -> dict[str, Any]:
    """What CloudFormation deploys in this mode: the rendered template through SAM."""
    pytest.importorskip("samtranslator", reason="aws-sam-translator is not installed")
    from samtranslator.translator.transform import transform

    class ManagedPolicies:
        def load(self) -> dict[str, str]:
            return {}

    document = copy.deepcopy(rendered(parameters, region))
    for resource in document["Resources"].values():
        if resource["Type"] == "AWS::Serverless::Function":
            resource["Properties"]["CodeUri"] = "s3://bucket/artifact.zip"
    output: dict[str, Any] = transform(
        document, {"AWS::Region": region, **parameters}, ManagedPolicies()
    )
    return output


def of_type(resources: Mapping[str, Any], resource_type: str) -> dict[str, Any]:
    return {k: r for k, r in resources.items() if r["Type"] == resource_type}


def granted(role: Mapping[str, Any]) -> dict[str, set[str]]:
    """A deployed role's actions by resource (as JSON); `*` nowhere."""
    result: dict[str, set[str]] = {}
    for statement in deployed_statements(dict(role)):
        assert statement["Effect"] == "Allow"
        assert "*" not in json.dumps(statement["Resource"]), statement
        listed = statement["Resource"]
        for resource in listed if isinstance(listed, list) else [listed]:
            result.setdefault(json.dumps(resource), set()).update(as_list(statement["Action"]))
    return result


def replica_arn(derived_suffix: str, parameter: str | None = None) -> str:
    """The ARN of the local replica, as the reader's role names it (JSON)."""
    name: Any = (
        {"Ref": parameter} if parameter else {"Fn::Sub": f"${{AWS::StackName}}-{derived_suffix}"}
    )
    return json.dumps(
        {
            "Fn::Sub": [
                "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${Name}",
                {"Name": name},
            ]
        }
    )


# -- every mode lints ---------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "parameters", "region"), MODES, ids=MODE_IDS)
def test_cfn_lint_reports_nothing_in_every_mode(
    name: str, parameters: Mapping[str, str], region: str, tmp_path: Path
) -> None:
    path = tmp_path / "template.json"
    path.write_text(json.dumps(rendered(parameters, region)))
    findings = [f for f in cfn_lint(path) if f["Level"] in {"Error", "Warning"}]
    assert findings == [], [f"{f['Rule']['Id']}: {f['Message']}" for f in findings]
    deployed(parameters, region)  # and SAM transforms it


@pytest.mark.slow
@pytest.mark.skipif(not os.environ.get("SAM_CLI"), reason="SAM_CLI (a sam executable) is not set")
@pytest.mark.parametrize(("name", "parameters", "region"), MODES[:4], ids=MODE_IDS[:4])
def test_sam_validate_lint_passes_in_every_mode(
    name: str, parameters: Mapping[str, str], region: str, tmp_path: Path
) -> None:
    path = tmp_path / "template.json"
    path.write_text(json.dumps(rendered(parameters, region)))
    result = subprocess.run(
        [os.environ["SAM_CLI"], "validate", "--lint", "--template-file", str(path)],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_rendering_resolves_only_the_multi_region_conditions() -> None:
    """The others stay, so the rendered single-region stack keeps today's `!If`s as written."""
    conditions = rendered(WRITER, WRITER_REGION)["Conditions"]
    assert set(conditions) == {
        "HasCatalogBucket",
        "PublishEvents",
        "HasAlarmTopic",
        "HasApiReservedConcurrency",
        "HasProviderKeysSecret",
    }
    raw = plain(LONG_FORM)
    assert raw["Resources"]["ModelsTable"]["Condition"] == "IsSingleRegion"


# -- one region ---------------------------------------------------------------------------------


def test_one_region_is_todays_stack_with_no_multi_region_resource() -> None:
    single = resources(SINGLE, WRITER_REGION)
    types = {r["Type"] for r in single.values()}
    assert "AWS::DynamoDB::GlobalTable" not in types
    assert not types & {"AWS::ApiGatewayV2::DomainName", "AWS::Route53::RecordSet"}
    assert set(of_type(single, "AWS::DynamoDB::Table")) == {"ModelsTable", "ApiKeysTable"}
    sync = single["CatalogSyncFunction"]["Properties"]["Environment"]["Variables"]
    # No grace period: one table, a reader never sees a pointer before its chunks.
    assert "CATALOG_CLEANUP_GRACE_MINUTES" not in sync
    assert rendered(SINGLE, WRITER_REGION)["Outputs"]["RegionRole"]["Value"] == "single"


# -- the writer region --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("logical_id", "single_id"),
    [("ModelsGlobalTable", "ModelsTable"), ("ApiKeysGlobalTable", "ApiKeysTable")],
)
def test_the_writer_creates_global_tables_replicated_to_every_region(
    logical_id: str, single_id: str
) -> None:
    writer = resources(WRITER, WRITER_REGION)
    assert of_type(writer, "AWS::DynamoDB::Table") == {}
    table = writer[logical_id]
    assert table["Type"] == "AWS::DynamoDB::GlobalTable"
    assert (table["DeletionPolicy"], table["UpdateReplacePolicy"]) == ("Retain", "Retain")
    properties = table["Properties"]
    # The same keys as the single-region table (so the moto tables of the tests fit both).
    single = resources(SINGLE, WRITER_REGION)[single_id]["Properties"]
    for key in ("KeySchema", "AttributeDefinitions", "BillingMode"):
        assert properties[key] == single[key], key
    assert properties["SSESpecification"] == {"SSEEnabled": True, "SSEType": "KMS"}
    assert properties["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}
    replicas = properties["Replicas"]
    regions = [replica["Region"] for replica in replicas]
    assert regions[0] == {"Ref": "AWS::Region"}
    # The regions of ReplicaRegions, in order: "select i of the padded split", evaluated.
    padded = WRITER["ReplicaRegions"].split(",") + [""] * 3
    assert [padded[int(r["Fn::Select"][0])] for r in regions[1:]] == WRITER["ReplicaRegions"].split(
        ","
    )
    for replica in replicas:
        assert replica["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
        assert replica["DeletionProtectionEnabled"] is True
    # Named, so that a reader finds its replica; by default after the stack.
    suffix = "models" if logical_id == "ModelsGlobalTable" else "api-keys"
    assert properties["TableName"] == {"Fn::Sub": f"${{AWS::StackName}}-{suffix}"}


@pytest.mark.parametrize("count", [1, 2, 4])
def test_the_writer_has_one_replica_per_listed_region_plus_its_own(count: int) -> None:
    listed = ["eu-west-1", "ap-southeast-2", "us-west-2", "eu-central-1"][:count]
    writer = resources({"ReplicaRegions": ",".join(listed)}, WRITER_REGION)
    for logical_id in ("ModelsGlobalTable", "ApiKeysGlobalTable"):
        assert len(writer[logical_id]["Properties"]["Replicas"]) == count + 1


def test_replica_regions_accepts_up_to_four_region_names() -> None:
    pattern = re.compile(LONG_FORM["Parameters"]["ReplicaRegions"]["AllowedPattern"])
    accepted = ["", "eu-west-1", "eu-west-1,ap-southeast-2", "us-gov-west-1"]
    accepted.append("eu-west-1,ap-southeast-2,us-west-2,eu-central-1")
    assert [v for v in accepted if not pattern.fullmatch(v)] == []
    refused = ["eu-west-1, us-west-2", "eu-west-1,", "EU-WEST-1", "a,b"]
    refused.append("eu-west-1,ap-southeast-2,us-west-2,eu-central-1,sa-east-1")  # five
    assert [v for v in refused if pattern.fullmatch(v)] == []


def test_the_writer_runs_the_sync_on_its_global_table_with_the_grace_period() -> None:
    output = deployed(WRITER, WRITER_REGION)
    deployed_resources = output["Resources"]
    sync = deployed_resources["CatalogSyncFunction"]["Properties"]
    variables = sync["Environment"]["Variables"]
    assert variables[env.MODELS_TABLE] == {"Fn::Sub": "${AWS::StackName}-models"}
    assert variables[env.CATALOG_CLEANUP_GRACE_MINUTES] == {"Ref": "CleanupGraceMinutes"}
    assert LONG_FORM["Parameters"]["CleanupGraceMinutes"]["Default"] >= 10
    role = deployed_resources[sync["Role"]["Fn::GetAtt"][0]]["Properties"]
    assert granted(role) == {
        json.dumps({"Fn::GetAtt": ["CatalogSyncLogGroup", "Arn"]}): LOG_ACTIONS,
        replica_arn("models"): SYNC_TABLE_ACTIONS,
        json.dumps({"Fn::GetAtt": ["SyncDeadLetterQueue", "Arn"]}): {"sqs:SendMessage"},
        json.dumps(
            {"Fn::Sub": "arn:${AWS::Partition}:s3:::${CatalogSourceBucket}/${CatalogSourceKey}"}
        ): {"s3:GetObject"},
        json.dumps(
            {
                "Fn::Sub": "arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:"
                "event-bus/${CatalogEventBusName}"
            }
        ): {"events:PutEvents"},
    }
    assert of_type(deployed_resources, "AWS::Scheduler::Schedule")
    assert rendered(WRITER, WRITER_REGION)["Outputs"]["RegionRole"]["Value"] == "writer"


def test_the_writer_api_reads_its_replica_of_the_global_tables() -> None:
    deployed_resources = deployed(WRITER, WRITER_REGION)["Resources"]
    api = deployed_resources["ModelsApiFunction"]["Properties"]
    variables = api["Environment"]["Variables"]
    # By the global tables' names (the tables' TableName): the same as a reader's.
    tables = deployed_resources["ModelsGlobalTable"], deployed_resources["ApiKeysGlobalTable"]
    assert variables[env.MODELS_TABLE] == tables[0]["Properties"]["TableName"]
    assert variables[env.API_KEYS_TABLE] == tables[1]["Properties"]["TableName"]
    role = deployed_resources[api["Role"]["Fn::GetAtt"][0]]["Properties"]
    assert granted(role) == {
        json.dumps({"Fn::GetAtt": ["ModelsApiLogGroup", "Arn"]}): LOG_ACTIONS,
        replica_arn("models"): API_CATALOG_ACTIONS,
        replica_arn("api-keys"): API_KEYS_ACTIONS,
    }


@pytest.mark.parametrize("region", [WRITER_REGION, READER_REGION])
def test_every_function_reads_the_same_table_names_in_every_region(region: str) -> None:
    """Writer and readers: one name expression, so the functions are defined the same way."""
    functions = resources(WRITER, region)
    for logical_id in ("ModelsApiFunction", "CatalogSyncFunction"):
        if logical_id not in functions:
            continue
        variables = functions[logical_id]["Properties"]["Environment"]["Variables"]
        assert variables[env.MODELS_TABLE] == {"Fn::Sub": "${AWS::StackName}-models"}


def test_the_migration_steps_import_the_tables_changing_nothing_else() -> None:
    """docs/multi-region.md: the writer stack first leaves the existing tables out
    (GlobalTablesInStack=false), then imports them as global tables: an IMPORT change set may
    only add the imported resources, so every other resource must be defined the same way."""
    named = {
        **WRITER,
        "ModelsGlobalTableName": "prod-ModelsTable-1A2B3C",
        "ApiKeysGlobalTableName": "prod-ApiKeysTable-4D5E6F",
    }
    detached = resources({**named, "GlobalTablesInStack": "false"}, WRITER_REGION)
    imported = resources(named, WRITER_REGION)
    assert not {r["Type"] for r in detached.values() if r["Type"].startswith("AWS::DynamoDB::")}
    added = set(imported) - set(detached)
    assert added == {"ModelsGlobalTable", "ApiKeysGlobalTable"}
    assert {k: v for k, v in imported.items() if k not in added} == detached
    for logical_id in added:
        table = imported[logical_id]
        assert table["DeletionPolicy"] == "Retain"  # required to import a resource
        assert table["Properties"]["TableName"] in (
            {"Ref": "ModelsGlobalTableName"},
            {"Ref": "ApiKeysGlobalTableName"},
        )
    # And the single-region stack's tables are retained when the stack stops holding them.
    single = resources(SINGLE, WRITER_REGION)
    for logical_id in ("ModelsTable", "ApiKeysTable"):
        assert single[logical_id]["DeletionPolicy"] == "Retain"
        assert single[logical_id]["UpdateReplacePolicy"] == "Retain"


def test_the_stack_knows_its_role_from_its_own_region() -> None:
    """The same parameters everywhere: the stack in WriterRegion is the writer, others read."""
    for region, role in [(WRITER_REGION, "writer"), (READER_REGION, "reader")]:
        assert rendered(WRITER, region)["Outputs"]["RegionRole"]["Value"] == role
    # WriterRegion empty: this stack's region is the writer, whichever it is.
    only_replicas = {"ReplicaRegions": "eu-west-1"}
    assert rendered(only_replicas, "ap-south-1")["Outputs"]["RegionRole"]["Value"] == "writer"


# -- a reader region ----------------------------------------------------------------------------


def test_a_reader_creates_no_table_and_runs_neither_the_sync_nor_its_alarms() -> None:
    reader = deployed(READER, READER_REGION)["Resources"]
    types = {r["Type"] for r in reader.values()}
    assert not {t for t in types if t.startswith("AWS::DynamoDB::")}
    for absent in ("AWS::Scheduler::Schedule", "AWS::SQS::Queue", "AWS::Lambda::EventInvokeConfig"):
        assert absent not in types
    assert set(of_type(reader, "AWS::Lambda::Function")) == {"ModelsApiFunction"}
    assert set(of_type(reader, "AWS::IAM::Role")) == {"ModelsApiFunctionRole"}
    alarms = of_type(reader, "AWS::CloudWatch::Alarm")
    assert set(alarms) == {
        "ApiErrorsAlarm",
        "ApiThrottlesAlarm",
        "ApiDurationAlarm",
        "CatalogDegradedAlarm",
    }
    outputs = rendered(READER, READER_REGION)["Outputs"]
    assert "CatalogSyncFunctionName" not in outputs
    assert "SyncDeadLetterQueueUrl" not in outputs
    assert outputs["RegionRole"]["Value"] == "reader"


def test_every_job_but_the_api_carries_the_writer_condition() -> None:
    """The sync, and any job added beside it (the audit): a reader deploys none of them."""
    raw = LONG_FORM["Resources"]
    jobs = {
        logical_id
        for logical_id, resource in raw.items()
        if resource["Type"] == "AWS::Serverless::Function" and logical_id != "ModelsApiFunction"
    }
    assert "CatalogSyncFunction" in jobs
    for logical_id in jobs:
        assert raw[logical_id].get("Condition") == WRITER_JOBS, logical_id
        role = raw[logical_id]["Properties"].get("Role")
        if isinstance(role, dict) and "Fn::GetAtt" in role:  # a role of the template's own
            assert raw[role["Fn::GetAtt"][0]].get("Condition") == WRITER_JOBS, role
    # Every resource that names a job is gone with it (cfn-lint, above, checks the references).
    reader = json.dumps(resources(READER, READER_REGION))
    assert not [job for job in jobs if job in reader]


@pytest.mark.parametrize(
    ("parameters", "models_arn", "keys_arn", "models_name", "keys_name"),
    [
        (
            READER,
            replica_arn("models"),
            replica_arn("api-keys"),
            {"Fn::Sub": "${AWS::StackName}-models"},
            {"Fn::Sub": "${AWS::StackName}-api-keys"},
        ),
        (
            {**READER, "ModelsGlobalTableName": "m-1", "ApiKeysGlobalTableName": "k-1"},
            replica_arn("models", "ModelsGlobalTableName"),
            replica_arn("api-keys", "ApiKeysGlobalTableName"),
            {"Ref": "ModelsGlobalTableName"},
            {"Ref": "ApiKeysGlobalTableName"},
        ),
    ],
    ids=["derived names", "named tables"],
)
def test_a_reader_reads_the_local_replicas_by_name_and_nothing_else(
    parameters: Mapping[str, str],
    models_arn: str,
    keys_arn: str,
    models_name: dict[str, str],
    keys_name: dict[str, str],
) -> None:
    reader = deployed(parameters, READER_REGION)["Resources"]
    api = reader["ModelsApiFunction"]["Properties"]
    variables = api["Environment"]["Variables"]
    assert variables[env.MODELS_TABLE] == models_name
    assert variables[env.API_KEYS_TABLE] == keys_name
    # In this region (${AWS::Region}), read-only, exactly the calls the API makes.
    assert granted(reader["ModelsApiFunctionRole"]["Properties"]) == {
        json.dumps({"Fn::GetAtt": ["ModelsApiLogGroup", "Arn"]}): LOG_ACTIONS,
        models_arn: API_CATALOG_ACTIONS,
        keys_arn: API_KEYS_ACTIONS,
    }


@pytest.mark.parametrize(
    "names",
    [{}, {"ModelsGlobalTableName": "m-1", "ApiKeysGlobalTableName": "k-1"}],
    ids=["derived names", "named tables"],
)
@pytest.mark.parametrize("region", [WRITER_REGION, READER_REGION])
def test_the_table_names_publish_a_new_version_when_they_change(
    names: dict[str, str], region: str
) -> None:
    """As tests/test_template.py checks for one region: every parameter the version's
    configuration reads is in its Description (SAM does not resolve them in its hash)."""
    api = plain(resources({**WRITER, **names}, region)["ModelsApiFunction"]["Properties"])
    outside = {"ReservedConcurrentExecutions", "Events", "VersionDescription"}
    read = set(parameter_references({k: v for k, v in api.items() if k not in outside}))
    assert "CatalogCacheTtl" in read
    assert set(names) <= read
    described = set(re.findall(r"\$\{(\w+)\}", api["VersionDescription"]))
    # Both names always (setting one later, from empty, must publish too).
    assert described == read | {"ModelsGlobalTableName", "ApiKeysGlobalTableName"}


# -- routing ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("parameters", "region"),
    [({**WRITER, **ROUTING}, WRITER_REGION), ({**READER, **ROUTING}, READER_REGION)],
    ids=["writer", "reader"],
)
def test_routing_gives_a_regional_domain_a_latency_record_and_a_health_check(
    parameters: Mapping[str, str], region: str
) -> None:
    output = deployed(parameters, region)["Resources"]
    ((domain_id, domain),) = of_type(output, "AWS::ApiGatewayV2::DomainName").items()
    assert domain["Properties"] == {
        "DomainName": {"Ref": "DomainName"},
        "DomainNameConfigurations": [
            {
                "CertificateArn": {"Ref": "CertificateArn"},
                "EndpointType": "REGIONAL",
                "SecurityPolicy": "TLS_1_2",
            }
        ],
    }
    (mapping,) = of_type(output, "AWS::ApiGatewayV2::ApiMapping").values()
    assert mapping["Properties"]["ApiId"] == {"Ref": "HttpApi"}
    assert mapping["Properties"]["DomainName"] == {"Ref": domain_id}
    stage_id = mapping["Properties"]["Stage"]["Ref"]
    assert output[stage_id]["Type"] == "AWS::ApiGatewayV2::Stage"
    assert output[stage_id]["Properties"]["ApiId"] == {"Ref": "HttpApi"}

    ((check_id, check),) = of_type(output, "AWS::Route53::HealthCheck").items()
    config = check["Properties"]["HealthCheckConfig"]
    assert (config["Type"], config["Port"], config["ResourcePath"]) == ("HTTPS", 443, "/health")
    # This region's own endpoint, not the latency-routed name.
    assert config["FullyQualifiedDomainName"] == {
        "Fn::Sub": "${HttpApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}"
    }
    (record,) = of_type(output, "AWS::Route53::RecordSet").values()
    properties = record["Properties"]
    assert properties["SetIdentifier"] == properties["Region"] == {"Ref": "AWS::Region"}
    assert properties["HealthCheckId"] == {"Ref": check_id}
    assert properties["Name"] == {"Ref": "DomainName"}
    assert properties["HostedZoneId"] == {"Ref": "HostedZoneId"}
    assert properties["Type"] == "A"
    assert properties["AliasTarget"] == {
        "DNSName": {"Fn::GetAtt": [domain_id, "RegionalDomainName"]},
        "HostedZoneId": {"Fn::GetAtt": [domain_id, "RegionalHostedZoneId"]},
        "EvaluateTargetHealth": True,
    }


def test_a_domain_without_a_hosted_zone_has_no_record_and_no_health_check() -> None:
    output = resources({**ROUTING, "HostedZoneId": ""}, WRITER_REGION)
    assert of_type(output, "AWS::ApiGatewayV2::DomainName")
    assert not of_type(output, "AWS::Route53::RecordSet")
    assert not of_type(output, "AWS::Route53::HealthCheck")


def test_the_template_refuses_a_domain_without_certificate_and_a_zone_without_domain() -> None:
    rules = LONG_FORM["Rules"]

    def is_set(name: str) -> dict[str, Any]:
        return {"Fn::Not": [{"Fn::Equals": [{"Ref": name}, ""]}]}

    needs_certificate = rules["CustomDomainNeedsCertificate"]
    assert needs_certificate["RuleCondition"] == is_set("DomainName")
    assert [a["Assert"] for a in needs_certificate["Assertions"]] == [is_set("CertificateArn")]
    needs_domain = rules["HostedZoneNeedsDomainName"]
    assert needs_domain["RuleCondition"] == is_set("HostedZoneId")
    assert [a["Assert"] for a in needs_domain["Assertions"]] == [is_set("DomainName")]

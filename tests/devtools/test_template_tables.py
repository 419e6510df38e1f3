"""devtools.template_tables: a table made from template.yaml is the table the template defines."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from devtools.template_tables import DEFAULT_TEMPLATE_PATH, load_template, table_definitions

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "template.yaml"
    path.write_text(text)
    return path


def by_name(items: list[Any]) -> dict[str, Any]:
    return {item["AttributeName"]: item for item in items}


def test_default_template_is_the_repository_root_template() -> None:
    assert Path(__file__).parents[2] / "template.yaml" == DEFAULT_TEMPLATE_PATH
    assert DEFAULT_TEMPLATE_PATH.is_file()


def test_definitions_are_the_documented_key_schemas() -> None:
    definitions = table_definitions()
    assert set(definitions) == {"ModelsTable", "ApiKeysTable"}
    assert definitions["ModelsTable"]["KeySchema"] == [
        {"AttributeName": "pk", "KeyType": "HASH"},
        {"AttributeName": "sk", "KeyType": "RANGE"},
    ]
    assert definitions["ApiKeysTable"]["KeySchema"] == [
        {"AttributeName": "key_hash", "KeyType": "HASH"}
    ]
    assert {d["BillingMode"] for d in definitions.values()} == {"PAY_PER_REQUEST"}


def test_every_table_is_created_exactly_as_the_template_defines_it(
    dynamodb: DynamoDBClient,
) -> None:
    for logical_id, definition in table_definitions().items():
        name = f"test-{logical_id}"
        dynamodb.create_table(TableName=name, **definition)
        table = dynamodb.describe_table(TableName=name)["Table"]
        assert table["KeySchema"] == definition["KeySchema"], logical_id
        assert by_name(table["AttributeDefinitions"]) == by_name(definition["AttributeDefinitions"])
        assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"


GSI_TEMPLATE = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Orders:
    Type: AWS::DynamoDB::Table
    DeletionPolicy: Retain
    Properties:
      TableName: !Sub "${AWS::StackName}-orders"
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions:
        - {AttributeName: id, AttributeType: S}
        - {AttributeName: customer, AttributeType: S}
        - {AttributeName: placed, AttributeType: N}
      KeySchema:
        - {AttributeName: id, KeyType: HASH}
      GlobalSecondaryIndexes:
        - IndexName: by-customer
          KeySchema:
            - {AttributeName: customer, KeyType: HASH}
            - {AttributeName: placed, KeyType: RANGE}
          Projection: {ProjectionType: KEYS_ONLY}
          ContributorInsightsSpecification: {Enabled: true}
  Queue:
    Type: AWS::SQS::Queue
    Condition: !If [IsProd, true, false]
"""


def test_secondary_indexes_are_kept_and_create_in_moto(
    tmp_path: Path, dynamodb: DynamoDBClient
) -> None:
    (definition,) = table_definitions(write(tmp_path, GSI_TEMPLATE)).values()
    assert definition["GlobalSecondaryIndexes"] == [
        {
            "IndexName": "by-customer",
            "KeySchema": [
                {"AttributeName": "customer", "KeyType": "HASH"},
                {"AttributeName": "placed", "KeyType": "RANGE"},
            ],
            "Projection": {"ProjectionType": "KEYS_ONLY"},
        }
    ]
    dynamodb.create_table(TableName="orders", **definition)
    indexes = dynamodb.describe_table(TableName="orders")["Table"]["GlobalSecondaryIndexes"]
    assert [i["IndexName"] for i in indexes] == ["by-customer"]


def test_provisioned_tables_keep_their_throughput(tmp_path: Path) -> None:
    text = """
Resources:
  T:
    Type: AWS::DynamoDB::Table
    Properties:
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      KeySchema: [{AttributeName: id, KeyType: HASH}]
      ProvisionedThroughput: {ReadCapacityUnits: 1, WriteCapacityUnits: 1}
"""
    definition = table_definitions(write(tmp_path, text))["T"]
    assert definition["BillingMode"] == "PROVISIONED"
    assert definition["ProvisionedThroughput"] == {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}


def test_short_form_tags_read_as_plain_values(tmp_path: Path) -> None:
    text = """
Value:
  ref: !Ref ModelsTable
  sub: !Sub "s3://${Bucket}/${Key}"
  sub_list: !Sub ["${A}", {A: !Ref B}]
  get_att: !GetAtt ModelsTable.Arn
  if: !If [HasBucket, !Ref Bucket, !Ref AWS::NoValue]
  select: !Select [0, !GetAZs ""]
  join: !Join {delimiter: ",", values: []}
"""
    assert load_template(write(tmp_path, text))["Value"] == {
        "ref": "ModelsTable",
        "sub": "s3://${Bucket}/${Key}",
        "sub_list": ["${A}", {"A": "B"}],
        "get_att": "ModelsTable.Arn",
        "if": ["HasBucket", "Bucket", "AWS::NoValue"],
        "select": [0, ""],
        "join": {"delimiter": ",", "values": []},
    }


def test_the_loader_is_still_safe(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not valid YAML"):
        load_template(write(tmp_path, "x: !!python/object/apply:os.system ['true']\n"))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "not a CloudFormation template"),
        ("- a\n- b\n", "not a CloudFormation template"),
        ("Resources: [\n", "not valid YAML"),
        ("Description: no resources\n", "no Resources section"),
        (
            "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n",
            "defines no AWS::DynamoDB::Table resource",
        ),
    ],
)
def test_a_template_without_tables_is_refused(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        table_definitions(write(tmp_path, text))


GOOD_TABLE = {
    "BillingMode": "PAY_PER_REQUEST",
    "AttributeDefinitions": "[{AttributeName: id, AttributeType: S}]",
    "KeySchema": "[{AttributeName: id, KeyType: HASH}]",
}


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"BillingMode": "FREE"}, "BillingMode must be one of"),
        ({"KeySchema": "[]"}, "KeySchema must be a non-empty list"),
        ({"KeySchema": "[{AttributeName: id, KeyType: SORT}]"}, "KeyType must be HASH or RANGE"),
        ({"KeySchema": "[{AttributeName: id, KeyType: RANGE}]"}, "must be a HASH key"),
        ({"KeySchema": "[{KeyType: HASH}]"}, "AttributeName must be a non-empty string"),
        (
            {"AttributeDefinitions": "[{AttributeName: id, AttributeType: BOOL}]"},
            "AttributeType must be S, N or B",
        ),
        (
            {
                "AttributeDefinitions": (
                    "[{AttributeName: id, AttributeType: S}, {AttributeName: x, AttributeType: S}]"
                )
            },
            "must be exactly the key attributes",
        ),
        (
            {"GlobalSecondaryIndexes": f"[{{IndexName: i, KeySchema: {GOOD_TABLE['KeySchema']}}}]"},
            "needs a Projection",
        ),
    ],
)
def test_a_malformed_table_is_refused(
    tmp_path: Path, override: dict[str, str], message: str
) -> None:
    properties = "\n".join(f"      {k}: {v}" for k, v in (GOOD_TABLE | override).items())
    text = f"Resources:\n  T:\n    Type: AWS::DynamoDB::Table\n    Properties:\n{properties}\n"
    with pytest.raises(ValueError, match=message):
        table_definitions(write(tmp_path, text))


def test_a_table_without_properties_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="a table needs Properties"):
        table_definitions(write(tmp_path, "Resources:\n  T:\n    Type: AWS::DynamoDB::Table\n"))

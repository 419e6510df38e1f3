"""The DynamoDB store against moto: what is particular to it (item layout, pagination, floats,
malformed items, SDK errors). What every store must do is in test_store_contract.py."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from botocore.exceptions import ClientError

from catalog.dynamodb import DynamoDBCatalogStore
from catalog.errors import CatalogUnavailable, VersionConflict
from tests.support.factories import model_doc, publish

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

    from awsclients import AwsClients


def test_floats_and_extra_fields_survive_the_round_trip(
    dynamodb: DynamoDBClient, models_table: str
) -> None:
    publish(dynamodb, models_table, [model_doc("m", pricing={"input": 2.5, "tiers": [1, 0.5]})])
    contents = DynamoDBCatalogStore(models_table, dynamodb=lambda: dynamodb).read_catalog()
    assert contents is not None
    assert contents.models[0].to_wire()["pricing"] == {"input": 2.5, "tiers": [1, 0.5]}


def test_query_pages_are_all_read(dynamodb: DynamoDBClient, models_table: str) -> None:
    publish(dynamodb, models_table, [model_doc(f"model-{n:03}") for n in range(30)])
    pages: list[int] = []

    def count_page(**kwargs: Any) -> None:
        pages.append(1)

    dynamodb.meta.events.register("after-call.dynamodb.Query", count_page)
    real_query = dynamodb.query

    def small_pages(**kwargs: Any) -> Any:
        return real_query(**kwargs, Limit=7)

    store = DynamoDBCatalogStore(models_table, dynamodb=lambda: dynamodb)
    dynamodb.query = small_pages  # type: ignore[method-assign]
    contents = store.read_catalog()
    assert contents is not None
    assert len(contents.models) == 30
    assert len(pages) == 5  # 30 items at 7 a page: 4 full pages and one short


def test_malformed_items_are_skipped_not_fatal(
    dynamodb: DynamoDBClient, models_table: str, caplog: pytest.LogCaptureFixture
) -> None:
    publish(dynamodb, models_table, [model_doc("good"), model_doc("also-good")])
    bad_items: list[dict[str, Any]] = [
        {"sk": {"S": "model#no-doc"}, "position": {"N": "5"}},
        {"sk": {"S": "model#bad"}, "position": {"N": "6"}, "model": {"M": {"id": {"S": "bad"}}}},
        {
            "sk": {"S": "model#wrong-key"},
            "position": {"N": "7"},
            "model": {
                "M": {
                    "id": {"S": "other"},
                    "object": {"S": "model"},
                    "created": {"N": "1"},
                    "owned_by": {"S": "x"},
                    "context_length": {"N": "1"},
                    "capabilities": {
                        "M": {"vision": {"BOOL": True}, "function_calling": {"BOOL": False}}
                    },
                }
            },
        },
    ]
    for item in bad_items:
        dynamodb.put_item(TableName=models_table, Item={"pk": {"S": "catalog"}, **item})
    contents = DynamoDBCatalogStore(models_table, dynamodb=lambda: dynamodb).read_catalog()
    assert contents is not None
    assert [m.id for m in contents.models] == ["good", "also-good"]
    skipped = [r.getMessage() for r in caplog.records if "skipping" in r.getMessage()]
    assert len(skipped) == 3


def test_store_errors_become_catalog_unavailable(aws: AwsClients) -> None:
    store = DynamoDBCatalogStore("no-such-table", dynamodb=aws.dynamodb)
    with pytest.raises(CatalogUnavailable, match="no-such-table") as caught:
        store.read_version()
    assert isinstance(caught.value.__cause__, ClientError)


def test_a_lost_version_race_is_a_version_conflict_caused_by_the_condition(
    dynamodb: DynamoDBClient, models_table: str
) -> None:
    publish(dynamodb, models_table, [model_doc("a")])
    store = DynamoDBCatalogStore(models_table, dynamodb=lambda: dynamodb)
    with pytest.raises(VersionConflict) as caught:
        store.advance_version(None, count=1, digest="d")
    cause = caught.value.__cause__
    assert isinstance(cause, ClientError)
    assert cause.response["Error"]["Code"] == "ConditionalCheckFailedException"


def test_the_client_is_asked_for_on_use_not_at_construction(
    dynamodb: DynamoDBClient, models_table: str
) -> None:
    asked: list[str] = []

    def provider() -> DynamoDBClient:
        asked.append("dynamodb")
        return dynamodb

    store = DynamoDBCatalogStore(models_table, dynamodb=provider)
    assert asked == []
    assert store.read_version() is None
    assert asked == ["dynamodb"]


def test_a_table_name_is_required(aws: AwsClients) -> None:
    with pytest.raises(ValueError, match="table_name"):
        DynamoDBCatalogStore("", dynamodb=aws.dynamodb)

"""The DynamoDB store against moto: the read path's calls, pagination and malformed items."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from botocore.exceptions import ClientError

from catalog.dynamodb import DynamoDBCatalogStore
from catalog.errors import CatalogUnavailable
from tests.factories import model_doc, publish

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


def test_nothing_published_reads_as_none(dynamodb: DynamoDBClient, models_table: str) -> None:
    store = DynamoDBCatalogStore(models_table, client=dynamodb)
    assert store.read_version() is None
    assert store.read_catalog() is None


def test_reads_version_and_models_in_curated_order(
    dynamodb: DynamoDBClient, models_table: str
) -> None:
    docs = [model_doc("zeta"), model_doc("alpha", owned_by="anthropic"), model_doc("meta/x:1")]
    version = publish(dynamodb, models_table, docs)
    contents = DynamoDBCatalogStore(models_table, client=dynamodb).read_catalog()
    assert contents is not None
    assert contents.version == version == 1
    assert [m.id for m in contents.models] == ["zeta", "alpha", "meta/x:1"]
    assert contents.models[1].owned_by == "anthropic"


def test_floats_and_extra_fields_survive_the_round_trip(
    dynamodb: DynamoDBClient, models_table: str
) -> None:
    publish(dynamodb, models_table, [model_doc("m", pricing={"input": 2.5, "tiers": [1, 0.5]})])
    contents = DynamoDBCatalogStore(models_table, client=dynamodb).read_catalog()
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

    store = DynamoDBCatalogStore(models_table, client=dynamodb)
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
    contents = DynamoDBCatalogStore(models_table, client=dynamodb).read_catalog()
    assert contents is not None
    assert [m.id for m in contents.models] == ["good", "also-good"]
    skipped = [r.getMessage() for r in caplog.records if "skipping" in r.getMessage()]
    assert len(skipped) == 3


def test_store_errors_become_catalog_unavailable(mocked_aws: None) -> None:
    import boto3

    client = boto3.client("dynamodb", region_name="us-east-1")
    store = DynamoDBCatalogStore("no-such-table", client=client)
    with pytest.raises(CatalogUnavailable) as caught:
        store.read_version()
    assert isinstance(caught.value.__cause__, ClientError)


def test_the_default_client_is_built_lazily_with_short_timeouts(mocked_aws: None) -> None:
    store = DynamoDBCatalogStore("t")
    assert store._client is None
    config = store.client.meta.config
    assert (config.connect_timeout, config.read_timeout) == (1, 2)
    assert config.retries["mode"] == "standard"
    assert store.client is store.client

"""Fixtures chain: clean environment -> moto -> tables built from template.yaml's own schema."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import boto3
import pytest
from moto import mock_aws

from handler import deps
from handler import settings as env

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

REGION = "us-east-1"
TABLE_NAMES = {"ModelsTable": "test-models", "ApiKeysTable": "test-api-keys"}
_OUR_VARIABLES = (
    env.MODELS_TABLE,
    env.API_KEYS_TABLE,
    env.DEV_API_KEY,
    env.CATALOG_CACHE_TTL,
    env.CATALOG_SOURCE,
    env.SYNC_MAX_REMOVE_FRACTION,
    env.CATALOG_EVENT_BUS,
)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No test sees a developer's settings, credentials or endpoints, or another test's clients."""
    for name in _OUR_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name in (
        "AWS_PROFILE",
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_DYNAMODB",
        "AWS_ENDPOINT_URL_S3",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    deps.reset()
    yield
    deps.reset()


@pytest.fixture
def mocked_aws() -> Iterator[None]:
    with mock_aws():
        yield


@pytest.fixture
def dynamodb(mocked_aws: None) -> DynamoDBClient:
    return boto3.client("dynamodb", region_name=REGION)


@pytest.fixture
def tables(dynamodb: DynamoDBClient) -> dict[str, str]:
    """Every table of template.yaml, created in moto: logical id -> table name."""
    from handler.template_tables import table_definitions

    for logical_id, definition in table_definitions().items():
        dynamodb.create_table(TableName=TABLE_NAMES[logical_id], **definition)
    return TABLE_NAMES


@pytest.fixture
def models_table(tables: dict[str, str]) -> str:
    return tables["ModelsTable"]


@pytest.fixture
def keys_table(tables: dict[str, str]) -> str:
    return tables["ApiKeysTable"]

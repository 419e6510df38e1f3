"""Fixtures chain: clean environment -> moto -> AWS clients -> tables from template.yaml's schema.

Our code reads no environment variable outside its composition roots, and tests configure it by
passing `Settings`; the environment is cleaned anyway so that boto3 (credentials, endpoints) and
the subprocess tests never see a developer's real AWS setup.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from moto import mock_aws

from awsclients import AwsClients
from tests.support.environment import REGION, SETTINGS_VARIABLES
from tests.support.factories import CatalogBucket

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

TABLE_NAMES = {"ModelsTable": "test-models", "ApiKeysTable": "test-api-keys"}
# Every variable Settings and AuditSettings read (handler/settings.py), found by asking them,
# so the list cannot drift from it (tests/support/environment.py).
_OUR_VARIABLES = SETTINGS_VARIABLES


# The deployed entry points (handler.api, handler.sync) read their settings when imported, as a
# Lambda container does at init; a test module imports them before any fixture runs, so a
# developer's own MODELS_TABLE or DEV_API_KEY must be gone before that.
for _name in _OUR_VARIABLES:
    os.environ.pop(_name, None)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test sees a developer's settings, credentials or endpoints."""
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


@pytest.fixture
def mocked_aws() -> Iterator[None]:
    with mock_aws():
        yield


@pytest.fixture
def aws(mocked_aws: None) -> AwsClients:
    """The clients our code is given, inside moto: one per service, as in a container."""
    return AwsClients(region=REGION)


@pytest.fixture
def dynamodb(aws: AwsClients) -> DynamoDBClient:
    return aws.dynamodb()


@pytest.fixture
def tables(dynamodb: DynamoDBClient) -> dict[str, str]:
    """Every table of template.yaml, created in moto: logical id -> table name."""
    from devtools.template_tables import table_definitions

    for logical_id, definition in table_definitions().items():
        dynamodb.create_table(TableName=TABLE_NAMES[logical_id], **definition)
    return TABLE_NAMES


@pytest.fixture
def source_bucket(aws: AwsClients) -> CatalogBucket:
    """A bucket (moto) to upload catalog documents to, as a sync source."""
    return CatalogBucket(aws.s3(), "curated-catalog")


@pytest.fixture
def models_table(tables: dict[str, str]) -> str:
    return tables["ModelsTable"]


@pytest.fixture
def keys_table(tables: dict[str, str]) -> str:
    return tables["ApiKeysTable"]

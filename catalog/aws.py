"""AWS clients, one of each per process, built on first use (never at import).

Not at import: moto must be active before a client exists in tests, and SnapStart must not
snapshot a client with open connections. Short timeouts and the standard retry mode keep a
DynamoDB outage from holding a request anywhere near API Gateway's 30 s limit.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from botocore.config import Config
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_events import EventBridgeClient
    from mypy_boto3_s3 import S3Client


def _config(*, read_timeout: float) -> Config:
    from botocore.config import Config

    return Config(
        connect_timeout=1,
        read_timeout=read_timeout,
        retries={"mode": "standard", "max_attempts": 3},
    )


@cache
def dynamodb_client() -> DynamoDBClient:
    import boto3

    return boto3.client("dynamodb", config=_config(read_timeout=2))


@cache
def s3_client() -> S3Client:
    import boto3

    return boto3.client("s3", config=_config(read_timeout=10))


@cache
def events_client() -> EventBridgeClient:
    import boto3

    return boto3.client("events", config=_config(read_timeout=5))


def forget_clients() -> None:
    """Drop the clients, so the next use builds them from the environment again."""
    dynamodb_client.cache_clear()
    s3_client.cache_clear()
    events_client.cache_clear()

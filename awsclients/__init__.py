"""AWS clients for both domains (catalog and API keys), each built on first use, once per holder.

The composition roots (handler.deps for the API, handler.sync for the sync job, the CLI) make
one `AwsClients` per process and hand its bound methods to the stores, so every store of a
container shares one client per service, and a test or the local stack passes its own endpoint
instead of writing the environment.

Never at import: moto must be active before a client exists in tests, and SnapStart must not
snapshot a client with open connections. Short timeouts and the standard retry mode keep a
DynamoDB outage from holding a request anywhere near API Gateway's 30 s limit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from botocore.config import Config
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_events import EventBridgeClient
    from mypy_boto3_s3 import S3Client

__all__ = ["AwsClients", "Credentials"]

# Seconds a call may wait for an answer, per service: reads of small items, a catalog document,
# one event. Connecting is always bounded by one second.
_CONNECT_TIMEOUT = 1.0
_READ_TIMEOUTS = {"dynamodb": 2.0, "s3": 10.0, "events": 5.0}
# botocore counts retries here, not calls: 3 means at most 4 calls.
_MAX_RETRIES = 3


@dataclass(frozen=True, slots=True)
class Credentials:
    """Static credentials, for a local endpoint only; deployed code uses the role's."""

    access_key_id: str
    secret_access_key: str = field(repr=False)


class AwsClients:
    """One client per AWS service, built on first use with our timeouts and retry policy.

    `endpoint_url`, `region` and `credentials` default to boto3's own resolution (environment,
    config files, the Lambda role); the local stack sets all three to reach its moto server.
    """

    def __init__(
        self,
        *,
        endpoint_url: str | None = None,
        region: str | None = None,
        credentials: Credentials | None = None,
    ) -> None:
        self.endpoint_url = endpoint_url
        self.region = region
        self._credentials = credentials
        self._clients: dict[str, Any] = {}

    def dynamodb(self) -> DynamoDBClient:
        client: DynamoDBClient = self._client("dynamodb")
        return client

    def s3(self) -> S3Client:
        client: S3Client = self._client("s3")
        return client

    def events(self) -> EventBridgeClient:
        client: EventBridgeClient = self._client("events")
        return client

    def _client(self, service: str) -> Any:
        client = self._clients.get(service)
        if client is None:
            import boto3

            options: dict[str, Any] = {"config": _config(_READ_TIMEOUTS[service])}
            if self.endpoint_url:
                options["endpoint_url"] = self.endpoint_url
            if self.region:
                options["region_name"] = self.region
            if self._credentials is not None:
                options["aws_access_key_id"] = self._credentials.access_key_id
                options["aws_secret_access_key"] = self._credentials.secret_access_key
            client = self._clients[service] = boto3.client(service, **options)  # type: ignore[call-overload]
        return client


def _config(read_timeout: float) -> Config:
    from botocore.config import Config

    return Config(
        connect_timeout=_CONNECT_TIMEOUT,
        read_timeout=read_timeout,
        retries={"mode": "standard", "max_attempts": _MAX_RETRIES},
    )

"""AWS clients for both domains (catalog and API keys), each built on first use, once per holder.

The composition root (handler/compose.py: the API, the sync job; the CLI through it) makes
one `AwsClients` per process and hand its bound methods to the stores, so every store of a
container shares one client per service, and a test or the local stack passes its own endpoint
instead of writing the environment.

Two timing profiles:
- `REQUEST` (the API): short timeouts and a single attempt per SDK call. The stores on the
  request path retry a transient failure once, at once (`retry_transient`), so a request spends
  at most 2 attempts per table, each bounded by the timeouts: with both tables hanging, about
  2 s in all. botocore's own retry would sleep up to 1 s between attempts in the runtime's
  boto3 versions; a request has no second to spare, and the caches serve what they have.
- `BACKGROUND` (the sync job, the CLI): patient timeouts and botocore's standard retries.

Never at import: moto must be active before a client exists in tests, and SnapStart must not
snapshot a client with open connections.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from botocore.config import Config
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_events import EventBridgeClient
    from mypy_boto3_s3 import S3Client

__all__ = ["AwsClients", "Credentials", "Profile", "preload", "retry_transient"]

T = TypeVar("T")


class Profile(Enum):
    """How long a caller can wait: a request on the API, or a background job."""

    REQUEST = "request"
    BACKGROUND = "background"


@dataclass(frozen=True, slots=True)
class _Timing:
    connect_timeout: float
    read_timeouts: dict[str, float]  # per service
    # What botocore's `retries` gets. `total_max_attempts` counts calls; `max_attempts` would
    # count retries (N + 1 calls).
    retries: dict[str, Any]


_TIMINGS = {
    Profile.REQUEST: _Timing(
        connect_timeout=0.25,
        read_timeouts={"dynamodb": 0.5, "s3": 0.5, "events": 0.5, "secretsmanager": 0.5},
        retries={"mode": "standard", "total_max_attempts": 1},
    ),
    Profile.BACKGROUND: _Timing(
        connect_timeout=1.0,
        read_timeouts={"dynamodb": 2.0, "s3": 10.0, "events": 5.0, "secretsmanager": 5.0},
        retries={"mode": "standard", "total_max_attempts": 4},
    ),
}

# Attempts a request-path read makes in all (see retry_transient).
REQUEST_ATTEMPTS = 2


@dataclass(frozen=True, slots=True)
class Credentials:
    """Static credentials, for a local endpoint only; deployed code uses the role's."""

    access_key_id: str
    secret_access_key: str = field(repr=False)


class AwsClients:
    """One client per AWS service, built on first use with the profile's timeouts and retries.

    `endpoint_url`, `region` and `credentials` default to boto3's own resolution (environment,
    config files, the Lambda role); the local stack sets all three to reach its moto server.
    """

    def __init__(
        self,
        *,
        profile: Profile = Profile.BACKGROUND,
        endpoint_url: str | None = None,
        region: str | None = None,
        credentials: Credentials | None = None,
    ) -> None:
        self.profile = profile
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

    def secretsmanager(self) -> Any:
        """Secrets Manager (the audit's provider keys); untyped: no stubs are installed."""
        return self._client("secretsmanager")

    def _client(self, service: str) -> Any:
        client = self._clients.get(service)
        if client is None:
            # Here, not at the top: importing this module costs nothing at a cold start that
            # needs no AWS (a dev key and the bundled catalog); `preload()` pays for it at init.
            import boto3

            options: dict[str, Any] = {"config": _config(_TIMINGS[self.profile], service)}
            if self.endpoint_url:
                options["endpoint_url"] = self.endpoint_url
            if self.region:
                options["region_name"] = self.region
            if self._credentials is not None:
                options["aws_access_key_id"] = self._credentials.access_key_id
                options["aws_secret_access_key"] = self._credentials.secret_access_key
            client = self._clients[service] = boto3.client(service, **options)  # type: ignore[call-overload]
        return client


def preload() -> None:
    """Import boto3 and botocore now, without building a client: for a Lambda init, so the
    first request does not pay for the import (and a SnapStart snapshot keeps it), while no
    client (with its connections) exists before a restore."""
    import boto3  # noqa: F401
    import botocore.exceptions  # noqa: F401


def retry_transient(call: Callable[[], T], *, attempts: int) -> T:
    """`call()`, again at once if it failed for a reason that may not last (a timeout, a lost
    connection, throttling, a 5xx), up to `attempts` calls in all. Anything else raises at once.
    """
    # Loaded with boto3 (preload() or the first client), never at import: see _client.
    from botocore.exceptions import (
        ClientError,
        ConnectionClosedError,
        ConnectTimeoutError,
        EndpointConnectionError,
        ReadTimeoutError,
    )

    transient_network = (
        ConnectionClosedError,
        ConnectTimeoutError,
        EndpointConnectionError,
        ReadTimeoutError,
    )
    for attempt in range(1, attempts + 1):
        try:
            return call()
        except transient_network:
            if attempt == attempts:
                raise
        except ClientError as exc:
            if attempt == attempts or not _transient(exc):
                raise
    raise AssertionError("attempts must be >= 1")


_TRANSIENT_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "InternalServerError",
        "ServiceUnavailable",
        "SlowDown",
    }
)


def _transient(exc: Any) -> bool:
    error = exc.response.get("Error", {})
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
    return error.get("Code") in _TRANSIENT_CODES or status >= 500


def _config(timing: _Timing, service: str) -> Config:
    # Loaded with boto3 (preload() or the first client), never at import: see _client.
    from botocore.config import Config

    return Config(
        connect_timeout=timing.connect_timeout,
        read_timeout=timing.read_timeouts[service],
        retries=timing.retries,  # type: ignore[arg-type]
    )

"""The request time budget, on the wire: both tables hang (a server that takes connections and
never answers), and no request waits more than 3 s; during the backoff, requests answer at once.

The tables are healthy first (moto's server on 127.0.0.1), so the container has a catalog and a
verified key to fall back on; then every DynamoDB call goes to the hanging endpoint.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from moto.server import ThreadedMotoServer

from apikeys.material import generate_key
from apikeys.store import ApiKeyStore
from apikeys.verifier import KEY_VERDICT_TTL, KeyVerifier
from awsclients import REQUEST_ATTEMPTS, AwsClients, Credentials, Profile
from catalog.cache import CatalogCache
from catalog.dynamodb import DynamoDBCatalogStore
from devtools.template_tables import table_definitions
from handler.deps import Services
from tests.support.factories import model_doc, publish
from tests.support.fakes import FakeClock
from tests.support.http import api_client

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

pytestmark = pytest.mark.slow

BUDGET_SECONDS = 3.0
LOCAL = Credentials("testing", "testing")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def healthy_endpoint() -> Iterator[str]:
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
def hanging_endpoint() -> Iterator[str]:
    """Takes every connection (the kernel completes the handshake) and never answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(64)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"


def clients(endpoint: str, profile: Profile = Profile.REQUEST) -> AwsClients:
    return AwsClients(profile=profile, endpoint_url=endpoint, region="us-east-1", credentials=LOCAL)


def test_both_tables_hanging_cost_a_request_at_most_the_budget(
    healthy_endpoint: str, hanging_endpoint: str
) -> None:
    healthy, hanging = clients(healthy_endpoint), clients(hanging_endpoint)
    # The tables are made as the deploy makes them, without the request path's short timeouts:
    # a loaded machine's slow create_table is not what this test measures.
    setup: DynamoDBClient = clients(healthy_endpoint, Profile.BACKGROUND).dynamodb()
    for name, definition in table_definitions().items():
        setup.create_table(TableName=name, **definition)
    publish(setup, "ModelsTable", [model_doc("gpt-x"), model_doc("gpt-y")])
    key, _ = ApiKeyStore("ApiKeysTable", dynamodb=lambda: setup).create("router")

    current = {"aws": healthy}  # where every DynamoDB call of the API goes now

    def dynamodb() -> DynamoDBClient:
        return current["aws"].dynamodb()

    clock = FakeClock(1000.0)
    catalog = DynamoDBCatalogStore("ModelsTable", dynamodb=dynamodb, read_attempts=REQUEST_ATTEMPTS)
    keys = ApiKeyStore("ApiKeysTable", dynamodb=dynamodb, read_attempts=REQUEST_ATTEMPTS)
    services = Services(CatalogCache(catalog, ttl=60, clock=clock), KeyVerifier(keys, clock=clock))
    other_key = generate_key()  # well formed, never verified: only the table could say
    with api_client(services=services, key=key) as client:
        assert [m["id"] for m in client.get("/v1/models").json()["data"]] == ["gpt-x", "gpt-y"]

        current["aws"] = hanging
        clock.now += max(60, KEY_VERDICT_TTL) + 1  # both caches want to ask their table again

        started = time.monotonic()
        response = client.get("/v1/models")
        worst = time.monotonic() - started
        # The key was verified a minute ago: accepted from the cache; the catalog is the last
        # good one. Both tables were tried (2 attempts each) and both timed out.
        assert response.status_code == 200
        assert [m["id"] for m in response.json()["data"]] == ["gpt-x", "gpt-y"]
        assert client.get("/health").json()["catalog"]["source"] == "stale"
        assert worst < BUDGET_SECONDS

        started = time.monotonic()
        refused = client.get("/v1/models", headers={"Authorization": f"Bearer {other_key}"})
        during_backoff = time.monotonic() - started
        assert refused.status_code == 503
        assert refused.headers["retry-after"]
        started = time.monotonic()
        assert client.get("/v1/models").status_code == 200
        during_backoff = max(during_backoff, time.monotonic() - started)
        # Within the backoff neither table is called: the answers take milliseconds, not the
        # timeouts (0.5 s a call).
        assert during_backoff < 0.25

"""awsclients.AwsClients: one client per service, built on first use, with our timeouts and
retries, reaching the endpoint, region and credentials it is given."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSPreparedRequest

from awsclients import AwsClients, Credentials

SERVICES: dict[str, Callable[[AwsClients], Any]] = {
    "dynamodb": AwsClients.dynamodb,
    "s3": AwsClients.s3,
    "events": AwsClients.events,
}


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The service of every client boto3 builds from now on."""
    services: list[str] = []
    real_client = boto3.client

    def recording_client(service: str, **options: Any) -> Any:
        services.append(service)
        return real_client(service, **options)  # type: ignore[call-overload]

    monkeypatch.setattr(boto3, "client", recording_client)
    return services


class Sent(Exception):
    """Raised instead of sending: the request a client would have sent."""

    def __init__(self, request: AWSPreparedRequest) -> None:
        super().__init__(request.url)
        self.request = request


def request_of(client: Any, call: Callable[[], Any]) -> AWSPreparedRequest:
    """The signed request `call` makes with `client`, captured instead of sent."""

    def capture(request: AWSPreparedRequest, **_: Any) -> None:
        raise Sent(request)

    client.meta.events.register("before-send", capture)
    with pytest.raises(Sent) as sent:
        call()
    return sent.value.request


def authorization_of(request: AWSPreparedRequest) -> str:
    value = request.headers["Authorization"]
    return value.decode() if isinstance(value, bytes) else str(value)


def test_no_client_is_built_before_its_first_use(built: list[str]) -> None:
    aws = AwsClients()
    assert built == []
    dynamodb = aws.dynamodb()
    assert built == ["dynamodb"]
    assert aws.dynamodb() is dynamodb  # built once per holder
    assert built == ["dynamodb"]


def test_each_service_has_its_own_client_built_once(built: list[str]) -> None:
    aws = AwsClients()
    clients = {name: get(aws) for name, get in SERVICES.items()}
    assert {name: get(aws) for name, get in SERVICES.items()} == clients
    assert sorted(built) == ["dynamodb", "events", "s3"]
    assert [client.meta.service_model.service_name for client in clients.values()] == list(SERVICES)


def test_two_holders_do_not_share_clients() -> None:
    assert AwsClients().dynamodb() is not AwsClients().dynamodb()


@pytest.mark.parametrize(("service", "read_timeout"), [("dynamodb", 2), ("s3", 10), ("events", 5)])
def test_timeouts_and_retries(service: str, read_timeout: float) -> None:
    config = SERVICES[service](AwsClients()).meta.config
    assert config.connect_timeout == 1
    assert config.read_timeout == read_timeout
    # max_attempts=3 counts retries; botocore keeps it as 4 calls in all.
    assert config.retries == {"mode": "standard", "total_max_attempts": 4}


def test_endpoint_region_and_credentials_are_the_ones_given() -> None:
    aws = AwsClients(
        endpoint_url="http://127.0.0.1:4566",
        region="eu-west-3",
        credentials=Credentials("AKIDLOCAL", "local-secret"),
    )
    client = aws.dynamodb()
    assert (client.meta.endpoint_url, client.meta.region_name) == (
        "http://127.0.0.1:4566",
        "eu-west-3",
    )
    request = request_of(client, client.list_tables)
    assert request.url.startswith("http://127.0.0.1:4566")
    authorization = authorization_of(request)
    assert "Credential=AKIDLOCAL/" in authorization
    assert "/eu-west-3/dynamodb/aws4_request" in authorization


def test_without_them_boto3_resolves_its_own(
    mocked_aws: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # From the environment, as in a Lambda (its role's keys); moto stands by in case a request
    # ever got past the capture.
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-south-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDFROMENV")
    client = AwsClients().dynamodb()
    assert client.meta.region_name == "ap-south-1"
    request = request_of(client, client.list_tables)
    assert request.url.startswith("https://dynamodb.ap-south-1.amazonaws.com")
    assert "Credential=AKIDFROMENV/" in authorization_of(request)


def test_credentials_keep_the_secret_out_of_their_repr() -> None:
    credentials = Credentials("AKIDLOCAL", "local-secret")
    assert "AKIDLOCAL" in repr(credentials)
    assert "local-secret" not in repr(credentials)

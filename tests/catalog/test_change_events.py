"""CatalogChanged on EventBridge: what is put, and failures that PutEvents reports in its answer."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

import pytest
from botocore.exceptions import ClientError

from awsclients import AwsClients
from catalog.change_events import DETAIL_TYPE, EVENT_SOURCE, EventBridgePublisher
from catalog.errors import EventPublishFailed

if TYPE_CHECKING:
    from mypy_boto3_events import EventBridgeClient

DETAIL = {"version": 3, "source": "bundled", "added": ["a"], "updated": [], "removed": []}


class FakeEvents:
    def __init__(self, response: dict[str, Any] | Exception) -> None:
        self.response = response
        self.entries: list[dict[str, Any]] = []

    def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:
        self.entries += Entries
        if isinstance(self.response, Exception):
            raise self.response
        return self.response

    def provider(self) -> Callable[[], EventBridgeClient]:
        """This fake as the client provider a publisher is given (it has all a publisher uses)."""
        return lambda: cast("EventBridgeClient", self)


def test_puts_one_catalog_changed_entry_on_the_bus() -> None:
    client = FakeEvents({"FailedEntryCount": 0, "Entries": [{"EventId": "1"}]})
    EventBridgePublisher("catalog-bus", events=client.provider()).publish(DETAIL)
    (entry,) = client.entries
    assert entry["EventBusName"] == "catalog-bus"
    assert (entry["Source"], entry["DetailType"]) == (EVENT_SOURCE, DETAIL_TYPE)
    assert json.loads(entry["Detail"]) == DETAIL


def test_a_failed_entry_in_a_200_answer_is_a_failure() -> None:
    client = FakeEvents(
        {
            "FailedEntryCount": 1,
            "Entries": [{"ErrorCode": "InternalFailure", "ErrorMessage": "try again"}],
        }
    )
    publisher = EventBridgePublisher("catalog-bus", events=client.provider())
    with pytest.raises(EventPublishFailed, match="InternalFailure: try again"):
        publisher.publish(DETAIL)


def test_an_sdk_error_is_a_failure() -> None:
    denied = ClientError({"Error": {"Code": "AccessDeniedException", "Message": "no"}}, "PutEvents")
    publisher = EventBridgePublisher("b", events=FakeEvents(denied).provider())
    with pytest.raises(EventPublishFailed, match="AccessDeniedException") as caught:
        publisher.publish(DETAIL)
    assert caught.value.__cause__ is denied


def test_a_bus_name_is_required() -> None:
    with pytest.raises(ValueError, match="bus_name"):
        EventBridgePublisher("", events=AwsClients().events)

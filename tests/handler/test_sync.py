"""The sync job as deployed and as run from a shell: events, settings, S3, EventBridge, CLI.

And the point of it all: the API serves what the sync published, within one cache TTL.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from fastapi.testclient import TestClient

from catalog import aws
from catalog.bundled import bundled_models
from catalog.cache import CatalogCache
from catalog.dynamodb import DynamoDBCatalogStore
from catalog.errors import InvalidCatalog, InvalidSource, RemovalRefused, SourceUnavailable
from catalog.events import DETAIL_TYPE, EVENT_SOURCE
from handler import deps
from handler.api import app
from handler.cli import main
from handler.settings import SettingsError
from handler.sync import lambda_handler
from tests.factories import CallCounter, FakeClock, model_doc

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_s3 import S3Client

EVENTS = Path(__file__).parents[2] / "events"
EXPECTED: dict[str, dict[str, Any]] = json.loads((EVENTS / "expected.json").read_text())
SYNC_EVENTS = sorted(n for n, s in EXPECTED.items() if s["function"] == "CatalogSyncFunction")
BUNDLED_IDS = [m.id for m in bundled_models()]
BUCKET = "curated-catalog"
DEV_KEY = "ar-dev-sync-test-key"


@pytest.fixture
def sync_env(models_table: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The environment template.yaml gives CatalogSyncFunction, against moto."""
    monkeypatch.setenv("MODELS_TABLE", models_table)
    return models_table


@pytest.fixture
def s3(mocked_aws: None) -> S3Client:
    client = boto3.client("s3", region_name="us-east-1")
    client.create_bucket(Bucket=BUCKET)
    return client


def upload(s3: S3Client, docs: list[dict[str, Any]], key: str = "models.json") -> str:
    s3.put_object(Bucket=BUCKET, Key=key, Body=json.dumps({"object": "list", "data": docs}))
    return f"s3://{BUCKET}/{key}"


def table_ids(dynamodb: DynamoDBClient, table: str) -> list[str]:
    contents = DynamoDBCatalogStore(table, client=dynamodb).read_catalog()
    return [] if contents is None else [m.id for m in contents.models]


def test_the_manifest_names_both_sync_events() -> None:
    assert SYNC_EVENTS == ["scheduled-sync-dry-run.json", "scheduled-sync.json"]


@pytest.mark.parametrize("name", SYNC_EVENTS)
def test_every_sync_event_file_runs_through_the_handler(
    name: str, sync_env: str, dynamodb: DynamoDBClient
) -> None:
    event = json.loads((EVENTS / name).read_text())
    dry_run = EXPECTED[name]["dry_run"]

    report = lambda_handler(event, None)

    assert report["dry_run"] is dry_run
    assert report["source"] == "bundled"
    assert report["added"] == BUNDLED_IDS
    assert table_ids(dynamodb, sync_env) == ([] if dry_run else BUNDLED_IDS)
    assert report["version"] == (None if dry_run else 1)
    json.dumps(report)  # what Lambda returns must serialise


def test_force_in_the_event_lifts_the_removal_guard(
    sync_env: str, s3: S3Client, dynamodb: DynamoDBClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    lambda_handler({}, None)
    monkeypatch.setenv("CATALOG_SOURCE", upload(s3, [model_doc("only-one")]))
    deps.reset()
    with pytest.raises(RemovalRefused):
        lambda_handler({}, None)
    assert table_ids(dynamodb, sync_env) == BUNDLED_IDS
    report = lambda_handler({"force": True}, None)
    assert report["removed"] == sorted(BUNDLED_IDS)
    assert table_ids(dynamodb, sync_env) == ["only-one"]


@pytest.mark.parametrize(
    ("event", "message"),
    [
        ({"dry_run": "yes"}, "'dry_run' must be true or false"),
        ({"force": 1}, "'force' must be true or false"),
        ([1, 2], "must be a JSON object"),
    ],
)
def test_a_malformed_event_is_refused_before_anything_runs(
    event: Any, message: str, sync_env: str, dynamodb: DynamoDBClient
) -> None:
    calls = CallCounter(aws.dynamodb_client())
    with pytest.raises(ValueError, match=message):
        lambda_handler(event, None)
    assert calls.calls == []


def test_without_a_table_the_sync_refuses(mocked_aws: None) -> None:
    with pytest.raises(SettingsError, match="MODELS_TABLE is not set"):
        lambda_handler({}, None)


def test_a_bad_source_setting_is_refused(sync_env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CATALOG_SOURCE", "https://example.com/models.json")
    with pytest.raises(InvalidSource):
        lambda_handler({}, None)


def test_publishes_an_s3_catalog(
    sync_env: str, s3: S3Client, dynamodb: DynamoDBClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs = [model_doc("meta-llama/llama-3.1-70b-instruct", owned_by="meta"), model_doc("gpt-x")]
    monkeypatch.setenv("CATALOG_SOURCE", upload(s3, docs))
    report = lambda_handler({}, None)
    assert report["source"] == f"s3://{BUCKET}/models.json"
    assert table_ids(dynamodb, sync_env) == ["meta-llama/llama-3.1-70b-instruct", "gpt-x"]


def test_an_invalid_s3_catalog_writes_nothing_and_lists_every_problem(
    sync_env: str, s3: S3Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    lambda_handler({}, None)
    bad = [model_doc("good"), model_doc("bad id"), model_doc("neg", context_length=-1)]
    monkeypatch.setenv("CATALOG_SOURCE", upload(s3, bad))
    deps.reset()
    calls = CallCounter(aws.dynamodb_client())
    with pytest.raises(InvalidCatalog) as caught:
        lambda_handler({}, None)
    assert len(caught.value.problems) == 2
    assert calls.calls == []  # validated before the table was even read


def test_a_missing_s3_object_fails_the_run(
    sync_env: str, s3: S3Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CATALOG_SOURCE", f"s3://{BUCKET}/not-there.json")
    with pytest.raises(SourceUnavailable, match="does not exist"):
        lambda_handler({}, None)


def test_catalog_changed_reaches_an_eventbridge_rule(
    sync_env: str, s3: S3Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    events = boto3.client("events", region_name="us-east-1")
    sqs = boto3.client("sqs", region_name="us-east-1")
    events.create_event_bus(Name="catalog-bus")
    queue_url = sqs.create_queue(QueueName="catalog-changes")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    events.put_rule(
        Name="catalog-changed",
        EventBusName="catalog-bus",
        EventPattern=json.dumps({"source": [EVENT_SOURCE], "detail-type": [DETAIL_TYPE]}),
    )
    events.put_targets(
        Rule="catalog-changed", EventBusName="catalog-bus", Targets=[{"Id": "q", "Arn": queue_arn}]
    )
    monkeypatch.setenv("CATALOG_EVENT_BUS", "catalog-bus")

    first = lambda_handler({}, None)
    lambda_handler({}, None)  # nothing changed: no event
    monkeypatch.setenv("CATALOG_SOURCE", upload(s3, [*_bundled_docs(), model_doc("new-model")]))
    deps.reset()
    second = lambda_handler({}, None)

    messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)["Messages"]
    received = [json.loads(m["Body"]) for m in messages]
    assert [e["detail-type"] for e in received] == [DETAIL_TYPE, DETAIL_TYPE]
    assert {e["source"] for e in received} == {EVENT_SOURCE}
    assert [e["detail"] for e in received] == [
        {"version": 1, "source": "bundled", "added": BUNDLED_IDS, "updated": [], "removed": []},
        {
            "version": 2,
            "source": f"s3://{BUCKET}/models.json",
            "added": ["new-model"],
            "updated": [],
            "removed": [],
        },
    ]
    assert first["event_published"]
    assert second["event_published"]


def test_an_unknown_event_bus_fails_the_run_loudly(
    sync_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from catalog.errors import EventPublishFailed

    monkeypatch.setenv("CATALOG_EVENT_BUS", "no-such-bus")
    with pytest.raises(EventPublishFailed, match="no-such-bus"):
        lambda_handler({}, None)


def _bundled_docs() -> list[dict[str, Any]]:
    return [m.to_wire() for m in bundled_models()]


# -- the command line ----------------------------------------------------------------------------


def test_cli_sync_prints_the_report(
    sync_env: str, dynamodb: DynamoDBClient, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sync", "--dry-run"]) == 0
    dry = json.loads(capsys.readouterr().out)
    assert (dry["dry_run"], dry["added"], dry["version"]) == (True, BUNDLED_IDS, None)
    assert table_ids(dynamodb, sync_env) == []

    assert main(["sync"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["dry_run"], report["version"], report["unchanged"]) == (False, 1, 0)
    assert table_ids(dynamodb, sync_env) == BUNDLED_IDS


def test_cli_sync_from_s3_with_force(
    sync_env: str, s3: S3Client, dynamodb: DynamoDBClient, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sync"]) == 0
    source = upload(s3, [model_doc("solo")])
    assert main(["sync", "--source", source]) == 1
    assert "more than the 20% allowed" in capsys.readouterr().err
    assert main(["sync", "--source", source, "--force"]) == 0
    assert table_ids(dynamodb, sync_env) == ["solo"]


def test_cli_sync_lists_every_problem_of_an_invalid_source(
    sync_env: str, s3: S3Client, capsys: pytest.CaptureFixture[str]
) -> None:
    source = upload(s3, [model_doc("x y"), model_doc("z", created="yesterday")])
    assert main(["sync", "--source", source]) == 1
    err = capsys.readouterr().err
    assert "invalid catalog, 2 problem(s)" in err
    assert "data[0] (x y).id" in err
    assert "data[1] (z).created" in err


def test_cli_sync_without_a_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sync"]) == 1
    assert "MODELS_TABLE is not set" in capsys.readouterr().err


def test_cli_validate_accepts_the_bundled_catalog(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "catalog/models.json"]) == 0
    assert "OK, 8 models" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            {"data": [model_doc("a"), model_doc("a"), model_doc("b", context_length="big")]},
            ["2 problem(s)", "duplicate id 'a'", "data[2] (b).context_length"],
        ),
        ({"models": []}, ['{"object": "list", "data": [...]}']),
        ("{truncated", ["is not valid JSON"]),
    ],
)
def test_cli_validate_lists_every_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: Any, expected: list[str]
) -> None:
    path = tmp_path / "models.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    assert main(["validate", str(path)]) == 1
    err = capsys.readouterr().err
    for fragment in expected:
        assert fragment in err


def test_cli_validate_a_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(tmp_path / "nope.json")]) == 1
    assert "cannot read" in capsys.readouterr().err


# -- the API serves what the sync published -------------------------------------------------------


def test_the_api_serves_a_new_sync_within_one_ttl(
    sync_env: str, s3: S3Client, dynamodb: DynamoDBClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Same process, warm container: no DynamoDB call within the TTL, the change after it."""
    ttl = 60.0
    clock = FakeClock()
    api_client = boto3.client("dynamodb", region_name="us-east-1")
    calls = CallCounter(api_client)
    cache = CatalogCache(DynamoDBCatalogStore(sync_env, client=api_client), ttl=ttl, clock=clock)

    async def warm_cache() -> CatalogCache:
        return cache

    monkeypatch.setenv("DEV_API_KEY", DEV_KEY)
    deps.reset()
    app.dependency_overrides[deps.provide_catalog_cache] = warm_cache
    try:
        with TestClient(app, headers={"Authorization": f"Bearer {DEV_KEY}"}) as api:
            lambda_handler({}, None)
            assert [m["id"] for m in api.get("/v1/models").json()["data"]] == BUNDLED_IDS
            assert api.get("/health").json()["catalog"]["version"] == 1

            changed = [model_doc("gpt-4o", context_length=256000), *_bundled_docs()[1:]]
            monkeypatch.setenv("CATALOG_SOURCE", upload(s3, changed))
            deps.reset()
            app.dependency_overrides[deps.provide_catalog_cache] = warm_cache
            assert lambda_handler({}, None)["updated"] == ["gpt-4o"]

            calls.reset()
            clock.now = ttl - 1  # still fresh: the old catalog, and not one DynamoDB call
            assert api.get("/v1/models/gpt-4o").json()["context_length"] == 128000
            assert calls.calls == []

            clock.now = ttl  # the TTL ran out: one GetItem sees version 2, one Query reads it
            assert api.get("/v1/models/gpt-4o").json()["context_length"] == 256000
            assert calls.calls == ["GetItem", "Query"]
            assert api.get("/health").json()["catalog"] == {
                "source": "dynamodb",
                "version": 2,
                "models": 8,
            }
    finally:
        app.dependency_overrides.clear()

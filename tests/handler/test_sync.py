"""The sync job as deployed and as run from a shell: events, settings, S3, EventBridge, CLI.

And the point of it all: the API serves what the sync published, within one cache TTL.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import boto3
import pytest

from apikeys.verifier import KeyVerifier
from awsclients import AwsClients
from catalog.bundled import bundled_models
from catalog.cache import CatalogCache
from catalog.change_events import DETAIL_TYPE, EVENT_SOURCE
from catalog.dynamodb import DynamoDBCatalogStore
from catalog.errors import (
    EventPublishFailed,
    InvalidCatalog,
    InvalidSource,
    RemovalRefused,
    SourceUnavailable,
)
from catalog.lifecycle import day_start
from handler import sync
from handler.compose import build_sync, run_sync
from handler.deps import Services
from handler.metrics import (
    MODELS_DEPRECATED,
    MODELS_RETIRED_LISTED,
    MODELS_SHUTTING_DOWN_SOON,
)
from handler.settings import Settings, SettingsError
from handler.sync_event import SyncHandler
from tests.support.environment import REGION
from tests.support.events import EXPECTED, SAM_ENV, SYNC_EVENTS, load
from tests.support.factories import (
    SEED_IDS,
    CatalogBucket,
    ids_listed_by_default,
    model_doc,
    published_ids,
    write_catalog,
)
from tests.support.fakes import CallCounter, FakeClock
from tests.support.http import DEV_KEY, api_client

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

BUNDLED_IDS = [m.id for m in bundled_models()]
# The bundled catalog on 2026-11-27: gpt-4o and gpt-4o-mini deprecated (shut down on
# 2027-01-14), the six other seed models retired, the current ones active.
NOW = day_start("2026-11-27")
BUNDLED_DEPRECATED = ["gpt-4o", "gpt-4o-mini"]
BUNDLED_RETIRED = [i for i in SEED_IDS if i not in BUNDLED_DEPRECATED]


def handler_for(
    aws: AwsClients,
    models_table: str,
    *,
    wall_clock: Callable[[], float] = time.time,
    **settings: Any,
) -> SyncHandler:
    """CatalogSyncFunction as template.yaml configures it, against moto."""
    return build_sync(
        Settings(models_table=models_table, **settings), aws=aws, wall_clock=wall_clock
    )


def _bundled_docs() -> list[dict[str, Any]]:
    return [m.to_wire() for m in bundled_models()]


def test_the_manifest_names_both_sync_events() -> None:
    assert SYNC_EVENTS == ["scheduled-sync-dry-run.json", "scheduled-sync.json"]


def test_the_deployed_entry_point_is_a_sync_handler() -> None:
    assert isinstance(sync.lambda_handler, SyncHandler)


@pytest.mark.parametrize("name", SYNC_EVENTS)
def test_every_sync_event_file_runs_through_the_handler(
    name: str, aws: AwsClients, dynamodb: DynamoDBClient, models_table: str
) -> None:
    """As `sam local invoke --env-vars events/env.json`, with MODELS_TABLE set to moto's table."""
    settings = Settings.from_environ(
        {**SAM_ENV["CatalogSyncFunction"], "MODELS_TABLE": models_table}
    )
    event = load(name)
    dry_run = EXPECTED[name]["dry_run"]

    report = build_sync(settings, aws=aws)(event, None)

    assert report["dry_run"] is dry_run
    assert report["source"] == "bundled"
    assert report["added"] == BUNDLED_IDS
    assert published_ids(dynamodb, models_table) == ([] if dry_run else BUNDLED_IDS)
    assert report["version"] == (None if dry_run else 1)
    json.dumps(report)  # what Lambda returns must serialise


def test_force_in_the_event_lifts_the_removal_guard(
    aws: AwsClients, source_bucket: CatalogBucket, dynamodb: DynamoDBClient, models_table: str
) -> None:
    handler_for(aws, models_table)({}, None)
    shrunk = handler_for(
        aws, models_table, catalog_source=source_bucket.upload([model_doc("only-one")])
    )
    with pytest.raises(RemovalRefused, match=r'invoke with \{"force": true\}') as refused:
        shrunk({}, None)
    assert refused.value.removed == sorted(BUNDLED_IDS)
    assert refused.value.published == len(BUNDLED_IDS)
    assert published_ids(dynamodb, models_table) == BUNDLED_IDS
    report = shrunk({"force": True}, None)
    assert report["removed"] == sorted(BUNDLED_IDS)
    assert published_ids(dynamodb, models_table) == ["only-one"]


@pytest.mark.parametrize(
    ("event", "message"),
    [
        ({"dry_run": "yes"}, "'dry_run' must be true or false"),
        ({"force": 1}, "'force' must be true or false"),
        ([1, 2], "must be a JSON object"),
        # Issue 18: a misspelt option must not publish for real.
        ({"dryrun": True}, "unknown key.*'dryrun'.*takes only 'dry_run' and 'force'"),
        ({"dry_run": True, "Force": True}, "unknown key.*'Force'"),
    ],
)
def test_a_malformed_event_is_refused_before_anything_runs(
    event: Any, message: str, aws: AwsClients, models_table: str
) -> None:
    calls = CallCounter(aws.dynamodb())
    with pytest.raises(ValueError, match=message):
        handler_for(aws, models_table)(event, None)
    assert calls.calls == []


def test_an_eventbridge_envelope_is_not_an_unknown_key(
    aws: AwsClients, dynamodb: DynamoDBClient, models_table: str
) -> None:
    report = handler_for(aws, models_table)(load("scheduled-sync.json"), None)
    assert (report["dry_run"], report["version"]) == (False, 1)


def test_an_invoke_without_a_payload_runs_a_normal_sync(
    aws: AwsClients, dynamodb: DynamoDBClient, models_table: str
) -> None:
    report = handler_for(aws, models_table)(None, None)
    assert (report["dry_run"], report["version"]) == (False, 1)
    assert published_ids(dynamodb, models_table) == BUNDLED_IDS


def test_without_a_table_the_sync_refuses(aws: AwsClients) -> None:
    with pytest.raises(SettingsError, match="MODELS_TABLE is not set"):
        build_sync(Settings(), aws=aws)({}, None)
    with pytest.raises(SettingsError, match="MODELS_TABLE is not set"):
        build_sync(Settings.from_environ(SAM_ENV["CatalogSyncFunction"]), aws=aws)({}, None)


def test_a_bad_source_setting_is_refused(aws: AwsClients, models_table: str) -> None:
    with pytest.raises(InvalidSource):
        handler_for(aws, models_table, catalog_source="https://example.com/models.json")({}, None)


def test_publishes_an_s3_catalog(
    aws: AwsClients, source_bucket: CatalogBucket, dynamodb: DynamoDBClient, models_table: str
) -> None:
    docs = [model_doc("meta-llama/llama-3.1-70b-instruct", owned_by="meta"), model_doc("gpt-x")]
    report = handler_for(aws, models_table, catalog_source=source_bucket.upload(docs))({}, None)
    assert report["source"] == f"s3://{source_bucket.name}/models.json"
    assert published_ids(dynamodb, models_table) == ["meta-llama/llama-3.1-70b-instruct", "gpt-x"]


def test_an_invalid_s3_catalog_writes_nothing_and_lists_every_problem(
    aws: AwsClients, source_bucket: CatalogBucket, models_table: str
) -> None:
    handler_for(aws, models_table)({}, None)
    bad = [model_doc("good"), model_doc("bad id"), model_doc("neg", context_length=-1)]
    handler = handler_for(aws, models_table, catalog_source=source_bucket.upload(bad))
    calls = CallCounter(aws.dynamodb())
    with pytest.raises(InvalidCatalog) as caught:
        handler({}, None)
    assert len(caught.value.problems) == 2
    assert calls.calls == []  # validated before the table was even read


def test_a_missing_s3_object_fails_the_run(
    aws: AwsClients, source_bucket: CatalogBucket, models_table: str
) -> None:
    handler = handler_for(
        aws, models_table, catalog_source=f"s3://{source_bucket.name}/not-there.json"
    )
    with pytest.raises(SourceUnavailable, match="does not exist"):
        handler({}, None)


def test_catalog_changed_reaches_an_eventbridge_rule(
    aws: AwsClients, source_bucket: CatalogBucket, models_table: str
) -> None:
    events = aws.events()
    sqs = boto3.client("sqs", region_name=REGION)
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
    wall = FakeClock(NOW)
    handler = handler_for(aws, models_table, catalog_event_bus="catalog-bus", wall_clock=wall)

    first = handler({}, None)
    wall.now = day_start("2027-01-14")  # gpt-4o retires: time passing alone is no change
    unchanged = handler({}, None)  # nothing changed: no event
    source = source_bucket.upload([*_bundled_docs(), model_doc("new-model")])
    second = handler_for(
        aws, models_table, catalog_event_bus="catalog-bus", catalog_source=source, wall_clock=wall
    )({}, None)

    messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)["Messages"]
    received = [json.loads(m["Body"]) for m in messages]
    assert [e["detail-type"] for e in received] == [DETAIL_TYPE, DETAIL_TYPE]
    assert {e["source"] for e in received} == {EVENT_SOURCE}
    assert [e["detail"] for e in received] == [
        {
            "version": 1,
            "source": "bundled",
            "added": BUNDLED_IDS,
            "updated": [],
            "removed": [],
            "moved": [],
            "deprecated": BUNDLED_DEPRECATED,
            "retired": BUNDLED_RETIRED,
            "changes": {},
        },
        {
            "version": 2,
            "source": f"s3://{source_bucket.name}/models.json",
            "added": ["new-model"],
            "updated": [],
            "removed": [],
            "moved": [],
            "deprecated": [],
            "retired": [],
            "changes": {},
        },
    ]
    assert (first["deprecated"], first["retired"]) == (BUNDLED_DEPRECATED, BUNDLED_RETIRED)
    assert (unchanged["version"], unchanged["deprecated"], unchanged["retired"]) == (1, [], [])
    assert first["event_published"]
    assert not unchanged["event_published"]
    assert second["event_published"]


def test_an_unknown_event_bus_fails_the_run_loudly(aws: AwsClients, models_table: str) -> None:
    with pytest.raises(EventPublishFailed, match="no-such-bus"):
        handler_for(aws, models_table, catalog_event_bus="no-such-bus")({}, None)


# -- the lifecycle metrics (embedded metric format on stdout) -------------------------------------


def lifecycle_metrics(out: str) -> list[tuple[int, int, int]]:
    """(deprecated, retired listed, shutting down soon) of every EMF line written."""
    lines = [json.loads(line) for line in out.splitlines() if line.startswith('{"_aws"')]
    return [
        (line[MODELS_DEPRECATED], line[MODELS_RETIRED_LISTED], line[MODELS_SHUTTING_DOWN_SOON])
        for line in lines
    ]


def test_every_run_but_a_dry_run_writes_the_lifecycle_metrics_of_what_is_published(
    aws: AwsClients, models_table: str, capsys: pytest.CaptureFixture[str]
) -> None:
    wall = FakeClock(NOW)
    handler = handler_for(aws, models_table, function_name="models-sync", wall_clock=wall)

    handler({"dry_run": True}, None)  # publishes nothing: no metric
    assert lifecycle_metrics(capsys.readouterr().out) == []

    assert handler({}, None)["version"] == 1
    # gpt-4o and gpt-4o-mini shut down on 2027-01-14: 48 days away, beyond the 30 by default.
    assert lifecycle_metrics(capsys.readouterr().out) == [(2, 6, 0)]

    wall.now = day_start("2026-12-15")  # 30 days before: the same document, no new version
    report = handler({}, None)
    assert (report["version"], report["writes"], report["deprecated"]) == (1, 0, [])
    assert lifecycle_metrics(capsys.readouterr().out) == [(2, 6, 2)]

    wall.now = day_start("2027-01-14")  # the shutdown date: retired, still listed
    handler({}, None)
    assert lifecycle_metrics(capsys.readouterr().out) == [(0, 8, 0)]


def test_the_warning_horizon_is_the_setting(
    aws: AwsClients, models_table: str, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings.from_environ(
        {
            "MODELS_TABLE": models_table,
            "AWS_LAMBDA_FUNCTION_NAME": "models-sync",
            "LIFECYCLE_WARNING_DAYS": "48",
        }
    )
    build_sync(settings, aws=aws, wall_clock=lambda: NOW)({}, None)
    assert lifecycle_metrics(capsys.readouterr().out) == [(2, 6, 2)]


def test_no_lifecycle_metric_off_lambda(
    aws: AwsClients, models_table: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """No function name (not on Lambda; the CLI): the report only, no EMF line."""
    assert handler_for(aws, models_table, wall_clock=lambda: NOW)({}, None)["version"] == 1
    assert run_sync(Settings(models_table=models_table), aws=aws).version == 1
    assert lifecycle_metrics(capsys.readouterr().out) == []


# -- the command line: a composition root, configured by its environment --------------------------


# -- the API serves what the sync published -------------------------------------------------------


def test_the_api_serves_a_new_sync_within_one_ttl(
    aws: AwsClients, source_bucket: CatalogBucket, models_table: str
) -> None:
    """Same table, warm API container: no DynamoDB call within the TTL, the change after it."""
    ttl = 60.0
    clock = FakeClock()
    api_aws = AwsClients(region=REGION)  # the API's container has clients of its own
    calls = CallCounter(api_aws.dynamodb())
    services = Services(
        CatalogCache(
            DynamoDBCatalogStore(models_table, dynamodb=api_aws.dynamodb), ttl=ttl, clock=clock
        ),
        KeyVerifier(None, dev_key=DEV_KEY),
    )
    with api_client(services=services) as api:
        handler_for(aws, models_table)({}, None)
        assert [m["id"] for m in api.get("/v1/models").json()["data"]] == ids_listed_by_default()
        assert api.get("/health").json()["catalog"]["version"] == 1

        changed = [model_doc("gpt-4o", context_length=256000), *_bundled_docs()[1:]]
        source = source_bucket.upload(changed)
        assert handler_for(aws, models_table, catalog_source=source)({}, None)["updated"] == [
            "gpt-4o"
        ]

        calls.reset()
        clock.now = ttl - 1  # still fresh: the old catalog, and not one DynamoDB call
        assert api.get("/v1/models/gpt-4o").json()["context_length"] == 128000
        assert calls.calls == []

        clock.now = ttl  # the TTL ran out: one GetItem sees version 2, one BatchGetItem reads it
        assert api.get("/v1/models/gpt-4o").json()["context_length"] == 256000
        assert calls.calls == ["GetItem", "BatchGetItem"]
        assert api.get("/health").json()["catalog"] == {
            "source": "dynamodb",
            "version": 2,
            "models": len(BUNDLED_IDS),
        }


def test_the_clean_up_keeps_old_versions_for_the_grace_period_setting(
    aws: AwsClients, dynamodb: DynamoDBClient, models_table: str, tmp_path: Any
) -> None:
    """CATALOG_CLEANUP_GRACE_MINUTES (the template's CleanupGraceMinutes, with replicas): an
    old version's chunks outlive the publish that retired it by that long, on the wall clock."""
    now = [1_790_000_000.0]
    settings = Settings(
        models_table=models_table, cleanup_grace_minutes=15, sync_max_remove_fraction=1.0
    )
    for version in (1, 2, 3):
        source = write_catalog(tmp_path / f"v{version}.json", [model_doc(f"model-{version}")])
        run_sync(settings, aws=aws, source=str(source), allow_files=True, wall_clock=lambda: now[0])
        now[0] += 60

    def documents() -> set[str]:
        items = dynamodb.scan(TableName=models_table)["Items"]
        return {item["sk"]["S"].split("#")[1] for item in items if item["sk"]["S"] != "meta"}

    assert len(documents()) == 3  # version 1 is neither published nor previous, but kept
    now[0] += 15 * 60  # the grace period since version 3 was published: the next run deletes
    run_sync(settings, aws=aws, source=str(source), allow_files=True, wall_clock=lambda: now[0])
    assert len(documents()) == 2

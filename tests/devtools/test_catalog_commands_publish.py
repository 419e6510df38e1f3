"""devtools/catalog_commands.py, edits that last: `ar-models publish FILE` writes the stack's
catalog source and syncs, so the next scheduled run changes nothing; `sync --source FILE`
elsewhere than CATALOG_SOURCE needs `--temporary`, and says what the next scheduled run will
revert (moto)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from devtools.cli import main
from handler.compose import build_sync
from handler.settings import Settings
from tests.support.factories import CatalogBucket, model_doc, published_ids, write_catalog

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

    from awsclients import AwsClients

DOCS = [model_doc(f"model-{n}") for n in range(5)]


@pytest.fixture
def stack(models_table: str, source_bucket: CatalogBucket, monkeypatch: pytest.MonkeyPatch) -> str:
    """A stack whose CATALOG_SOURCE is an S3 object, published once; the shell's settings."""
    source = source_bucket.upload(DOCS)
    monkeypatch.setenv("MODELS_TABLE", models_table)
    monkeypatch.setenv("CATALOG_SOURCE", source)
    assert main(["sync"]) == 0
    return source


def scheduled_run(aws: AwsClients, models_table: str, source: str) -> dict[str, Any]:
    """CatalogSyncFunction's scheduled run (an empty event), as template.yaml configures it."""
    settings = Settings(models_table=models_table, catalog_source=source)
    return build_sync(settings, aws=aws)({}, None)


def write(path: Path, docs: list[dict[str, Any]]) -> str:
    return str(write_catalog(path, docs))


def source_docs(bucket: CatalogBucket) -> list[dict[str, Any]]:
    body = bucket.client.get_object(Bucket=bucket.name, Key="models.json")["Body"].read()
    return list(json.loads(body)["data"])


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_publish_lasts_the_next_scheduled_run_changes_nothing(
    stack: str,
    aws: AwsClients,
    models_table: str,
    dynamodb: DynamoDBClient,
    source_bucket: CatalogBucket,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    capsys.readouterr()
    edited = [*DOCS[:2], model_doc("added"), *DOCS[2:]]
    path = write(tmp_path / "models.json", edited)

    code, out, err = run(capsys, "publish", path)
    assert code == 0, err
    report = json.loads(out)
    assert (report["added"], report["updated"], report["moved"], report["version"]) == (
        ["added"],
        [],
        [],
        2,
    )
    assert report["source"] == stack  # synced from the stack's own source
    assert source_docs(source_bucket) == edited  # which now holds the file
    assert published_ids(dynamodb, models_table) == [d["id"] for d in edited]

    nightly = scheduled_run(aws, models_table, stack)
    assert (nightly["added"], nightly["updated"], nightly["removed"], nightly["moved"]) == (
        [],
        [],
        [],
        [],
    )
    assert (nightly["version"], nightly["writes"]) == (2, 0)
    assert published_ids(dynamodb, models_table) == [d["id"] for d in edited]


def test_a_publish_dry_run_reports_and_uploads_nothing(
    stack: str,
    source_bucket: CatalogBucket,
    dynamodb: DynamoDBClient,
    models_table: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    capsys.readouterr()
    changed = [model_doc("model-0", context_length=64000), *DOCS[1:]]
    code, out, err = run(capsys, "publish", write(tmp_path / "m.json", changed), "--dry-run")
    assert code == 0, err
    report = json.loads(out)
    assert report["dry_run"] is True
    assert report["changes"] == {
        "model-0": [{"field": "context_length", "old": 128000, "new": 64000}]
    }
    assert source_docs(source_bucket) == DOCS
    assert published_ids(dynamodb, models_table) == [d["id"] for d in DOCS]


@pytest.mark.parametrize(
    ("docs", "says"),
    [
        ([model_doc("x y")], "invalid catalog, 1 problem(s)"),
        ([model_doc("model-0")], "more than the 20% allowed"),
    ],
    ids=["invalid", "guard"],
)
def test_a_refused_publish_changes_neither_the_source_nor_the_table(
    stack: str,
    source_bucket: CatalogBucket,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    docs: list[dict[str, Any]],
    says: str,
) -> None:
    capsys.readouterr()
    code, out, err = run(capsys, "publish", write(tmp_path / "m.json", docs))
    assert (code, out) == (1, "")
    assert says in err
    assert source_docs(source_bucket) == DOCS


def test_publish_refuses_a_stack_whose_source_is_the_bundled_catalog(
    models_table: str,
    dynamodb: DynamoDBClient,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("MODELS_TABLE", models_table)
    monkeypatch.delenv("CATALOG_SOURCE", raising=False)
    code, out, err = run(capsys, "publish", write(tmp_path / "m.json", DOCS))
    assert (code, out) == (1, "")
    assert "CATALOG_SOURCE is 'bundled', the catalog bundled with the code" in err
    assert "CATALOG_SOURCE=s3://BUCKET/KEY" in err
    assert published_ids(dynamodb, models_table) == []


def test_sync_from_another_source_refuses_without_temporary_naming_publish(
    stack: str,
    dynamodb: DynamoDBClient,
    models_table: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    capsys.readouterr()
    path = write(tmp_path / "m.json", [*DOCS, model_doc("extra")])
    code, out, err = run(capsys, "sync", "--source", path)
    assert (code, out) == (1, "")
    assert f"the stack's scheduled sync publishes CATALOG_SOURCE ({stack})" in err
    assert f"To make the change last: ar-models publish {path}" in err
    assert "add --temporary" in err
    assert published_ids(dynamodb, models_table) == [d["id"] for d in DOCS]
    # A dry run writes nothing, so it needs no --temporary.
    assert run(capsys, "sync", "--source", path, "--dry-run")[0] == 0


def test_a_temporary_sync_says_what_the_next_scheduled_run_reverts(
    stack: str,
    aws: AwsClients,
    dynamodb: DynamoDBClient,
    models_table: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    capsys.readouterr()
    docs = [model_doc("model-0", context_length=64000), *DOCS[1:], model_doc("extra")]
    path = write(tmp_path / "m.json", docs)
    code, out, err = run(capsys, "sync", "--source", path, "--temporary")
    assert code == 0, err
    assert json.loads(out)["added"] == ["extra"]
    assert err == (
        f"ar-models: published {Path(path).resolve()} temporarily: the next scheduled sync "
        f"publishes CATALOG_SOURCE ({stack}) again: it would remove extra and revert model-0.\n"
    )
    assert "extra" in published_ids(dynamodb, models_table)
    nightly = scheduled_run(aws, models_table, stack)
    assert (nightly["removed"], nightly["updated"]) == (["extra"], ["model-0"])
    assert published_ids(dynamodb, models_table) == [d["id"] for d in DOCS]

"""devtools/catalog_commands.py, `ar-models export`: the published catalog as a file `ar-models
sync` takes back unchanged.

Exactly the models as published (verbatim, curated order), pretty-printed; a file written whole
or not at all; a published model the schema refuses fails the export unless `--skip-invalid`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from awsclients import AwsClients
from catalog.dynamodb import DynamoDBCatalogStore
from devtools.cli import main
from tests.support.factories import model_doc, publish, published_ids, write_catalog
from tests.support.fakes import CallCounter

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

# Curated order (not sorted), a non-ASCII extra field, nested values: all kept as published.
DOCS = [
    model_doc("zeta", curator_note="café, 東京 ✓"),
    model_doc("alpha", owned_by="meta", curator_meta={"weight": 0.5, "ranks": [1, 2]}),
    model_doc("mid/model:v1"),
]


@pytest.fixture
def counter(dynamodb: DynamoDBClient, monkeypatch: pytest.MonkeyPatch) -> CallCounter:
    """Every DynamoDB call the CLI makes, on the wire: its clients are this one."""
    monkeypatch.setattr(AwsClients, "dynamodb", lambda _self: dynamodb)
    return CallCounter(dynamodb)


@pytest.fixture
def table(models_table: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("MODELS_TABLE", models_table)
    return models_table


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def expected_file(docs: list[dict[str, Any]]) -> str:
    return json.dumps({"object": "list", "data": docs}, indent=2, ensure_ascii=False) + "\n"


def publish_from_file(path: Path, docs: list[dict[str, Any]]) -> None:
    """Published for now: `ar-models sync --source FILE --temporary` (CATALOG_SOURCE is the
    bundled catalog here, so `publish` has nowhere to write)."""
    write_catalog(path, docs)
    assert main(["sync", "--source", str(path), "--temporary"]) == 0


def version(table: str, dynamodb: DynamoDBClient) -> int | None:
    return DynamoDBCatalogStore(table, dynamodb=lambda: dynamodb).read_version()


def test_export_prints_the_published_catalog_to_stdout(
    table: str,
    counter: CallCounter,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    publish_from_file(tmp_path / "source.json", DOCS)
    capsys.readouterr()
    counter.reset()

    code, out, err = run(capsys, "export")
    assert (code, err) == (0, "")
    assert out == expected_file(DOCS)  # indent 2, UTF-8 as is, one trailing newline
    assert "café, 東京 ✓" in out
    assert [doc["id"] for doc in json.loads(out)["data"]] == ["zeta", "alpha", "mid/model:v1"]
    # The writer's reads: the pointer, then its document; nothing else, never a write.
    assert counter.calls == ["GetItem", "BatchGetItem"]


def test_export_writes_a_file_whole_and_says_so(
    table: str, dynamodb: DynamoDBClient, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    publish(dynamodb, table, DOCS)
    target = tmp_path / "out" / "models.json"
    target.parent.mkdir()
    target.write_text("an older export")

    code, out, err = run(capsys, "export", "--output", str(target))
    assert (code, err) == (0, "")
    assert target.read_bytes() == expected_file(DOCS).encode("utf-8")
    assert out == f"{target}: catalog version 1 ({table}), 3 models\n"
    assert os.listdir(target.parent) == ["models.json"]  # no temporary file left behind


def test_export_never_leaves_a_half_file(
    table: str,
    dynamodb: DynamoDBClient,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    publish(dynamodb, table, DOCS)
    target = tmp_path / "models.json"
    target.write_text("the previous export\n")

    def disk_full(*_: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    code, out, err = run(capsys, "export", "-o", str(target))
    assert (code, out) == (1, "")
    assert err == f"ar-models: cannot write {target}: No space left on device\n"
    assert target.read_text() == "the previous export\n"  # untouched
    assert os.listdir(tmp_path) == ["models.json"]  # and the temporary file is gone


def test_export_into_a_missing_directory_fails_cleanly(
    table: str, dynamodb: DynamoDBClient, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    publish(dynamodb, table, DOCS)
    code, out, err = run(capsys, "export", "--output", str(tmp_path / "no" / "models.json"))
    assert (code, out) == (1, "")
    assert err.startswith(f"ar-models: cannot write {tmp_path / 'no' / 'models.json'}: ")


def test_export_then_sync_writes_nothing(
    table: str,
    dynamodb: DynamoDBClient,
    counter: CallCounter,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    publish_from_file(tmp_path / "source.json", DOCS)
    assert main(["sync", "--source", "bundled", "--force"]) == 0  # version 2: the bundled one
    published = published_ids(dynamodb, table)
    capsys.readouterr()
    exported = tmp_path / "exported.json"
    assert run(capsys, "export", "--output", str(exported))[0] == 0

    counter.reset()
    code, out, err = run(capsys, "sync", "--source", str(exported), "--temporary")
    assert code == 0, err
    assert err.endswith("it would remove no model.\n")  # the same models as CATALOG_SOURCE
    report = json.loads(out)
    assert counter.writes == []  # on the wire: no BatchWriteItem, no UpdateItem
    assert report["writes"] == 0
    assert (report["version"], report["added"], report["updated"], report["removed"]) == (
        2,
        [],
        [],
        [],
    )
    assert report["unchanged"] == len(published)
    assert version(table, dynamodb) == 2
    assert published_ids(dynamodb, table) == published


def test_export_with_nothing_published_fails(
    table: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "export")
    assert (code, out) == (1, "")
    assert err == f"ar-models: nothing is published in {table}: there is no catalog to export\n"

    target = tmp_path / "models.json"
    code, out, err = run(capsys, "export", "--output", str(target))
    assert (code, out) == (1, "")
    assert "nothing is published" in err
    assert not target.exists()
    assert os.listdir(tmp_path) == []


def test_export_of_a_legacy_layout_says_to_sync_first(
    table: str, dynamodb: DynamoDBClient, capsys: pytest.CaptureFixture[str]
) -> None:
    dynamodb.put_item(
        TableName=table, Item={"pk": {"S": "catalog"}, "sk": {"S": "meta"}, "version": {"N": "3"}}
    )
    code, out, err = run(capsys, "export")
    assert (code, out) == (1, "")
    assert "catalog version 3" in err
    assert "legacy layout" in err
    assert "ar-models sync" in err


def test_export_of_a_pointer_edited_by_hand_names_what_cannot_be_read(
    table: str, dynamodb: DynamoDBClient, capsys: pytest.CaptureFixture[str]
) -> None:
    publish(dynamodb, table, DOCS)
    dynamodb.update_item(
        TableName=table,
        Key={"pk": {"S": "catalog"}, "sk": {"S": "meta"}},
        UpdateExpression="SET chunks = :bad",
        ExpressionAttributeValues={":bad": {"S": "two"}},
    )
    code, out, err = run(capsys, "export")
    assert (code, out) == (1, "")
    assert "catalog version 1 cannot be read" in err
    assert "`chunks` is {'S': 'two'}" in err
    assert "legacy layout" not in err  # read as the API and the sync read it, not as legacy


def test_export_of_a_corrupt_catalog_fails(
    table: str, dynamodb: DynamoDBClient, capsys: pytest.CaptureFixture[str]
) -> None:
    publish(dynamodb, table, DOCS)
    items = dynamodb.scan(TableName=table)["Items"]
    chunk = next(item for item in items if item["sk"]["S"] != "meta")
    dynamodb.delete_item(TableName=table, Key={"pk": chunk["pk"], "sk": chunk["sk"]})
    code, out, err = run(capsys, "export")
    assert (code, out) == (1, "")
    assert "is missing" in err


def test_export_without_a_table_fails_naming_the_variable(
    mocked_aws: None, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "export")
    assert (code, out) == (1, "")
    assert "MODELS_TABLE is not set" in err
    # Where a table is to be had locally, and where the curated catalog is without one.
    assert "`make dev`" in err
    assert "`. .dev/env`" in err
    assert "catalog/models.json" in err


INVALID = [model_doc("good"), model_doc("bad id"), model_doc("late", created="yesterday")]


def test_export_of_a_model_the_schema_refuses_fails_listing_them(
    table: str, dynamodb: DynamoDBClient, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Published by an older schema, say: never a file silently missing a model."""
    publish(dynamodb, table, [*INVALID, model_doc("good")])
    target = tmp_path / "models.json"
    code, out, err = run(capsys, "export", "--output", str(target))
    assert (code, out) == (1, "")
    assert f"catalog version 1 ({table}): invalid catalog, 3 problem(s)" in err
    assert "data[1] (bad id).id" in err
    assert "data[2] (late).created" in err
    assert "data[3] (good): duplicate id 'good'" in err
    assert "--skip-invalid" in err
    assert not target.exists()


def test_export_skip_invalid_leaves_them_out_and_lists_them(
    table: str, dynamodb: DynamoDBClient, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    publish(dynamodb, table, [*INVALID, model_doc("good", owned_by="dup"), model_doc("last")])
    code, out, err = run(capsys, "export", "--skip-invalid")
    assert code == 0
    assert out == expected_file([model_doc("good"), model_doc("last")])
    assert err.startswith(
        f"ar-models: catalog version 1 ({table}): left out 3 published model(s) "
        "the schema refuses:\n"
    )
    assert "data[1] (bad id).id" in err
    assert "data[3] (good): duplicate id 'good'" in err
    # What it wrote is a catalog the sync takes.
    exported = tmp_path / "models.json"
    exported.write_text(out)
    assert main(["validate", str(exported)]) == 0

"""`ar-models sync` and `ar-models validate` from a shell (moto): one JSON report on stdout,
quiet stderr, the guard, every problem of an invalid catalog listed."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from catalog.dynamodb import DynamoDBCatalogStore
from devtools.cli import main
from tests.support.factories import SEED_IDS, CatalogBucket, model_doc, publish, published_ids

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

RETIRED = ["retired-a", "retired-b", "retired-c"]


@pytest.fixture
def sync_env(models_table: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The CLI reads its settings from the environment at main(), as a shell gives them."""
    monkeypatch.setenv("MODELS_TABLE", models_table)
    return models_table


@contextmanager
def root_logger_of_a_new_process() -> Iterator[None]:
    """The root logger as `ar-models` starts with it: no handler, so main's logging setup applies.

    Under pytest the root logger carries pytest's capture handlers, which would turn main's
    `logging.basicConfig` into a no-op and hide whatever it lets through to stderr.
    """
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    root.handlers.clear()
    root.setLevel(logging.WARNING)
    try:
        yield
    finally:
        for handler in root.handlers:
            handler.close()
        root.handlers[:] = handlers
        root.setLevel(level)


def sync(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """`ar-models sync ARGS`: exit code, stdout, stderr."""
    with root_logger_of_a_new_process():
        code = main(["sync", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def published_version(table: str, dynamodb: DynamoDBClient) -> int | None:
    return DynamoDBCatalogStore(table, dynamodb=lambda: dynamodb).read_version()


def test_sync_prints_its_report_once_as_json_and_nothing_else(
    sync_env: str, dynamodb: DynamoDBClient, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = sync(capsys)
    assert code == 0, err
    report = json.loads(out)  # the whole of stdout: one JSON document
    assert report["source"] == "bundled"
    assert report["added"] == SEED_IDS
    assert report["version"] == 1
    # Neither the sync's INFO line (the same report again) nor botocore's credential lines.
    assert err == ""
    assert published_version(sync_env, dynamodb) == 1

    code, out, err = sync(capsys)
    assert (code, err) == (0, "")
    assert json.loads(out)["unchanged"] == len(SEED_IDS)
    assert json.loads(out)["version"] == 1


def test_a_dry_run_prints_the_report_and_writes_nothing(
    sync_env: str, dynamodb: DynamoDBClient, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = sync(capsys, "--dry-run")
    assert (code, err) == (0, "")
    report = json.loads(out)
    assert report["dry_run"] is True
    assert report["added"] == SEED_IDS
    assert published_version(sync_env, dynamodb) is None


def test_a_sync_that_would_remove_too_much_fails_and_names_force(
    sync_env: str, dynamodb: DynamoDBClient, capsys: pytest.CaptureFixture[str]
) -> None:
    # 3 of 11 published models are not in the bundled catalog: 27%, over the 20% allowed.
    publish(dynamodb, sync_env, [model_doc(model_id) for model_id in [*SEED_IDS, *RETIRED]])

    code, out, err = sync(capsys)
    assert code == 1
    assert out == ""
    assert "would remove 3 of 11" in err
    assert "--force" in err
    assert published_version(sync_env, dynamodb) == 1  # nothing published

    code, out, err = sync(capsys, "--force")
    assert code == 0, err
    assert json.loads(out)["removed"] == RETIRED
    assert published_version(sync_env, dynamodb) == 2
    # Forcing a removal is worth a warning; anything below that stays quiet.
    assert err.splitlines()
    assert all(line.startswith("WARNING ") for line in err.splitlines()), err


def test_sync_without_a_table_fails_naming_the_variable(
    mocked_aws: None, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = sync(capsys)
    assert code == 1
    assert out == ""
    assert "MODELS_TABLE is not set" in err


# -- a source from S3, and `ar-models validate` -------------------------------------------------


def test_cli_sync_from_s3_with_force(
    sync_env: str,
    source_bucket: CatalogBucket,
    dynamodb: DynamoDBClient,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["sync"]) == 0
    source = source_bucket.upload([model_doc("solo")])
    assert main(["sync", "--source", source]) == 1
    err = capsys.readouterr().err
    assert "more than the 20% allowed" in err
    assert "--force" in err
    assert main(["sync", "--source", source, "--force"]) == 0
    assert published_ids(dynamodb, sync_env) == ["solo"]


def test_cli_sync_lists_every_problem_of_an_invalid_source(
    sync_env: str, source_bucket: CatalogBucket, capsys: pytest.CaptureFixture[str]
) -> None:
    source = source_bucket.upload([model_doc("x y"), model_doc("z", created="yesterday")])
    assert main(["sync", "--source", source]) == 1
    err = capsys.readouterr().err
    assert "invalid catalog, 2 problem(s)" in err
    assert "data[0] (x y).id" in err
    assert "data[1] (z).created" in err


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

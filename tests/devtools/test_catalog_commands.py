"""devtools/catalog_commands.py: `ar-models sync` and `ar-models validate` from a shell (moto): one
JSON report on stdout, quiet stderr, the guard, every problem of an invalid catalog listed, a
local file as the source (which the deployed function refuses)."""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from catalog.bundled import bundled_models
from catalog.dynamodb import DynamoDBCatalogStore
from catalog.errors import InvalidSource
from catalog.limits import MAX_LIST_BYTES, MAX_MODELS
from catalog.wire import served_list_size
from devtools.cli import main
from handler.compose import build_sync, run_sync
from handler.settings import Settings
from tests.support.factories import (
    BUNDLED_IDS,
    SEED_IDS,
    CatalogBucket,
    model_doc,
    publish,
    published_ids,
    write_catalog,
)

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

    from awsclients import AwsClients

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
    assert report["added"] == BUNDLED_IDS
    assert report["version"] == 1
    # Neither the sync's INFO line (the same report again) nor botocore's credential lines.
    assert err == ""
    assert published_version(sync_env, dynamodb) == 1

    code, out, err = sync(capsys)
    assert (code, err) == (0, "")
    assert json.loads(out)["unchanged"] == len(BUNDLED_IDS)
    assert json.loads(out)["version"] == 1


def test_a_dry_run_prints_the_report_and_writes_nothing(
    sync_env: str, dynamodb: DynamoDBClient, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = sync(capsys, "--dry-run")
    assert (code, err) == (0, "")
    report = json.loads(out)
    assert report["dry_run"] is True
    assert report["added"] == BUNDLED_IDS
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


# -- a local file as the source: the CLI reads it, the deployed function refuses it ------------


def test_cli_sync_publishes_a_local_file_dry_run_first(
    sync_env: str,
    dynamodb: DynamoDBClient,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    write_catalog(tmp_path / "models.json", [model_doc("b"), model_doc("a")])
    monkeypatch.chdir(tmp_path)
    resolved = str((tmp_path / "models.json").resolve())

    code, out, err = sync(capsys, "--source", "./models.json", "--dry-run")
    assert (code, err) == (0, "")
    report = json.loads(out)
    assert report["source"] == resolved  # the absolute path, wherever the shell was
    assert (report["dry_run"], report["added"], report["version"]) == (True, ["b", "a"], None)
    assert published_version(sync_env, dynamodb) is None

    # CATALOG_SOURCE is another place (the bundled catalog): published for now, and said so.
    code, out, err = sync(capsys, "--source", "./models.json", "--temporary")
    assert code == 0, err
    assert err == (
        f"ar-models: published {resolved} temporarily: the next scheduled sync publishes "
        "CATALOG_SOURCE (bundled) again: it would remove b, a.\n"
    )
    report = json.loads(out)
    assert (report["source"], report["dry_run"], report["version"]) == (resolved, False, 1)
    assert published_ids(dynamodb, sync_env) == ["b", "a"]


@pytest.mark.parametrize("form", ["models.json", "{tmp}/models.json", "file://{tmp}/models.json"])
def test_cli_sync_takes_every_form_of_a_path(
    form: str,
    sync_env: str,
    dynamodb: DynamoDBClient,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    write_catalog(tmp_path / "models.json", [model_doc("solo")])
    monkeypatch.chdir(tmp_path)
    code, out, err = sync(capsys, "--source", form.format(tmp=tmp_path), "--temporary")
    assert code == 0, err
    assert json.loads(out)["source"] == str((tmp_path / "models.json").resolve())
    assert published_ids(dynamodb, sync_env) == ["solo"]


def test_cli_sync_of_a_missing_file_fails_and_writes_nothing(
    sync_env: str, dynamodb: DynamoDBClient, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nope.json"
    code, out, err = sync(capsys, "--source", str(missing), "--dry-run")
    assert (code, out) == (1, "")
    assert err == f"ar-models: {missing.resolve()} does not exist\n"
    code, out, err = sync(capsys, "--source", str(missing))
    assert (code, out) == (1, "")
    assert published_version(sync_env, dynamodb) is None


def test_cli_sync_lists_every_problem_of_an_invalid_file(
    sync_env: str, dynamodb: DynamoDBClient, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_catalog(tmp_path / "models.json", [model_doc("x y"), model_doc("z", created="1")])
    code, out, err = sync(capsys, "--source", str(path))
    assert (code, out) == (1, "")
    assert "invalid catalog, 2 problem(s)" in err
    assert "data[0] (x y).id" in err
    assert "data[1] (z).created" in err
    assert published_version(sync_env, dynamodb) is None


def test_cli_sync_reads_a_path_in_catalog_source(
    sync_env: str,
    dynamodb: DynamoDBClient,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = write_catalog(tmp_path / "models.json", [model_doc("solo")])
    monkeypatch.setenv("CATALOG_SOURCE", str(path))
    code, out, err = sync(capsys)
    assert (code, err) == (0, "")
    assert json.loads(out)["source"] == str(path.resolve())
    assert published_ids(dynamodb, sync_env) == ["solo"]


@pytest.mark.parametrize("form", ["{tmp}/models.json", "file://{tmp}/models.json", "models.json"])
def test_the_deployed_function_refuses_a_path_in_catalog_source(
    form: str,
    aws: AwsClients,
    dynamodb: DynamoDBClient,
    models_table: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Even an existing file: a deployed function has none of the operator's files."""
    write_catalog(tmp_path / "models.json", [model_doc("solo")])
    monkeypatch.chdir(tmp_path)
    source = form.format(tmp=tmp_path)
    handler = build_sync(Settings(models_table=models_table, catalog_source=source), aws=aws)
    for event in ({}, {"dry_run": True}):
        with pytest.raises(InvalidSource, match="a deployed function has no such file"):
            handler(event, None)
    # run_sync refuses one by default too; only a caller that allows files reads one.
    settings = Settings(models_table=models_table)
    with pytest.raises(InvalidSource, match="'bundled' or 's3://bucket/key'"):
        run_sync(settings, aws=aws, source=source)
    assert published_version(models_table, dynamodb) is None
    assert run_sync(settings, aws=aws, source=source, allow_files=True).version == 1


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
    assert main(["sync", "--source", source, "--force", "--temporary"]) == 0
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
    out, err = capsys.readouterr()
    # Valid, with one warning line each for the seed successors the catalog does not hold.
    assert err.count("catalog/models.json: warning: ") == len(err.splitlines()) == 4
    assert "successor 'claude-sonnet-4-6' is not in the catalog" in err
    assert f"OK, {len(BUNDLED_IDS)} models" in out
    size = served_list_size(bundled_models())
    assert f"GET /v1/models is {size:,} bytes" in out
    assert f"of the {MAX_LIST_BYTES:,}-byte cap" in out


def write_raw(tmp_path: Path, raw: bytes) -> str:
    path = tmp_path / "models.json"
    path.write_bytes(raw)
    return str(path)


def raw_document(*entries: Any) -> bytes:
    """As a file holds it: `json.dumps` writes NaN, big integers and escaped lone surrogates."""
    return json.dumps({"object": "list", "data": list(entries)}).encode()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            raw_document(
                model_doc("big", context_length=2**130),
                model_doc("nan", score=math.nan),
                model_doc("caf\ud800"),
                model_doc("yes", capabilities={"vision": "yes", "function_calling": True}),
                model_doc("str", created="17", notes="n" * 300_000),
            ),
            [
                "invalid catalog, 7 problem(s)",
                "data[0] (big).context_length",
                "data[1] (nan).score: NaN is not a JSON number",
                "data[2] (caf\\ud800).id",
                "data[3] (yes).capabilities.vision: Input should be a valid boolean",
                "data[4] (str).created: Input should be a valid integer",
                "data[4] (str).notes: string of 300,000 characters",
                "data[4] (str): 300,1",
                "bytes as served, over the cap of 65,536 for one model",
            ],
        ),
        (b'{"data": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", ["nested too deeply"]),
        (b'{"data": [\xff]}', ["not valid JSON: not UTF-8"]),
        (
            raw_document(*(model_doc(f"m{n}") for n in range(MAX_MODELS + 1))),
            [f"{MAX_MODELS + 1:,} models, over the cap of {MAX_MODELS:,}"],
        ),
    ],
    ids=["every-model-problem", "deep-nesting", "not-utf8", "too-many-models"],
)
def test_cli_validate_lists_every_problem_never_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], raw: bytes, expected: list[str]
) -> None:
    assert main(["validate", write_raw(tmp_path, raw)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "invalid catalog" in captured.err
    assert "Traceback" not in captured.err
    for fragment in expected:
        assert fragment in captured.err
    captured.err.encode("utf-8")  # printable: no lone surrogate reaches the terminal


def test_cli_validate_reads_no_more_than_the_cap(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The cap bounds both the CLI's read (catalog.limits) and the parser's check of it.
    for module in ("catalog.limits", "catalog.document"):
        monkeypatch.setattr(f"{module}.MAX_DOCUMENT_BYTES", 1_000)
    path = write_raw(tmp_path, raw_document(*(model_doc(f"m{n}") for n in range(50))))
    assert main(["validate", path]) == 1
    assert "is over 1,000 bytes, the most a catalog document may be" in capsys.readouterr().err


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

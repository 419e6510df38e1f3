"""devtools/catalog_commands.py, `ar-models lifecycle`: every model that is not active, as a table
or JSON, on a given date.

The catalog is the published one (MODELS_TABLE, moto), the bundled one when MODELS_TABLE is
unset, or a document named by `--source`; which one is said on stderr, so `--json` stays pure.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from devtools.cli import main
from tests.support.factories import model_doc, publish, write_catalog

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

COLUMNS = ["ID", "STATUS", "DEPRECATED", "SHUTDOWN", "DAYS LEFT", "SUCCESSOR"]
NONE = "\u2014"  # the em dash of an unknown date or no successor

# The bundled catalog on 2026-11-27: retired by shutdown date (then curated order), then
# deprecated. (id, status, deprecated, shutdown, days left, successor)
BUNDLED_ON_2026_11_27 = [
    ("gemini-1.5-pro", "retired", NONE, "2025-09-24", "-429", "gemini-2.5-pro"),
    ("gemini-1.5-flash", "retired", NONE, "2025-09-24", "-429", "gemini-2.5-flash"),
    (
        "claude-3-5-sonnet-20241022",
        "retired",
        "2025-08-13",
        "2025-10-28",
        "-395",
        "claude-sonnet-4-6",
    ),
    ("claude-3-opus-20240229", "retired", "2025-06-30", "2026-01-05", "-326", "claude-opus-4-8"),
    (
        "claude-3-haiku-20240307",
        "retired",
        "2026-02-19",
        "2026-04-20",
        "-221",
        "claude-haiku-4-5-20251001",
    ),
    ("gpt-4-turbo", "retired", "2026-04-22", "2026-10-23", "-35", NONE),
    ("gpt-4o", "deprecated", "2026-10-14", "2027-01-14", "48", "gpt-6-luna"),
    ("gpt-4o-mini", "deprecated", "2026-10-14", "2027-01-14", "48", "gpt-6-luna"),
]


@pytest.fixture
def table(models_table: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The CLI is a composition root: it reads MODELS_TABLE from the environment at main()."""
    monkeypatch.setenv("MODELS_TABLE", models_table)
    return models_table


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["lifecycle", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def parse_table(out: str) -> list[tuple[str, ...]]:
    """The rows under the header, each cut at the header's column starts; every cell must start
    exactly there (aligned), two blanks at least after the one before it."""
    lines = out.splitlines()
    starts = [lines[0].index(name) for name in COLUMNS]
    rows: list[tuple[str, ...]] = []
    for line in lines:
        assert line == line.rstrip(), f"trailing blanks in {line!r}"
        for name, start in zip(COLUMNS[1:], starts[1:], strict=True):
            assert line[start - 2 : start] == "  ", f"{name} runs into the cell before: {line!r}"
            assert line[start] != " ", f"{name} not aligned in {line!r}"
        ends = [*starts[1:], len(line)]
        rows.append(tuple(line[start:end].strip() for start, end in zip(starts, ends, strict=True)))
    assert rows[0] == tuple(COLUMNS)
    return rows[1:]


def test_bundled_catalog_lists_six_retired_then_two_deprecated(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(capsys, "--at", "2026-11-27")
    assert code == 0
    assert parse_table(out) == BUNDLED_ON_2026_11_27
    statuses = [row[1] for row in parse_table(out)]
    assert statuses == ["retired"] * 6 + ["deprecated"] * 2
    # Which catalog, and on which date, on stderr (stdout is the report alone).
    assert err == "Lifecycle of the bundled catalog (MODELS_TABLE is not set) on 2026-11-27 (UTC)\n"


def test_table_columns_are_aligned(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--at", "2026-11-27")
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 1 + len(BUNDLED_ON_2026_11_27)
    header = lines[0]
    for name in COLUMNS[1:]:
        column = header.index(name)
        # Every line has a cell starting right there, after at least two blanks.
        for line in lines[1:]:
            assert line[column - 2 : column] == "  ", (name, line)
            assert line[column] != " ", (name, line)
    # The widest id sets the second column: two spaces after it, no more.
    widest = max(len(row[0]) for row in BUNDLED_ON_2026_11_27)
    assert header.index("STATUS") == widest + 2


def test_before_any_date_every_model_is_active(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--at", "2024-01-01")
    assert (code, out) == (0, "every model is active\n")
    assert "2024-01-01" in err

    code, out, _ = run(capsys, "--at", "2024-01-01", "--json")
    assert code == 0
    assert json.loads(out) == []


def test_json_is_the_same_report_for_scripts(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--at", "2026-11-27", "--json")
    assert code == 0
    assert err.startswith("Lifecycle of the bundled catalog")
    report = json.loads(out)  # stdout is the JSON alone
    assert [list(item) for item in report] == [
        ["id", "status", "deprecated_at", "shutdown_at", "days_left", "successor"]
    ] * len(report)
    assert [
        (
            item["id"],
            item["status"],
            item["deprecated_at"] or NONE,
            item["shutdown_at"] or NONE,
            str(item["days_left"]),
            item["successor"] or NONE,
        )
        for item in report
    ] == BUNDLED_ON_2026_11_27
    gemini, turbo, gpt_4o = report[0], report[5], report[6]
    assert gemini["deprecated_at"] is None  # null where unknown
    assert turbo["successor"] is None
    assert gpt_4o == {
        "id": "gpt-4o",
        "status": "deprecated",
        "deprecated_at": "2026-10-14",
        "shutdown_at": "2027-01-14",
        "days_left": 48,
        "successor": "gpt-6-luna",
    }


def test_the_published_catalog_is_read_from_models_table(
    table: str, dynamodb: DynamoDBClient, capsys: pytest.CaptureFixture[str]
) -> None:
    docs = [
        model_doc("always-active"),
        model_doc("stated-deprecated", lifecycle={"status": "deprecated"}),
        model_doc(
            "late-shutdown",
            lifecycle={"deprecated_at": "2026-01-01", "shutdown_at": "2027-03-01"},
        ),
        model_doc(
            "soon-shutdown",
            lifecycle={
                "deprecated_at": "2026-01-01",
                "shutdown_at": "2026-12-01",
                "successor": "next-gen",
            },
        ),
        model_doc("stated-retired", lifecycle={"status": "retired"}),
        model_doc("shut-down", lifecycle={"shutdown_at": "2026-06-01", "successor": "next-gen"}),
        model_doc("deprecated-later", lifecycle={"deprecated_at": "2027-01-01"}),
        model_doc("next-gen"),
    ]
    publish(dynamodb, table, docs)
    version = publish(dynamodb, table, docs)  # the one published now

    code, out, err = run(capsys, "--at", "2026-11-27")
    assert code == 0
    assert err == f"Lifecycle of catalog version {version} ({table}) on 2026-11-27 (UTC)\n"
    # Retired, then deprecated; each by shutdown date with an unknown one last.
    assert parse_table(out) == [
        ("shut-down", "retired", NONE, "2026-06-01", "-179", "next-gen"),
        ("stated-retired", "retired", NONE, NONE, NONE, NONE),
        ("soon-shutdown", "deprecated", "2026-01-01", "2026-12-01", "4", "next-gen"),
        ("late-shutdown", "deprecated", "2026-01-01", "2027-03-01", "94", NONE),
        ("stated-deprecated", "deprecated", NONE, NONE, NONE, NONE),
    ]

    # On its shutdown date a model is retired, with 0 days left.
    code, out, _ = run(capsys, "--at", "2026-12-01", "--json")
    assert code == 0
    soon = next(item for item in json.loads(out) if item["id"] == "soon-shutdown")
    assert (soon["status"], soon["days_left"]) == ("retired", 0)


def test_nothing_published_fails_naming_the_table(
    table: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "--at", "2026-11-27")
    assert (code, out) == (1, "")
    assert err.startswith(f"ar-models: nothing is published in {table}")


def test_source_inspects_a_local_file_before_publishing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_catalog(
        tmp_path / "models.json",
        [
            model_doc("new-model"),
            model_doc("old-model", lifecycle={"deprecated_at": "2026-11-01", "successor": "x"}),
        ],
    )
    code, out, err = run(capsys, "--source", str(path), "--at", "2026-11-27", "--json")
    assert code == 0
    assert str(path) in err
    assert json.loads(out) == [
        {
            "id": "old-model",
            "status": "deprecated",
            "deprecated_at": "2026-11-01",
            "shutdown_at": None,
            "days_left": None,
            "successor": "x",
        }
    ]


def test_source_wins_over_the_published_catalog(
    table: str, dynamodb: DynamoDBClient, capsys: pytest.CaptureFixture[str]
) -> None:
    publish(dynamodb, table, [model_doc("published", lifecycle={"status": "retired"})])
    code, out, err = run(capsys, "--source", "bundled", "--at", "2026-11-27")
    assert code == 0
    assert err.startswith("Lifecycle of bundled")
    assert [row[0] for row in parse_table(out)] == [row[0] for row in BUNDLED_ON_2026_11_27]


def test_an_invalid_source_is_refused_listing_its_problems(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_catalog(
        tmp_path / "models.json",
        [
            model_doc("fine"),
            model_doc(
                "backwards",
                lifecycle={"deprecated_at": "2026-12-01", "shutdown_at": "2026-01-01"},
            ),
        ],
    )
    code, out, err = run(capsys, "--source", str(path), "--at", "2026-11-27")
    assert (code, out) == (1, "")
    assert err.startswith(f"ar-models: {path}: invalid catalog, 1 problem(s):\n  - ")
    assert "(backwards).lifecycle" in err
    assert "shutdown_at 2026-01-01 is before deprecated_at 2026-12-01" in err


def test_a_missing_source_file_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--source", str(tmp_path / "nope.json"))
    assert (code, out) == (1, "")
    assert err == f"ar-models: {tmp_path / 'nope.json'} does not exist\n"


@pytest.mark.parametrize("value", ["2026-1-1", "20261127", "2026-02-30", "tomorrow"])
def test_at_must_be_a_date(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["lifecycle", "--at", value])
    assert exited.value.code == 2
    assert "--at: not a date YYYY-MM-DD" in capsys.readouterr().err


def test_the_default_date_is_today_utc(capsys: pytest.CaptureFixture[str]) -> None:
    before = datetime.now(UTC).date().isoformat()
    code, _, err = run(capsys)
    after = datetime.now(UTC).date().isoformat()
    assert code == 0
    assert err.rstrip().endswith((f"on {before} (UTC)", f"on {after} (UTC)"))


def test_a_published_model_the_schema_refuses_is_left_out_as_the_api_skips_it(
    table: str, dynamodb: DynamoDBClient, capsys: pytest.CaptureFixture[str]
) -> None:
    publish(
        dynamodb,
        table,
        [
            model_doc("broken", context_length="many", lifecycle={"status": "retired"}),
            model_doc("old", lifecycle={"status": "retired"}),
        ],
    )
    code, out, err = run(capsys, "--at", "2026-11-27")
    assert code == 0
    assert [row[0] for row in parse_table(out)] == ["old"]
    assert err.splitlines() == [
        f"Lifecycle of catalog version 1 ({table}) on 2026-11-27 (UTC)",
        "ar-models: left out 1 published model(s) the schema refuses, as the API skips them "
        "(`ar-models export` lists their problems)",
    ]

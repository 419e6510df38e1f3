"""devtools/output.py: what every `ar-models` command prints alike. The failure line and its exit
status, aligned tables, and paths and commands in the form that runs pasted."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from devtools.output import ar_models_command, fail, format_table, shown_path


def test_fail_says_why_on_stderr_only_and_is_exit_status_1(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert fail("MODELS_TABLE is not set") == 1
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", "ar-models: MODELS_TABLE is not set\n")


def test_a_table_aligns_each_column_to_its_widest_cell_without_trailing_spaces() -> None:
    table = format_table([("ID", "STATUS"), ("gpt-4o-mini", "deprecated"), ("o3", "")])
    assert table.splitlines() == ["ID           STATUS", "gpt-4o-mini  deprecated", "o3"]


def test_paths_are_shown_relative_where_they_are_inside_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert shown_path(tmp_path / ".dev" / "env") == ".dev/env"
    assert shown_path(Path(".dev/env")) == ".dev/env"
    assert shown_path(tmp_path.parent / "my dir" / "env") == f"'{tmp_path.parent}/my dir/env'"


def test_the_cli_is_named_as_the_venv_script_that_runs_pasted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bin_dir = tmp_path / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "ar-models").touch()
    monkeypatch.setattr(sys, "executable", str(bin_dir / "python"))
    monkeypatch.chdir(tmp_path)
    assert ar_models_command() == ".venv/bin/ar-models"  # as in a clone `make` set up

    (bin_dir / "ar-models").unlink()
    assert ar_models_command() == ".venv/bin/python -m devtools.cli"

"""devtools/cli.py: the `ar-models` parser and `main`. Help that describes every option, a bad
setting refused before any command runs, Ctrl-C as exit status 130. (Each command's behaviour
is its module's test: test_catalog_commands.py, test_key_commands.py, ...)"""

from __future__ import annotations

import argparse

import pytest

from devtools import catalog_commands
from devtools.cli import main
from handler import settings as env
from handler.settings import Settings


@pytest.mark.parametrize("command", ["serve", "dev"])
def test_help_describes_every_option(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main([command, "--help"])
    assert exited.value.code == 0
    text = capsys.readouterr().out
    assert "DEV_API_KEY" in text
    assert "in use" in text
    options = text.split("options:", 1)[1]
    # Each option's entry (its line and any continuation) says something after its name.
    entries = [entry for entry in options.split("\n  -") if entry.strip()]
    assert len(entries) >= 3
    for entry in entries:
        name, _, description = entry.strip().partition("  ")
        assert description.strip(), f"-{name} has no help"


def test_a_bad_setting_fails_before_any_command_runs(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(env.CATALOG_CACHE_TTL, "soon")
    assert main(["validate", "no-such-file.json"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("ar-models: ")
    assert env.CATALOG_CACHE_TTL in captured.err
    assert "'soon'" in captured.err


def test_ctrl_c_in_a_command_is_exit_status_130(monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(_args: argparse.Namespace, _settings: Settings) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(catalog_commands, "validate_catalog", interrupted)
    assert main(["validate", "models.json"]) == 130


def test_a_command_is_required(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main([])
    assert exited.value.code == 2
    assert "COMMAND" in capsys.readouterr().err

"""devtools/serve_commands.py: `ar-models serve` and `ar-models dev` in process, where they stop
before serving: a port that is taken is reported first, on stderr, with the option that fixes
it, and nothing is started. (tests/devtools/test_devstack.py runs them as a developer does,
servers included.)"""

from __future__ import annotations

import re
import socket
from pathlib import Path

import pytest

from devtools.cli import main


@pytest.mark.parametrize("command", ["serve", "dev"])
def test_a_busy_port_stops_the_command_before_it_prints_or_starts_anything(
    command: str, busy_port: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main([command, "--port", str(busy_port), "--state-dir", str(tmp_path)])

    out, err = capsys.readouterr()
    assert (code, out) == (1, "")
    assert re.search(
        rf"^ar-models: port {busy_port} on 127.0.0.1 is already in use .*"
        rf"make {command} PORT=(\d+), or \S+ {command} --port \1\n$",
        err,
    ), err
    assert list(tmp_path.iterdir()) == []  # no key made, no env file written


def test_an_address_that_cannot_be_used_is_said_plainly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["serve", "--host", "192.0.2.1", "--port", "0", "--state-dir", str(tmp_path)])

    assert code == 1
    assert capsys.readouterr().err.startswith("ar-models: cannot listen on 192.0.2.1:0: ")


def test_a_busy_aws_port_stops_dev_before_it_starts_anything(
    busy_port: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["dev", "--port", "0", "--aws-port", str(busy_port), "--state-dir", str(tmp_path)])

    out, err = capsys.readouterr()
    assert (code, out) == (1, "")
    assert f"--aws-port {busy_port}: the port is already in use" in err
    assert list(tmp_path.iterdir()) == []


def test_a_kept_key_that_is_not_a_key_stops_serve_saying_what_to_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "api-key").write_text("not a key\n")

    code = main(["serve", "--port", "0", "--state-dir", str(tmp_path)])

    out, err = capsys.readouterr()
    assert (code, out) == (1, "")
    assert "delete it to get a new one, or set DEV_API_KEY" in err


class ServedWith:
    """Stands in for devtools.serve.serve_api: records what it was asked to serve, and what the
    state directory held meanwhile, then returns as if interrupted."""

    def __init__(self, state_dir: Path) -> None:
        self.state_dir = state_dir
        self.port: int | None = None
        self.env_file: str | None = None

    def __call__(self, services: object, *, sock: socket.socket) -> None:
        self.port = sock.getsockname()[1]
        env_file = self.state_dir / "env"
        self.env_file = env_file.read_text() if env_file.exists() else None


@pytest.fixture
def served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ServedWith:
    fake = ServedWith(tmp_path)
    monkeypatch.setattr("devtools.serve.serve_api", fake)
    return fake


def test_serve_prints_the_port_it_listens_on_and_keeps_its_key(
    served: ServedWith, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", "--port", "0", "--state-dir", str(tmp_path)]) == 0
    first = capsys.readouterr().out.splitlines()
    # Port 0: the banner names the port really listened on, any free one.
    assert first[0] == f"AssistantRouter models API on http://127.0.0.1:{served.port}/v1 " + (
        "(bundled catalog)"
    )
    assert main(["serve", "--port", "0", "--state-dir", str(tmp_path)]) == 0
    again = capsys.readouterr().out.splitlines()

    key = first[1].removeprefix("API key: ")
    assert again[1] == first[1]  # the same key on the next run
    assert (tmp_path / "api-key").read_text() == key + "\n"
    assert first[2] == f"Key kept in {tmp_path}/api-key: the same on the next run " + (
        "(set DEV_API_KEY to choose one)."
    )


def test_serve_with_dev_api_key_keeps_nothing(
    served: ServedWith,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DEV_API_KEY", "mine")

    assert main(["serve", "--port", "0", "--state-dir", str(tmp_path)]) == 0

    assert capsys.readouterr().out.splitlines()[1:3] == ["API key: mine", "Key from DEV_API_KEY."]
    assert list(tmp_path.iterdir()) == []


def test_serve_with_a_keys_table_says_how_to_create_a_key(
    served: ServedWith,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("API_KEYS_TABLE", "keys")

    assert main(["serve", "--port", "0", "--state-dir", str(tmp_path)]) == 0

    line = capsys.readouterr().out.splitlines()[1]
    assert re.fullmatch(r"API key: create one with `\S+ keys create --name my-laptop` .*", line)


def test_dev_writes_its_environment_while_it_serves_then_removes_it(
    served: ServedWith, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["dev", "--port", "0", "--state-dir", str(tmp_path)]) == 0

    banner = capsys.readouterr().out.splitlines()
    exports = [line.strip() + "\n" for line in banner if line.startswith("  export ")]
    assert len(exports) == 7
    assert served.env_file == "".join(exports)  # the file holds what the banner shows
    assert f"This stack's environment, written to {tmp_path}/env:" in banner
    assert f"  . {tmp_path}/env" in banner
    assert not (tmp_path / "env").exists()
    assert banner[-1] == "Ctrl-C stops everything."

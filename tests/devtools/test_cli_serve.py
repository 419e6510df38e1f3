"""`ar-models serve` and `ar-models dev` in process, where they stop before serving: a port that
is taken is reported first, on stderr, with the option that fixes it, and nothing is started.
(tests/devtools/test_devstack.py runs them as a developer does, servers included.)"""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from devtools.cli import main
from devtools.serve import PortInUse, free_port_from, listen_on


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def test_a_listening_port_cannot_be_taken_twice(busy_port: int) -> None:
    with pytest.raises(PortInUse) as refused:
        listen_on("127.0.0.1", busy_port)
    assert (refused.value.host, refused.value.port) == ("127.0.0.1", busy_port)
    free = free_port_from("127.0.0.1", busy_port)
    assert free is not None
    assert free != busy_port
    with listen_on("127.0.0.1", free) as sock:  # what it found is really free
        assert sock.getsockname()[1] == free


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

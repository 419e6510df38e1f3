"""What `ar-models serve` and `ar-models dev` keep in `.dev/`, and how they name what they print:
the local key (made once, reused, private), the env file (one command loads it), and paths and
commands in the form that runs pasted where the command ran."""

from __future__ import annotations

import stat
import subprocess
from pathlib import Path

import pytest

from apikeys.material import looks_like_key
from devtools.local_state import LocalState, LocalStateError


def test_the_key_is_made_once_then_kept(tmp_path: Path) -> None:
    state = LocalState(tmp_path / ".dev")

    key = state.api_key()

    assert looks_like_key(key)
    assert state.api_key() == key
    assert LocalState(tmp_path / ".dev").api_key() == key  # a later run: the same key
    assert stat.S_IMODE(state.api_key_path.stat().st_mode) == 0o600


def test_a_kept_file_that_holds_no_key_is_refused_saying_what_to_do(tmp_path: Path) -> None:
    state = LocalState(tmp_path)
    state.api_key_path.write_text("hello\n")

    with pytest.raises(LocalStateError, match="delete it to get a new one, or set DEV_API_KEY"):
        state.api_key()


def test_the_env_file_loads_in_one_command_whatever_the_values(tmp_path: Path) -> None:
    state = LocalState(tmp_path / ".dev")
    environment = {"PLAIN": "http://127.0.0.1:1234", "ODD": "a b'c $HOME"}

    written = state.write_environment(environment)

    loaded = subprocess.run(
        ["bash", "-c", '. .dev/env && printf "%s\\n%s\\n" "$PLAIN" "$ODD"'],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert loaded.stdout.splitlines() == list(environment.values())
    assert stat.S_IMODE(state.env_path.stat().st_mode) == 0o600
    state.remove_environment("something another stack wrote")
    assert state.env_path.exists()  # not ours any more: left alone
    state.remove_environment(written)
    assert not state.env_path.exists()

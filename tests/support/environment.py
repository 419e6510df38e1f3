"""The environment variables our settings read, found by asking the settings themselves.

`Settings.from_environ` and `AuditSettings.from_environ` are given a mapping that records every
name they look up: the list the tests clean cannot drift from handler/settings.py, and a
variable added there (an audit key, say) is cleaned without anyone remembering to list it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from handler.settings import AuditSettings, Settings

# The region every test's AWS clients and moto resources are in (AWS_DEFAULT_REGION too).
REGION = "us-east-1"


class _RecordingEnviron(Mapping[str, str]):
    """An empty environment that remembers every name it was asked for."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def __getitem__(self, name: str) -> str:
        self.asked.append(name)
        raise KeyError(name)

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


def names_read_by(from_environ: Callable[[Mapping[str, str]], Any]) -> tuple[str, ...]:
    """The variable names `from_environ` reads from an empty environment, in order, once each."""
    environ = _RecordingEnviron()
    from_environ(environ)
    return tuple(dict.fromkeys(environ.asked))


# Every variable the API, the sync and the audit read (handler/settings.py).
SETTINGS_VARIABLES = names_read_by(Settings.from_environ) + names_read_by(
    AuditSettings.from_environ
)

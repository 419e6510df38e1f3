"""What `ar-models serve` and `ar-models dev` keep between runs: a directory of the clone, `.dev/`
(gitignored), or the one `--state-dir` names.

- `api-key`: the local API key, made by the first run that is given no DEV_API_KEY and reused by
  every later one, so a client configured once keeps working after a restart. Readable by its
  owner only: a local key, but a key.
- `env`: the running dev stack's environment as `export` lines, which one `. .dev/env` loads into
  another shell. Written when the stack is up, removed when it stops.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

# The clone this package runs from (the dev stack reads template.yaml from it too).
CHECKOUT = Path(__file__).resolve().parent.parent
DEFAULT_STATE_DIR = CHECKOUT / ".dev"

_PRIVATE = 0o600


class LocalStateError(RuntimeError):
    """The state directory holds something unusable, or cannot be written."""


@dataclass(frozen=True, slots=True)
class LocalState:
    directory: Path

    @property
    def api_key_path(self) -> Path:
        return self.directory / "api-key"

    @property
    def env_path(self) -> Path:
        return self.directory / "env"

    def api_key(self) -> str:
        """The key kept here; a new one, kept, if there is none yet."""
        # Imported when a key is needed, so `ar-models --help` starts in 0.4 s, not 1-2 s.
        from apikeys.material import generate_key, looks_like_key

        try:
            kept = self.api_key_path.read_text(encoding="ascii").strip()
        except FileNotFoundError:
            kept = None
        except (OSError, UnicodeDecodeError) as exc:
            raise LocalStateError(f"cannot read {self.api_key_path}: {exc}") from exc
        if kept is not None:
            if not looks_like_key(kept):
                raise LocalStateError(
                    f"{self.api_key_path} does not hold a key ar-models made: delete it to get "
                    "a new one, or set DEV_API_KEY"
                )
            return kept
        key = generate_key()
        self._write(self.api_key_path, key + "\n")
        return key

    def write_environment(self, environment: Mapping[str, str]) -> str:
        """Write `environment` as a file of `export` lines; returns what was written."""
        text = "".join(
            f"export {name}={shlex.quote(value)}\n" for name, value in environment.items()
        )
        self._write(self.env_path, text)
        return text

    def remove_environment(self, written: str) -> None:
        """Remove the environment file if it still holds `written` (another stack started
        since, from this clone on another port, owns it otherwise)."""
        try:
            if self.env_path.read_text(encoding="utf-8") == written:
                self.env_path.unlink()
        except OSError:
            pass  # already gone, or not ours to remove

    def _write(self, path: Path, text: str) -> None:
        """Atomically (a reader sees the old file or the new one), private to its owner."""
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, _PRIVATE)
            with os.fdopen(descriptor, "w", encoding="utf-8") as file:
                file.write(text)
            temporary.replace(path)
        except OSError as exc:
            temporary.unlink(missing_ok=True)
            raise LocalStateError(f"cannot write {path}: {exc.strerror or exc}") from exc

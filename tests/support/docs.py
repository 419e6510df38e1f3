"""The project's documentation as the tests read it: README.md, then every page of docs/.

A figure or a statement the tests check may live in either (the README is the first screen,
docs/ the reference), so they search the whole of it.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README_PATH = ROOT / "README.md"
DOC_PATHS = (README_PATH, *sorted((ROOT / "docs").glob("*.md")))
DOCUMENTATION = "\n\n".join(path.read_text(encoding="utf-8") for path in DOC_PATHS)

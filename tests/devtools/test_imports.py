"""Importing anything under devtools/ reads no environment and builds no deployed handler: the
CLI and `ar-models dev` wire what they need through handler/compose.py, when a command runs."""

from __future__ import annotations

import pkgutil

import devtools
from tests.support.probe import probe_json

DEVTOOLS = sorted(f"devtools.{info.name}" for info in pkgutil.iter_modules(devtools.__path__))

# Every devtools module imported with os.environ's reads recorded, then what got built.
_PROBE = """
import json, os, sys
reads = []
class Watched(type(os.environ)):
    def __getitem__(self, key):
        reads.append(key)
        return super().__getitem__(key)
    def get(self, key, default=None):
        reads.append(key)
        return super().get(key, default)
os.environ.__class__ = Watched
import importlib
for name in sys.argv[1:]:
    importlib.import_module(name)
deployed = sorted(m for m in ("handler.api", "handler.sync") if m in sys.modules)
print(json.dumps({"reads": sorted(set(reads)), "deployed": deployed}))
"""


def test_importing_devtools_reads_no_environment_and_builds_no_deployed_handler() -> None:
    assert "devtools.cli" in DEVTOOLS
    seen = probe_json(
        _PROBE,
        *DEVTOOLS,
        env={"MODELS_TABLE": "would-be-read", "CATALOG_CACHE_TTL": "not a number"},
    )
    assert seen == {"reads": [], "deployed": []}


def test_the_probe_sees_an_import_that_builds_a_deployed_handler() -> None:
    """The check above would catch it: the deployed sync entry reads its settings at import."""
    seen = probe_json(_PROBE, "handler.sync", env={"AWS_DEFAULT_REGION": "us-east-1"})
    assert "MODELS_TABLE" in seen["reads"]
    assert seen["deployed"] == ["handler.sync"]

"""handler/api.py, and the other deployed entry points, at container init: settings checked once,
boto3 imported once.

Each case is a fresh interpreter importing the entry point, as Lambda's init does.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.support.probe import run_probe

ROOT = Path(__file__).resolve().parents[2]
EVENT = ROOT / "events" / "list-models.json"


def init(module: str, environ: dict[str, str], code: str = "") -> subprocess.CompletedProcess[str]:
    """`import MODULE` (then CODE) in a fresh interpreter with only these settings."""
    fake_aws = {"AWS_DEFAULT_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "x"}
    fake_aws["AWS_SECRET_ACCESS_KEY"] = "x"
    return run_probe(f"import {module}\n{code}", env={**fake_aws, **environ})


@pytest.mark.parametrize(
    ("module", "variable", "value"),
    [
        ("handler.api", "CATALOG_CACHE_TTL", "soon"),
        ("handler.api", "CATALOG_CACHE_TTL", "inf"),
        ("handler.sync", "SYNC_MAX_REMOVE_FRACTION", "2"),
        ("handler.sync", "CATALOG_CACHE_TTL", "-1"),
    ],
)
def test_a_bad_setting_fails_the_init_with_one_clear_log_line(
    module: str, variable: str, value: str
) -> None:
    result = init(module, {variable: value})
    assert result.returncode != 0
    assert "invalid configuration" in result.stderr
    assert variable in result.stderr
    assert repr(value) in result.stderr


def test_a_good_configuration_initialises_and_serves() -> None:
    code = (
        "import json\n"
        f"event = json.loads(open({str(EVENT)!r}).read())\n"
        "print(handler.api.lambda_handler(event, None)['statusCode'])"
    )
    result = init("handler.api", {"DEV_API_KEY": "ar-dev-local-key"}, code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["200"]


@pytest.mark.parametrize(
    ("environ", "imported"),
    [
        ({"MODELS_TABLE": "models"}, True),
        ({"API_KEYS_TABLE": "keys"}, True),
        ({"DEV_API_KEY": "k"}, False),  # the bundled catalog and a dev key: no AWS at all
    ],
)
def test_boto3_is_imported_at_init_exactly_when_a_table_needs_it(
    environ: dict[str, str], imported: bool
) -> None:
    code = "import sys, json\nprint(json.dumps('boto3' in sys.modules))"
    result = init("handler.api", environ, code)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) is imported


def test_the_init_opens_no_connection_and_builds_no_client() -> None:
    """Safe for a SnapStart snapshot: nothing connected, nothing unique made before a request.
    Every socket connect fails during the import; the init must not notice."""
    code = (
        "import gc, socket, json\n"
        "from botocore.client import BaseClient\n"
        "clients = [o for o in gc.get_objects() if isinstance(o, BaseClient)]\n"
        "print(json.dumps(len(clients)))\n"
    )
    guard = (
        "import socket\n"
        "def refuse(*args, **kwargs):\n"
        "    raise AssertionError('a connection at init')\n"
        "socket.socket.connect = refuse\n"
        "socket.create_connection = refuse\n"
    )
    result = init(
        "socket",
        {"MODELS_TABLE": "models", "API_KEYS_TABLE": "keys"},
        guard + "import handler.api\n" + code,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == 0


def test_the_app_module_builds_nothing_on_import() -> None:
    """`ar-models serve` and `dev` import the app to make their own: no deployed services, so no
    complaint about missing settings meant for a deployed container."""
    code = "import sys\nprint('handler.api' in sys.modules)"
    result = init("handler.app", {}, "import logging\nlogging.basicConfig()\n" + code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False"]
    assert result.stderr == ""

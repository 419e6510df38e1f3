"""`ar-models dev`: the whole stack on one machine, no Docker, over the real AWS wire protocol.

A moto server on 127.0.0.1 stands in for DynamoDB and S3. The tables are created from
template.yaml (handler.template_tables: one source of truth for the key schemas), the bundled
catalog is uploaded to a bucket and published by the real sync job, and a key is created in the
keys table. boto3 finds the local endpoint through its own AWS_ENDPOINT_URL, as it would find
a real one. Everything started here is stopped when the context exits.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from handler import deps
from handler import settings as env

if TYPE_CHECKING:
    from catalog.sync import SyncReport

LOOPBACK = "127.0.0.1"
REGION = "us-east-1"
MODELS_TABLE_NAME = "ar-models-dev-models"
API_KEYS_TABLE_NAME = "ar-models-dev-api-keys"
SOURCE_BUCKET = "ar-models-dev-catalog"
SOURCE_KEY = "models.json"
# Short, so a catalog change made during development shows within seconds, not a minute.
DEV_CACHE_TTL = "2"
_TABLE_NAMES = {"ModelsTable": MODELS_TABLE_NAME, "ApiKeysTable": API_KEYS_TABLE_NAME}
_STARTUP_TIMEOUT = 30.0


class DevStackError(RuntimeError):
    """The local stack could not be started."""


@dataclass(frozen=True, slots=True)
class DevStack:
    """What a developer needs to talk to the running stack."""

    endpoint: str
    api_key: str
    source: str
    sync_report: SyncReport
    environment: dict[str, str]  # what another shell exports to use this stack


def free_port(host: str = LOOPBACK) -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def dev_stack(*, aws_port: int = 0) -> Iterator[DevStack]:
    """Start moto, provision and publish; stop moto on exit, whatever happened.

    Configures this process through its environment, as a deployment does: boto3 reads
    AWS_ENDPOINT_URL from os.environ, and the API reads its settings from there.
    """
    environ = os.environ
    port = aws_port or free_port()
    server = _start_moto(port)
    try:
        endpoint = f"http://{LOOPBACK}:{port}"
        _wait_until_ready(server, endpoint)
        environment = {
            # Never real credentials, so nothing here can touch a real account.
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_ACCESS_KEY_ID": "dev",
            "AWS_SECRET_ACCESS_KEY": "dev",
            "AWS_DEFAULT_REGION": REGION,
            env.MODELS_TABLE: MODELS_TABLE_NAME,
            env.API_KEYS_TABLE: API_KEYS_TABLE_NAME,
            env.CATALOG_SOURCE: f"s3://{SOURCE_BUCKET}/{SOURCE_KEY}",
            env.CATALOG_CACHE_TTL: environ.get(env.CATALOG_CACHE_TTL) or DEV_CACHE_TTL,
        }
        environ.pop("AWS_PROFILE", None)
        environ.pop("AWS_SESSION_TOKEN", None)
        environ.pop(env.DEV_API_KEY, None)  # the dev stack uses the keys table, as deployed
        environ.pop(env.CATALOG_EVENT_BUS, None)
        environ.update(environment)
        deps.reset()
        api_key, report = _provision()
        yield DevStack(endpoint, api_key, environment[env.CATALOG_SOURCE], report, environment)
    finally:
        _stop(server)


def _start_moto(port: int) -> subprocess.Popen[bytes]:
    try:
        import moto.server  # noqa: F401 - only to fail early with a clear message
    except ImportError as exc:
        raise DevStackError(
            "ar-models dev needs moto's server: pip install 'assistantrouter-models[local]'"
        ) from exc
    return subprocess.Popen(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-m", "moto.server", "-H", LOOPBACK, "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _wait_until_ready(server: subprocess.Popen[bytes], endpoint: str) -> None:
    deadline = time.monotonic() + _STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise DevStackError(f"the local AWS server exited at start (code {server.returncode})")
        try:
            with urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1):  # noqa: S310 - loopback
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.1)
    raise DevStackError(f"the local AWS server did not answer on {endpoint}")


def _provision() -> tuple[str, SyncReport]:
    """Tables from the template, the catalog in S3, one key, one sync."""
    from catalog import aws
    from catalog.bundled import BUNDLED_CATALOG_PATH
    from handler.keys import ApiKeyStore
    from handler.sync import run_sync
    from handler.template_tables import table_definitions

    dynamodb = aws.dynamodb_client()
    for logical_id, definition in table_definitions().items():
        dynamodb.create_table(TableName=_TABLE_NAMES[logical_id], **definition)
    s3 = aws.s3_client()
    s3.create_bucket(Bucket=SOURCE_BUCKET)
    s3.put_object(Bucket=SOURCE_BUCKET, Key=SOURCE_KEY, Body=BUNDLED_CATALOG_PATH.read_bytes())
    api_key, _ = ApiKeyStore(API_KEYS_TABLE_NAME).create("ar-models dev", tier="dev")
    return api_key, run_sync(env.get_settings())


def _stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=5)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()

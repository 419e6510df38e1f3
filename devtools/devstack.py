"""`ar-models dev`: the whole stack on one machine, no Docker, over the real AWS wire protocol.

A moto server on 127.0.0.1 stands in for DynamoDB and S3. The tables are created from
template.yaml (devtools.template_tables: one source of truth for the key schemas), the bundled
catalog is uploaded to a bucket and published by the real sync job, and a key is stored in the
keys table. This process reaches the server through `AwsClients` pointed at it (its own
environment is left alone); another shell reaches it through the printed `export` lines.
Everything started here is stopped when the context exits, and the server also exits by itself
if this process dies (devtools.moto_child).
"""

from __future__ import annotations

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

from apikeys.material import generate_key
from awsclients import AwsClients, Credentials
from handler import settings as env
from handler.settings import Settings

if TYPE_CHECKING:
    from catalog.sync import SyncReport

LOOPBACK = "127.0.0.1"
REGION = "us-east-1"
MODELS_TABLE_NAME = "ar-models-dev-models"
API_KEYS_TABLE_NAME = "ar-models-dev-api-keys"
SOURCE_BUCKET = "ar-models-dev-catalog"
SOURCE_KEY = "models.json"
# Short, so a catalog change made during development shows within seconds, not a minute.
DEV_CACHE_TTL = 2.0
# Never real credentials, so nothing here can touch a real account.
DEV_CREDENTIALS = Credentials("dev", "dev")
_TABLE_NAMES = {"ModelsTable": MODELS_TABLE_NAME, "ApiKeysTable": API_KEYS_TABLE_NAME}
_STARTUP_TIMEOUT = 30.0


class DevStackError(RuntimeError):
    """The local stack could not be started."""


@dataclass(frozen=True, slots=True)
class DevStack:
    """What a developer needs to talk to the running stack."""

    endpoint: str
    api_key: str
    settings: Settings  # what the API and the sync of this stack run with
    aws: AwsClients  # clients of the local endpoint
    sync_report: SyncReport
    environment: dict[str, str]  # what another shell exports to use this stack


def free_port(host: str = LOOPBACK) -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def dev_stack(
    *,
    cache_ttl: float = DEV_CACHE_TTL,
    aws_port: int = 0,
    api_key: str | None = None,
    dev_api_key: str | None = None,
) -> Iterator[DevStack]:
    """Start moto, provision and publish; stop moto on exit, whatever happened.

    The stack's settings are its own: its tables and source, and no event bus. Its key is
    `api_key` (a fresh one if None), stored in the keys table, as deployed; or, given
    `dev_api_key`, that one, accepted as `ar-models serve` accepts DEV_API_KEY (compared, never
    stored: any string) and then no key is stored.
    """
    port = aws_port or free_port()
    server = _start_moto(port)
    try:
        endpoint = f"http://{LOOPBACK}:{port}"
        _wait_until_ready(server, endpoint)
        settings = Settings(
            models_table=MODELS_TABLE_NAME,
            api_keys_table=API_KEYS_TABLE_NAME,
            catalog_source=f"s3://{SOURCE_BUCKET}/{SOURCE_KEY}",
            catalog_cache_ttl=cache_ttl,
            dev_api_key=dev_api_key,
        )
        aws = AwsClients(endpoint_url=endpoint, region=REGION, credentials=DEV_CREDENTIALS)
        key = dev_api_key or api_key or generate_key()
        report = _provision(settings, aws, api_key=None if dev_api_key else key)
        environment = {
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_ACCESS_KEY_ID": DEV_CREDENTIALS.access_key_id,
            "AWS_SECRET_ACCESS_KEY": DEV_CREDENTIALS.secret_access_key,
            "AWS_DEFAULT_REGION": REGION,
            env.MODELS_TABLE: MODELS_TABLE_NAME,
            env.API_KEYS_TABLE: API_KEYS_TABLE_NAME,
            env.CATALOG_SOURCE: settings.catalog_source,
        }
        yield DevStack(endpoint, key, settings, aws, report, environment)
    finally:
        _stop(server)


def _start_moto(port: int) -> subprocess.Popen[bytes]:
    try:
        import moto.server  # noqa: F401 - only to fail early with a clear message
    except ImportError as exc:
        raise DevStackError(
            "ar-models dev needs moto's server: pip install 'assistantrouter-models[local]'"
        ) from exc
    # stdin=PIPE: the child exits when this process does, however it ends (see moto_child).
    return subprocess.Popen(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-m", "devtools.moto_child", "-H", LOOPBACK, "-p", str(port)],
        stdin=subprocess.PIPE,
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


def _provision(settings: Settings, aws: AwsClients, *, api_key: str | None) -> SyncReport:
    """Tables from the template, the catalog in S3, `api_key` in the keys table, one sync."""
    # Imported when the command runs, so `ar-models --help` starts in 0.4 s, not 1-2 s.
    from apikeys.store import ApiKeyStore
    from catalog.bundled import BUNDLED_CATALOG_PATH
    from devtools.template_tables import table_definitions
    from handler.compose import run_sync

    dynamodb = aws.dynamodb()
    for logical_id, definition in table_definitions().items():
        dynamodb.create_table(TableName=_TABLE_NAMES[logical_id], **definition)
    s3 = aws.s3()
    s3.create_bucket(Bucket=SOURCE_BUCKET)
    s3.put_object(Bucket=SOURCE_BUCKET, Key=SOURCE_KEY, Body=BUNDLED_CATALOG_PATH.read_bytes())
    if api_key is not None:
        keys = ApiKeyStore(API_KEYS_TABLE_NAME, dynamodb=aws.dynamodb)
        keys.create("ar-models dev", tier="dev", key=api_key)
    return run_sync(settings, aws=aws)


def _stop(server: subprocess.Popen[bytes]) -> None:
    try:
        if server.poll() is None:
            server.terminate()
            try:
                server.wait(timeout=5)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    finally:
        if server.stdin is not None:
            server.stdin.close()  # our end of the pipe moto watches (see _start_moto)

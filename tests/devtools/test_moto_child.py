"""devtools/moto_child.py: moto's server as a child that cannot outlive its parent. It serves on
the address it is given (127.0.0.1 here), and exits as soon as its stdin, the pipe its parent
holds, reaches end-of-file, which the kernel does however the parent ends.

What `ar-models dev` does with it (and that a killed CLI leaves no moto behind) is in
tests/devtools/test_devstack.py; this is the child alone.
"""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from devtools.devstack import free_port

ROOT = Path(__file__).resolve().parents[2]
LOOPBACK = "127.0.0.1"


def wait_until_served(child: subprocess.Popen[bytes], url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        assert child.poll() is None, f"moto_child exited at start (code {child.returncode})"
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@pytest.fixture
def child() -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """moto_child on a free loopback port, its stdin a pipe this test holds; killed if left."""
    port = free_port(LOOPBACK)
    process = subprocess.Popen(
        [sys.executable, "-m", "devtools.moto_child", "-H", LOOPBACK, "-p", str(port)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield process, f"http://{LOOPBACK}:{port}"
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
        if process.stdin is not None:
            process.stdin.close()


def test_it_serves_moto_on_the_address_given(child: tuple[subprocess.Popen[bytes], str]) -> None:
    process, endpoint = child
    wait_until_served(process, f"{endpoint}/moto-api/")

    dynamodb = boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1")
    dynamodb.create_table(
        TableName="probe",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    assert dynamodb.list_tables()["TableNames"] == ["probe"]


def test_it_exits_by_itself_when_its_parents_pipe_closes(
    child: tuple[subprocess.Popen[bytes], str],
) -> None:
    process, endpoint = child
    wait_until_served(process, f"{endpoint}/moto-api/")
    assert process.stdin is not None

    process.stdin.close()  # what the kernel does when the parent ends, however it ends

    assert process.wait(timeout=10) == 0

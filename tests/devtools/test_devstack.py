"""`ar-models dev` and `ar-models serve`: the local servers, in process and as a user runs them."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from queue import Empty, Queue
from typing import Any
from unittest import mock

import boto3
import pytest

from catalog.bundled import bundled_models
from handler.devstack import API_KEYS_TABLE_NAME, MODELS_TABLE_NAME, dev_stack, free_port
from tests.factories import model_doc

BUNDLED_IDS = [m.id for m in bundled_models()]
SLASH_ID = "meta-llama/llama-3.1-70b-instruct"
AR_MODELS = Path(sys.executable).with_name("ar-models")


def port_is_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def test_dev_stack_provisions_everything_and_stops_its_server() -> None:
    with mock.patch.dict(os.environ), dev_stack() as stack:
        port = int(stack.endpoint.rsplit(":", 1)[1])
        assert stack.endpoint.startswith("http://127.0.0.1:")
        dynamodb = boto3.client("dynamodb", endpoint_url=stack.endpoint)
        assert sorted(dynamodb.list_tables()["TableNames"]) == sorted(
            [MODELS_TABLE_NAME, API_KEYS_TABLE_NAME]
        )
        assert stack.sync_report.added == BUNDLED_IDS
        assert stack.sync_report.version == 1
        assert stack.api_key.startswith("ar-")
        assert os.environ["AWS_ENDPOINT_URL"] == stack.endpoint
        assert "DEV_API_KEY" not in os.environ  # the key is in the keys table, as deployed
    assert "AWS_ENDPOINT_URL" not in os.environ
    assert not port_is_open(port)


def test_a_failure_while_provisioning_still_stops_the_server(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken() -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("handler.devstack._provision", broken)
    port = free_port()
    with (
        mock.patch.dict(os.environ),
        pytest.raises(RuntimeError, match="boom"),
        dev_stack(aws_port=port),
    ):
        pass  # pragma: no cover - never reached
    assert not port_is_open(port)


# -- end to end: the console script, as a developer runs it ---------------------------------------


class CliProcess:
    """`ar-models ...` in its own session, its stdout read line by line in the background."""

    def __init__(self, *args: str, last_banner_line: str) -> None:
        environment = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        self.last_banner_line = last_banner_line
        self.process = subprocess.Popen(
            [str(AR_MODELS), *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=environment,
            start_new_session=True,  # its own process group: we can find all it started
        )
        self.lines: Queue[str] = Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def banner(self, timeout: float = 60) -> list[str]:
        lines: list[str] = []
        deadline = time.monotonic() + timeout
        while not lines or not lines[-1].startswith(self.last_banner_line):
            try:
                lines.append(self.lines.get(timeout=max(0.1, deadline - time.monotonic())))
            except Empty:
                pytest.fail(f"ar-models printed no banner in {timeout}s: {lines}")
        return lines

    def group_members(self) -> list[int]:
        """Pids still alive in the process group `ar-models` started."""
        members = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            state, pgid = fields[0], int(fields[2])
            if pgid == self.process.pid and state != "Z":
                members.append(int(stat.parent.name))
        return members

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        assert self.process.stdout is not None
        self.process.stdout.close()


@pytest.fixture
def dev_process() -> Iterator[CliProcess]:
    running = CliProcess(
        "dev", "--port", str(free_port()), last_banner_line="Ctrl-C stops everything."
    )
    yield running
    running.stop()  # kills it only if the test failed before stopping it


def wait_for(check: Any, timeout: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        try:
            return check()
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.mark.slow
def test_ar_models_dev_end_to_end_with_the_openai_sdk(dev_process: CliProcess) -> None:
    from openai import NotFoundError, OpenAI

    banner = dev_process.banner()
    api_url = next(line.split(" on ")[1] for line in banner if "models API on" in line)
    api_key = next(line.removeprefix("API key: ") for line in banner if line.startswith("API key:"))
    exported = dict(
        line.strip().removeprefix("export ").split("=", 1)
        for line in banner
        if line.strip().startswith("export ")
    )
    assert exported["AWS_ENDPOINT_URL"].startswith("http://127.0.0.1:")

    client = OpenAI(base_url=api_url, api_key=api_key, max_retries=0)
    listed = wait_for(lambda: [m.id for m in client.models.list()])
    assert listed == BUNDLED_IDS
    with pytest.raises(NotFoundError):
        client.models.retrieve(SLASH_ID)

    # Change the catalog as the banner says: upload to S3, then `ar-models sync`.
    docs = [m.to_wire() for m in bundled_models()]
    docs.append(model_doc(SLASH_ID, owned_by="meta", context_length=131072))
    s3 = boto3.client(
        "s3",
        endpoint_url=exported["AWS_ENDPOINT_URL"],
        region_name=exported["AWS_DEFAULT_REGION"],
        aws_access_key_id=exported["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=exported["AWS_SECRET_ACCESS_KEY"],
    )
    bucket, key = exported["CATALOG_SOURCE"].removeprefix("s3://").split("/", 1)
    s3.put_object(Bucket=bucket, Key=key, Body=json.dumps({"object": "list", "data": docs}))
    shell = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")} | exported
    synced = subprocess.run(
        [str(AR_MODELS), "sync"], env=shell, capture_output=True, text=True, check=False
    )
    assert synced.returncode == 0, synced.stderr
    assert json.loads(synced.stdout)["added"] == [SLASH_ID]

    served = wait_for(lambda: client.models.retrieve(SLASH_ID), timeout=15)
    assert served.id == SLASH_ID
    assert served.model_extra is not None
    assert served.model_extra["context_length"] == 131072
    assert [m.id for m in client.models.list()] == [*BUNDLED_IDS, SLASH_ID]

    # Ctrl-C stops everything it started. Sent to the CLI alone: a terminal would signal the
    # whole group, moto included, which would hide a missing teardown.
    dev_process.process.send_signal(signal.SIGINT)
    assert dev_process.process.wait(timeout=20) in {0, 130}
    wait_for(lambda: _assert_nothing_left(dev_process), timeout=5)
    assert not port_is_open(int(exported["AWS_ENDPOINT_URL"].rsplit(":", 1)[1]))
    assert not port_is_open(int(api_url.split(":")[2].split("/")[0]))


def _assert_nothing_left(dev_process: CliProcess) -> None:
    assert dev_process.group_members() == []


@pytest.mark.slow
def test_sigterm_also_stops_everything(dev_process: CliProcess) -> None:
    dev_process.banner()
    dev_process.process.send_signal(signal.SIGTERM)  # to the CLI alone, as a supervisor does
    dev_process.process.wait(timeout=20)
    wait_for(lambda: _assert_nothing_left(dev_process), timeout=5)


@pytest.mark.slow
def test_ar_models_serve_prints_a_working_url_and_key() -> None:
    """The README's first command: the bundled catalog, a fresh key, fail closed without it."""
    import httpx

    port = free_port()
    serve = CliProcess("serve", "--port", str(port), last_banner_line="Try: curl")
    try:
        banner = serve.banner()
        assert (
            banner[0]
            == f"AssistantRouter models API on http://127.0.0.1:{port}/v1 (bundled catalog)"
        )
        key = banner[1].removeprefix("API key: ")
        assert key.startswith("ar-")
        url = f"http://127.0.0.1:{port}/v1/models"
        listed = wait_for(lambda: httpx.get(url, headers={"Authorization": f"Bearer {key}"}))
        assert [m["id"] for m in listed.json()["data"]] == BUNDLED_IDS
        assert httpx.get(url, headers={"Authorization": "Bearer ar-guess"}).status_code == 401
        serve.process.send_signal(signal.SIGINT)
        serve.process.wait(timeout=20)
        assert not port_is_open(port)
    finally:
        serve.stop()

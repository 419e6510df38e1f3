"""`ar-models dev` and `ar-models serve`: the local servers, in process and as a user runs them."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from queue import Empty, Queue
from typing import NoReturn, TypeVar
from unittest import mock

import boto3
import pytest

from apikeys.material import hash_key
from apikeys.store import ApiKeyStore
from catalog.bundled import BUNDLED_CATALOG_PATH, bundled_models
from devtools.devstack import (
    API_KEYS_TABLE_NAME,
    MODELS_TABLE_NAME,
    SOURCE_BUCKET,
    SOURCE_KEY,
    dev_stack,
    free_port,
)
from tests.support.factories import ids_listed_by_default, model_doc

BUNDLED_IDS = [m.id for m in bundled_models()]
# What a list without `?status=` answers today: the models not yet retired.
LISTED_IDS = ids_listed_by_default()
SLASH_ID = "meta-llama/llama-3.1-70b-instruct"
AR_MODELS = Path(sys.executable).with_name("ar-models")
MOTO_CHILD = "devtools.moto_child"

T = TypeVar("T")


def port_is_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def port_of(url: str) -> int:
    return int(url.split("://", 1)[1].split("/", 1)[0].rsplit(":", 1)[1])


def wait_for(check: Callable[[], T], timeout: float = 20.0) -> T:
    deadline = time.monotonic() + timeout
    while True:
        try:
            return check()
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


# -- processes, as Linux's /proc shows them ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Proc:
    """One process, identified by pid and start time (a reused pid is another process)."""

    pid: int
    ppid: int
    pgid: int
    started: int
    state: str
    command: tuple[str, ...]

    @classmethod
    def read(cls, pid: int) -> Proc | None:
        """The process now behind `pid`, or None if there is none."""
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
            command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            return None
        fields = stat.rsplit(")", 1)[1].split()  # after "pid (comm)", which may hold spaces
        return cls(
            pid=pid,
            state=fields[0],
            ppid=int(fields[1]),
            pgid=int(fields[2]),
            started=int(fields[19]),
            command=tuple(part.decode(errors="replace") for part in command if part),
        )

    @property
    def running(self) -> bool:
        """Still alive (a zombie is not: it is dead, only not yet reaped)."""
        now = Proc.read(self.pid)
        return now is not None and now.started == self.started and now.state != "Z"


def processes() -> list[Proc]:
    """Every live process (zombies left out)."""
    found = (Proc.read(int(path.name)) for path in Path("/proc").iterdir() if path.name.isdigit())
    return [proc for proc in found if proc is not None and proc.state != "Z"]


def moto_children(parent: int) -> list[Proc]:
    """The live moto servers (devtools.moto_child) that `parent` started."""
    return [p for p in processes() if p.ppid == parent and MOTO_CHILD in p.command]


def assert_gone(proc: Proc) -> None:
    assert not proc.running, f"{proc.pid} ({' '.join(proc.command)}) is still running"


# -- in process --------------------------------------------------------------------------------


def test_dev_stack_provisions_everything_and_stops_its_server() -> None:
    before = dict(os.environ)
    with mock.patch.dict(os.environ), dev_stack() as stack:
        port = port_of(stack.endpoint)
        assert stack.endpoint == f"http://127.0.0.1:{port}"
        (moto,) = moto_children(os.getpid())
        assert str(port) in moto.command

        # This process's environment is left alone: the stack hands out clients instead.
        assert dict(os.environ) == before
        assert "AWS_ENDPOINT_URL" not in os.environ
        assert stack.aws.endpoint_url == stack.endpoint
        assert sorted(stack.aws.dynamodb().list_tables()["TableNames"]) == sorted(
            [MODELS_TABLE_NAME, API_KEYS_TABLE_NAME]
        )
        uploaded = stack.aws.s3().get_object(Bucket=SOURCE_BUCKET, Key=SOURCE_KEY)
        assert uploaded["Body"].read() == BUNDLED_CATALOG_PATH.read_bytes()

        assert stack.sync_report.added == BUNDLED_IDS
        assert stack.sync_report.version == 1
        assert stack.settings.models_table == MODELS_TABLE_NAME
        assert stack.settings.api_keys_table == API_KEYS_TABLE_NAME
        assert stack.settings.catalog_source == f"s3://{SOURCE_BUCKET}/{SOURCE_KEY}"
        # The key is in the keys table, as deployed, not a DEV_API_KEY.
        assert stack.settings.dev_api_key is None
        assert stack.api_key.startswith("ar-")
        record = ApiKeyStore(API_KEYS_TABLE_NAME, dynamodb=stack.aws.dynamodb).get(
            hash_key(stack.api_key)
        )
        assert record is not None
        assert record.active

        # What another shell exports reaches the same server.
        exported = stack.environment
        assert exported["AWS_ENDPOINT_URL"] == stack.endpoint
        assert exported["MODELS_TABLE"] == MODELS_TABLE_NAME
        assert exported["API_KEYS_TABLE"] == API_KEYS_TABLE_NAME
        assert exported["CATALOG_SOURCE"] == stack.settings.catalog_source
        shell = boto3.client(
            "dynamodb",
            endpoint_url=exported["AWS_ENDPOINT_URL"],
            region_name=exported["AWS_DEFAULT_REGION"],
            aws_access_key_id=exported["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=exported["AWS_SECRET_ACCESS_KEY"],
        )
        assert MODELS_TABLE_NAME in shell.list_tables()["TableNames"]
    assert dict(os.environ) == before
    assert_gone(moto)
    assert not port_is_open(port)


def test_a_failure_while_provisioning_still_stops_the_server(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*_: object, **__: object) -> NoReturn:
        raise RuntimeError("boom")

    monkeypatch.setattr("devtools.devstack._provision", broken)
    port = free_port()
    with pytest.raises(RuntimeError, match="boom"), dev_stack(aws_port=port):
        pass  # pragma: no cover - never reached
    assert not port_is_open(port)
    assert moto_children(os.getpid()) == []


# -- end to end: the console script, as a developer runs it ---------------------------------------


def shell_environment(**extra: str) -> dict[str, str]:
    """A developer's shell: no AWS settings of ours or theirs, plus `extra`."""
    return {k: v for k, v in os.environ.items() if not k.startswith("AWS_")} | extra


class CliProcess:
    """`ar-models ...` in its own session, its stdout read line by line in the background.

    It runs in `cwd` (where the commands it prints are meant to be pasted) and keeps its state
    (the local key, the dev stack's env file) in `cwd/.dev`, never in the checkout's.
    """

    def __init__(
        self, *args: str, last_banner_line: str, cwd: Path, env: dict[str, str] | None = None
    ) -> None:
        self.last_banner_line = last_banner_line
        self.cwd = cwd
        self.process = subprocess.Popen(
            [str(AR_MODELS), *args, "--state-dir", str(cwd / ".dev")],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=env or shell_environment(),
            cwd=cwd,
            start_new_session=True,  # its own process group: we can find all it started
        )
        self.lines: Queue[str] = Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

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
        return [proc.pid for proc in processes() if proc.pgid == self.process.pid]

    def moto(self) -> Proc:
        """The moto server this `ar-models dev` started (its one moto child)."""
        (moto,) = moto_children(self.process.pid)
        return moto

    def stop(self) -> None:
        """Kill whatever is left of its group, the CLI or not: a moto server it left behind too."""
        with contextlib.suppress(ProcessLookupError):  # the group is empty: everything exited
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self._reader.join(timeout=5)
        assert self.process.stdout is not None
        self.process.stdout.close()


DEV_BANNER_END = "Ctrl-C stops everything."


@pytest.fixture
def dev_process(tmp_path: Path) -> Iterator[CliProcess]:
    running = CliProcess(
        "dev", "--port", str(free_port()), last_banner_line=DEV_BANNER_END, cwd=tmp_path
    )
    yield running
    running.stop()  # whatever the test did or failed to do: nothing it started survives it


def after(marker: str, banner: list[str]) -> str:
    """What follows `marker` on the first banner line that has it."""
    return next(line.split(marker, 1)[1] for line in banner if marker in line)


def exports_of(banner: list[str]) -> dict[str, str]:
    """The environment the banner's `export` lines set."""
    return dict(
        line.strip().removeprefix("export ").split("=", 1)
        for line in banner
        if line.strip().startswith("export ")
    )


def assert_nothing_left(dev_process: CliProcess) -> None:
    assert dev_process.group_members() == []


@pytest.mark.slow
def test_ar_models_dev_end_to_end_with_the_openai_sdk(dev_process: CliProcess) -> None:
    from openai import NotFoundError, OpenAI

    banner = dev_process.banner()
    api_url = after("models API on ", banner)
    api_key = after("API key: ", banner)
    exported = exports_of(banner)
    assert exported["AWS_ENDPOINT_URL"] == after("Local AWS (moto: DynamoDB, S3) on ", banner)
    assert exported["AWS_ENDPOINT_URL"].startswith("http://127.0.0.1:")

    client = OpenAI(base_url=api_url, api_key=api_key, max_retries=0)
    listed = wait_for(lambda: [m.id for m in client.models.list()])
    assert listed == LISTED_IDS
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
    shell = shell_environment(**exported)
    synced = subprocess.run(
        [str(AR_MODELS), "sync"], env=shell, capture_output=True, text=True, check=False
    )
    assert synced.returncode == 0, synced.stderr
    assert json.loads(synced.stdout)["added"] == [SLASH_ID]
    assert synced.stderr == ""  # a fresh process: no INFO lines of the sync or of botocore

    served = wait_for(lambda: client.models.retrieve(SLASH_ID), timeout=15)
    assert served.id == SLASH_ID
    assert served.model_extra is not None
    assert served.model_extra["context_length"] == 131072
    assert [m.id for m in client.models.list()] == [*LISTED_IDS, SLASH_ID]

    # Ctrl-C stops everything it started. Sent to the CLI alone: a terminal would signal the
    # whole group, moto included, which would hide a missing teardown.
    dev_process.process.send_signal(signal.SIGINT)
    assert dev_process.process.wait(timeout=60) in {0, 130}
    wait_for(lambda: assert_nothing_left(dev_process), timeout=5)
    assert not port_is_open(port_of(exported["AWS_ENDPOINT_URL"]))
    assert not port_is_open(port_of(api_url))


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_sigterm_and_sighup_unwind_and_stop_everything(
    dev_process: CliProcess, signum: signal.Signals
) -> None:
    banner = dev_process.banner()
    aws_port = port_of(after("Local AWS (moto: DynamoDB, S3) on ", banner))
    api_port = port_of(after("models API on ", banner))
    moto = dev_process.moto()
    assert port_is_open(aws_port)

    # To the CLI alone, as a supervisor (SIGTERM) or a closing terminal (SIGHUP) sends it.
    dev_process.process.send_signal(signum)
    # It unwinds through its handler (exit status 128 + the signal) instead of dying of the
    # signal, so its teardown stops moto.
    assert dev_process.process.wait(timeout=60) == 128 + signum
    wait_for(lambda: assert_gone(moto), timeout=5)
    wait_for(lambda: assert_nothing_left(dev_process), timeout=5)
    assert not port_is_open(aws_port)
    assert not port_is_open(api_port)


@pytest.mark.slow
def test_moto_exits_by_itself_when_the_cli_is_killed(dev_process: CliProcess) -> None:
    aws_port = port_of(after("Local AWS (moto: DynamoDB, S3) on ", dev_process.banner()))
    moto = dev_process.moto()
    assert port_is_open(aws_port)

    # SIGKILL to the CLI alone: no handler, no `finally` of it runs; only the kernel closing
    # the pipe moto reads its stdin from tells moto.
    dev_process.process.kill()
    assert dev_process.process.wait(timeout=10) == -signal.SIGKILL
    wait_for(lambda: assert_gone(moto), timeout=5)
    assert not port_is_open(aws_port)
    assert_nothing_left(dev_process)


@pytest.mark.slow
def test_ar_models_serve_prints_a_working_url_and_key(tmp_path: Path) -> None:
    """The README's first command: the bundled catalog, a fresh key, fail closed without it."""
    import httpx

    port = free_port()
    serve = CliProcess("serve", "--port", str(port), last_banner_line="Try: curl", cwd=tmp_path)
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
        assert [m["id"] for m in listed.json()["data"]] == LISTED_IDS
        assert httpx.get(url, headers={"Authorization": "Bearer ar-guess"}).status_code == 401
        serve.process.send_signal(signal.SIGINT)
        serve.process.wait(timeout=60)
        assert not port_is_open(port)
    finally:
        serve.stop()


# -- the first run: a busy port, the key, the env file, what the banners say to run -------------


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(AR_MODELS), *args, "--state-dir", str(cwd / ".dev")],
        cwd=cwd,
        env=shell_environment(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def pasteable(banner: list[str]) -> list[str]:
    """The commands a banner gives to paste, in its order: what follows `Try: `, and every line
    indented by two spaces."""
    return [
        line.removeprefix("Try: ") if line.startswith("Try: ") else line.strip()
        for line in banner
        if line.startswith(("Try: ", "  "))
    ]


def run_pasted(commands: list[str], *, cwd: Path) -> list[str]:
    """Run `commands` as pasted into one fresh shell in `cwd` (each sees what the ones before it
    loaded), stopping at the first that fails; returns what each printed on stdout."""
    marker = "--- pasted command done ---"
    script = "set -e\n" + "".join(f"{command}\necho '{marker}'\n" for command in commands)
    done = subprocess.run(
        ["bash", "-c", script],
        cwd=cwd,
        env=shell_environment(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    outputs = done.stdout.split(marker + "\n")
    failed = commands[len(outputs) - 1] if done.returncode else None
    assert done.returncode == 0, f"{failed!r} failed: {done.stderr}"
    return outputs[:-1]


@pytest.mark.slow
@pytest.mark.parametrize("command", ["serve", "dev"])
def test_a_busy_port_is_reported_first_with_the_option_that_fixes_it(
    command: str, busy_port: int, tmp_path: Path
) -> None:
    done = run_cli(command, "--port", str(busy_port), cwd=tmp_path)

    assert done.returncode == 1
    assert done.stdout == ""  # no banner saying a server is up
    (message,) = done.stderr.splitlines()
    assert f"port {busy_port} on 127.0.0.1 is already in use" in message
    fix = re.search(rf"make {command} PORT=(\d+), or (\S+) {command} --port (\d+)$", message)
    assert fix is not None, message
    assert fix[1] == fix[3]
    assert fix[2] == str(AR_MODELS)
    assert int(fix[1]) != busy_port
    assert not port_is_open(int(fix[1]))  # the port it suggests is free
    assert not (tmp_path / ".dev" / "env").exists()


@pytest.mark.slow
def test_a_busy_aws_port_is_reported_first(busy_port: int, tmp_path: Path) -> None:
    done = run_cli("dev", "--port", str(free_port()), "--aws-port", str(busy_port), cwd=tmp_path)

    assert done.returncode == 1
    assert done.stdout == ""
    assert f"--aws-port {busy_port}: the port is already in use" in done.stderr


@pytest.mark.slow
def test_dev_accepts_dev_api_key_as_serve_does(tmp_path: Path) -> None:
    import httpx

    key = "my-own-local-key"  # any string: compared, never looked up, as for `ar-models serve`
    dev = CliProcess(
        "dev",
        "--port",
        str(free_port()),
        last_banner_line=DEV_BANNER_END,
        cwd=tmp_path,
        env=shell_environment(DEV_API_KEY=key),
    )
    try:
        banner = dev.banner()
        assert after("API key: ", banner) == key
        assert "Key from DEV_API_KEY." in banner
        models = after("models API on ", banner) + "/models"
        listed = wait_for(lambda: httpx.get(models, headers=bearer(key)).raise_for_status())
        assert [m["id"] for m in listed.json()["data"]] == LISTED_IDS
        assert httpx.get(models, headers=bearer("my-own-local-ke")).status_code == 401
        assert not (tmp_path / ".dev" / "api-key").exists()  # nothing of its own to keep
    finally:
        dev.stop()


@pytest.mark.slow
def test_dev_restarted_keeps_its_key_and_every_command_it_prints_runs(tmp_path: Path) -> None:
    import httpx

    state = tmp_path / ".dev"
    first = CliProcess(
        "dev", "--port", str(free_port()), last_banner_line=DEV_BANNER_END, cwd=tmp_path
    )
    try:
        key = after("API key: ", first.banner())
        assert key.startswith("ar-")
        assert (state / "api-key").read_text() == key + "\n"
        assert stat.S_IMODE((state / "api-key").stat().st_mode) == 0o600
        assert stat.S_IMODE((state / "env").stat().st_mode) == 0o600
        first.process.send_signal(signal.SIGINT)
        assert first.process.wait(timeout=60) in {0, 130}
    finally:
        first.stop()
    assert not (state / "env").exists()  # it described a stack that is gone

    # Restarted: the same key works, so a client set up once needs no change.
    again = CliProcess(
        "dev", "--port", str(free_port()), last_banner_line=DEV_BANNER_END, cwd=tmp_path
    )
    try:
        banner = again.banner()
        assert after("API key: ", banner) == key
        models = after("models API on ", banner) + "/models"
        listed = wait_for(lambda: httpx.get(models, headers=bearer(key)).raise_for_status())
        assert [m["id"] for m in listed.json()["data"]] == LISTED_IDS

        # The env file it names holds the environment it prints, and one command loads it.
        assert "This stack's environment, written to .dev/env:" in banner
        loaded = subprocess.run(
            ["bash", "-c", ". .dev/env && env"],
            cwd=tmp_path,
            env=shell_environment(),
            capture_output=True,
            text=True,
            check=True,
        )
        variables = dict(line.split("=", 1) for line in loaded.stdout.splitlines() if "=" in line)
        exported = exports_of(banner)
        assert len(exported) == 7
        assert {name: variables.get(name) for name in exported} == exported

        # Every command it prints runs as written, in order, from where it was started.
        commands = pasteable(banner)
        assert commands[0].startswith("curl ")
        assert ". .dev/env" in commands
        assert not [c for c in commands if c.startswith(("aws ", "ar-models "))]
        outputs = run_pasted(commands, cwd=tmp_path)
        assert [m["id"] for m in json.loads(outputs[0])["data"]] == LISTED_IDS
        # The catalog it exported (with the values of the env file) is the one published.
        exported_file = json.loads((tmp_path / "models.json").read_text())
        assert [m["id"] for m in exported_file["data"]] == BUNDLED_IDS
        assert json.loads(outputs[-1])["unchanged"] == len(BUNDLED_IDS)
    finally:
        again.stop()


@pytest.mark.slow
def test_serve_restarted_keeps_its_key_and_its_try_line_runs(tmp_path: Path) -> None:
    keys = []
    for _ in range(2):
        serve = CliProcess(
            "serve", "--port", str(free_port()), last_banner_line="Try: curl", cwd=tmp_path
        )
        try:
            banner = serve.banner()
            keys.append(after("API key: ", banner))
            (try_line,) = pasteable(banner)
            # The socket listens before the banner: the request waits for the server, if need be.
            (output,) = run_pasted([try_line], cwd=tmp_path)
            assert [m["id"] for m in json.loads(output)["data"]] == LISTED_IDS
        finally:
            serve.stop()
    assert keys[0] == keys[1]
    assert (tmp_path / ".dev" / "api-key").read_text() == keys[0] + "\n"


@pytest.mark.slow
def test_dev_with_fake_providers_is_a_local_demo_of_the_audit(tmp_path: Path) -> None:
    """`ar-models dev --fake-providers`: the three fakes listing the bundled catalog's models,
    their URLs and keys in the environment file; the audit it prints runs, finds no drift, and
    reads every provider (none skipped)."""
    dev = CliProcess(
        "dev",
        "--port",
        str(free_port()),
        "--fake-providers",
        last_banner_line="Ctrl-C",
        cwd=tmp_path,
    )
    try:
        banner = dev.banner()
        commands = pasteable(banner)
        assert commands[-1].endswith("ar-models audit")
        env_file = (tmp_path / ".dev" / "env").read_text()
        assert "OPENAI_BASE_URL=http://127.0.0.1:" in env_file
        outputs = run_pasted([". .dev/env", commands[-1]], cwd=tmp_path)
        audit = outputs[-1]
        for provider in ("openai", "anthropic", "gemini"):
            assert re.search(rf"^{provider}\s+ok\s", audit, flags=re.MULTILINE), audit
        assert "no drift" in audit
    finally:
        dev.stop()

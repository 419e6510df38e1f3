"""`ar-models serve` and `ar-models dev`: the banner that says where the API is and with which
key, then the API served until interrupted (devtools.serve; the stack from devtools.devstack).

The port is taken before anything else is done or printed, so a busy one is reported first. The
key is DEV_API_KEY when it is set, else the one kept in the state directory (devtools.local_state),
so it survives a restart. Every command the banners suggest runs pasted, from the directory the
command ran in (devtools.output.shown_path), with nothing the project does not install.
"""

from __future__ import annotations

import argparse
import contextlib
import socket
import sys
from collections.abc import Iterator, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

from devtools.local_state import LocalState, LocalStateError
from devtools.output import ar_models_command, fail, shown_path
from handler import settings as env
from handler.settings import Settings

if TYPE_CHECKING:
    from devtools.devstack import DevStack


def serve_locally(args: argparse.Namespace, settings: Settings) -> int:
    # Imported when the command runs, so `ar-models --help` starts in 0.4 s, not 1-2 s.
    from devtools.serve import serve_api
    from handler.compose import build_api

    sock = _listen_or_none(args.host, args.port, command="serve")
    if sock is None:
        return 1
    with sock:
        key = settings.dev_api_key
        note = f"Key from {env.DEV_API_KEY}."
        if not key and not settings.api_keys_table:
            # Fail closed stays true locally: a random key of this clone, never a well-known
            # default; kept, so that clients set up once work after a restart.
            state = LocalState(args.state_dir)
            try:
                key = state.api_key()
            except LocalStateError as exc:
                return fail(str(exc))
            settings = replace(settings, dev_api_key=key)
            note = _kept_key_note(state)
        url = _url(sock)
        table = settings.models_table or "bundled catalog"
        print(f"AssistantRouter models API on {url}/v1 ({table})")
        if key:
            print(f"API key: {key}")
            print(note)
            print(f'Try: curl -H "Authorization: Bearer {key}" {url}/v1/models')
        else:
            print(
                "API key: create one with "
                f"`{ar_models_command()} keys create --name my-laptop` ({env.API_KEYS_TABLE})"
            )
        sys.stdout.flush()
        serve_api(build_api(settings), sock=sock)
    return 0


def serve_dev_stack(args: argparse.Namespace, settings: Settings) -> int:
    # Imported when the command runs, so `ar-models --help` starts in 0.4 s, not 1-2 s.
    import signal

    from catalog.errors import CatalogError
    from devtools.devstack import LOOPBACK, DevStackError, dev_stack
    from devtools.serve import PortInUse, listen_on, serve_api
    from handler.compose import build_api

    # SIGTERM, and SIGHUP when the terminal closes, must unwind like Ctrl-C, so the local AWS
    # server is stopped in every case (it also exits by itself if this process is killed).
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, lambda received, _: sys.exit(128 + received))
    sock = _listen_or_none(LOOPBACK, args.port, command="dev")
    if sock is None:
        return 1
    state = LocalState(args.state_dir)
    with sock:
        if args.aws_port:
            try:
                listen_on(LOOPBACK, args.aws_port).close()  # moto binds it: only checked here
            except PortInUse:
                return fail(
                    f"--aws-port {args.aws_port}: the port is already in use on {LOOPBACK}; "
                    "choose another, or leave the option out (any free port)"
                )
        dev_key = settings.dev_api_key
        try:
            stack_key = None if dev_key else state.api_key()
        except LocalStateError as exc:
            return fail(str(exc))
        url = _url(sock)
        written = None
        try:
            with (
                dev_stack(
                    cache_ttl=settings.catalog_cache_ttl,
                    aws_port=args.aws_port,
                    api_key=stack_key,
                    dev_api_key=dev_key,
                ) as stack,
                _fake_providers(args.fake_providers) as providers,
            ):
                written = state.write_environment({**stack.environment, **providers})
                _print_dev_banner(
                    stack, url=url, state=state, key_from_env=bool(dev_key), providers=providers
                )
                services = build_api(stack.settings, aws=stack.aws)
                serve_api(services, sock=sock)
        except (DevStackError, CatalogError, LocalStateError) as exc:
            return fail(str(exc))
        finally:
            if written is not None:
                state.remove_environment(written)
    return 0


@contextlib.contextmanager
def _fake_providers(wanted: bool) -> Iterator[dict[str, str]]:
    """With `wanted`, the three fake providers (devtools/fake_providers.py) on loopback for the
    stack's lifetime, listing the bundled catalog's models: the environment `ar-models audit`
    needs to audit against them. Without, nothing ({})."""
    if not wanted:
        yield {}
        return
    # Imported only for the demo: `ar-models dev` alone never starts them.
    import time

    from catalog.bundled import bundled_models
    from devtools.fake_providers import demo_environment, fakes_of, serving

    with serving(*fakes_of(bundled_models(), now=time.time())) as running:
        yield demo_environment(running)


def _print_dev_banner(
    stack: DevStack,
    *,
    url: str,
    state: LocalState,
    key_from_env: bool,
    providers: Mapping[str, str],
) -> None:
    report = stack.sync_report
    source = stack.settings.catalog_source
    ar_models = ar_models_command()
    print(f"Local AWS (moto: DynamoDB, S3) on {stack.endpoint}")
    print(
        f"Catalog {source} published: version {report.version}, "
        f"{len(report.added) + len(report.updated) + len(report.moved) + report.unchanged}"
        " models"
    )
    print(f"AssistantRouter models API on {url}/v1")
    print(f"API key: {stack.api_key}")
    print(f"Key from {env.DEV_API_KEY}." if key_from_env else _kept_key_note(state))
    print(f'Try: curl -H "Authorization: Bearer {stack.api_key}" {url}/v1/models')
    print(f"This stack's environment, written to {shown_path(state.env_path)}:")
    for name, value in {**stack.environment, **providers}.items():
        print(f"  export {name}={value}")
    print("To change the catalog from another shell here: load it, export the catalog, edit it")
    print("(`ar-models validate` checks it), publish it (to CATALOG_SOURCE, then sync):")
    print(f"  . {shown_path(state.env_path)}")
    print(f"  {ar_models} export -o models.json")
    print(f"  {ar_models} validate models.json")
    print(f"  {ar_models} publish ./models.json")
    if providers:
        print("Fake OpenAI, Anthropic and Gemini model lists (the bundled catalog's) for a demo;")
        print("audit against them (no drift until you edit the catalog):")
        print(f"  {ar_models} audit")
    print("Ctrl-C stops everything.")
    sys.stdout.flush()


def _kept_key_note(state: LocalState) -> str:
    return (
        f"Key kept in {shown_path(state.api_key_path)}: the same on the next run "
        f"(set {env.DEV_API_KEY} to choose one)."
    )


def _listen_or_none(host: str, port: int, *, command: str) -> socket.socket | None:
    """The API's listening socket; None, the reason said on stderr, when it cannot be had."""
    # Imported when the command runs, so `ar-models --help` starts in 0.4 s, not 1-2 s.
    from devtools.serve import PortInUse, free_port_from, listen_on

    try:
        return listen_on(host, port)
    except PortInUse:
        other = free_port_from(host, port + 1) or port + 1
        fail(
            f"port {port} on {host} is already in use (another `make serve` or `make dev`?). "
            f"Run on another port: make {command} PORT={other}, or "
            f"{ar_models_command()} {command} --port {other}"
        )
    except OSError as exc:
        fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}")
    return None


def _url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"

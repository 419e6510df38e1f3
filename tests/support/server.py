"""The app served by a real HTTP server (uvicorn) on loopback, for the SDK and client tests."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from handler.app import create_app
from handler.deps import Services


@contextmanager
def served(services: Services, *, path: str = "/v1") -> Iterator[str]:
    """An app with these services on 127.0.0.1 (a free port) in a thread, stopped on exit.

    Yields the server's URL followed by `path`: the `/v1` base URL OpenAI's SDK takes, or with
    `path=""` the server root Anthropic's SDK takes (it adds `/v1` itself)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    app = create_app(services)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started:
            assert time.monotonic() < deadline, "server did not start"
            assert thread.is_alive(), "server thread died"
            time.sleep(0.01)
        yield f"http://127.0.0.1:{port}{path}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
    assert not thread.is_alive()

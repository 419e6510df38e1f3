"""Serving the API on this machine with uvicorn: `ar-models serve` and `ar-models dev`.

The listening socket is opened first, before anything is printed or started (`listen_on`), and
handed to uvicorn: a busy port is reported at once, with the option that fixes it, instead of
after a banner that said the server was up; and no other process can take the port meanwhile.
"""

from __future__ import annotations

import errno
import socket
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from handler.deps import Services


class PortInUse(OSError):
    """Another process already listens on this address."""

    def __init__(self, host: str, port: int) -> None:
        super().__init__(errno.EADDRINUSE, f"port {port} on {host} is already in use")
        self.host = host
        self.port = port


def listen_on(host: str, port: int) -> socket.socket:
    """A socket listening on `host:port` (port 0: any free one). Raises PortInUse if it is taken,
    OSError for any other reason the address cannot be used."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        # As uvicorn does: a port a stopped server left in TIME_WAIT can be taken again at once.
        # It does not allow two listeners: binding a port another socket listens on still fails.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen()  # listening now, so the port is ours (bound alone, it could be shared)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise PortInUse(host, port) from exc
        raise
    return sock


def free_port_from(host: str, start: int, *, tries: int = 100) -> int | None:
    """The first port from `start` on that nothing listens on right now, if one is near."""
    for port in range(max(start, 1), min(start + tries, 65536)):
        try:
            listen_on(host, port).close()
        except OSError:
            continue
        return port
    return None


def serve_api(services: Services, *, sock: socket.socket) -> None:
    """Serve the API with these services on this listening socket until interrupted (needs
    uvicorn: the `serve` extra)."""
    # uvicorn (the `serve` extra) and the app: imported only when serving.
    import uvicorn

    from handler.app import create_app

    # lifespan="off": the app has no startup work (as under Mangum).
    config = uvicorn.Config(create_app(services), log_level="info", lifespan="off")
    uvicorn.Server(config).run(sockets=[sock])

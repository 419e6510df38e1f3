"""devtools/serve.py: the listening socket taken before anything is printed, a busy port
reported as PortInUse, a free one found near it."""

from __future__ import annotations

import pytest

from devtools.serve import PortInUse, free_port_from, listen_on


def test_a_listening_port_cannot_be_taken_twice(busy_port: int) -> None:
    with pytest.raises(PortInUse) as refused:
        listen_on("127.0.0.1", busy_port)
    assert (refused.value.host, refused.value.port) == ("127.0.0.1", busy_port)
    free = free_port_from("127.0.0.1", busy_port)
    assert free is not None
    assert free != busy_port
    with listen_on("127.0.0.1", free) as sock:  # what it found is really free
        assert sock.getsockname()[1] == free

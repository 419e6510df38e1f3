"""Run moto's server as a child that cannot outlive its parent: `python -m devtools.moto_child`.

The parent holds the write end of this process's stdin and never writes to it. When the parent
exits, however it exits (Ctrl-C, SIGTERM, SIGHUP when its terminal closes, even SIGKILL), the
kernel closes that pipe, the read below returns end-of-file, and this process exits at once.
Portable, unlike Linux's PR_SET_PDEATHSIG, and needs no polling.
"""

from __future__ import annotations

import os
import sys
import threading


def _exit_when_parent_is_gone() -> None:
    sys.stdin.buffer.read()  # blocks until EOF: the parent closed the pipe or died
    os._exit(0)


def main(argv: list[str]) -> None:
    threading.Thread(target=_exit_when_parent_is_gone, name="parent-watch", daemon=True).start()
    # moto is in the `local` extra only: imported by the child that serves it.
    from moto.server import main as moto_main

    moto_main(argv)


if __name__ == "__main__":
    main(sys.argv[1:])

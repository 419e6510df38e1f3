"""Serving the API on this machine with uvicorn: `ar-models serve` and `ar-models dev`."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from handler.deps import Services


def serve_api(services: Services, *, host: str, port: int) -> None:
    """Serve the API with these services until interrupted (needs uvicorn: the `serve` extra)."""
    # uvicorn (the `serve` extra) and the app: imported only when serving.
    import uvicorn

    from handler.app import create_app

    # lifespan="off": the app has no startup work (as under Mangum).
    uvicorn.run(create_app(services), host=host, port=port, log_level="info", lifespan="off")

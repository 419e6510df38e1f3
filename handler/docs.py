"""/docs without the network: Swagger UI's assets served by the app itself, from a package.

FastAPI's /docs page loads Swagger UI's script, stylesheet and icon from CDNs, so it is blank on
a machine that is offline. Where the `swagger-ui-bundle-v2` package is installed (the `serve`
extra: `make serve`, `make dev`), the page loads them from this app instead, at
`/docs/swagger-ui/...`. The Lambda artifact does not carry that package (it must not grow by
megabytes for a page no client needs), so there the page is FastAPI's own, as before.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse
from starlette.routing import BaseRoute, Route

ASSETS_PATH = "/docs/swagger-ui"
# The only files served: what the page loads, not the package's whole directory.
_ASSETS = ("swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png")


def swagger_ui_directory() -> Path | None:
    """Where the installed package keeps Swagger UI's files; None when it is not installed."""
    if importlib.util.find_spec("swagger_ui_bundle") is None:
        return None
    # An optional package (the `serve` extra): absent on Lambda, where /docs uses the CDN.
    from swagger_ui_bundle import swagger_ui_path

    directory = Path(str(swagger_ui_path))
    return directory if all((directory / name).is_file() for name in _ASSETS) else None


def serve_docs_locally(app: FastAPI) -> None:
    """Make `app`'s /docs page load Swagger UI from the app, if the package is installed."""
    directory = swagger_ui_directory()
    if directory is None or not app.docs_url or not app.openapi_url:
        return
    docs_url, openapi_url, title = app.docs_url, app.openapi_url, app.title

    async def swagger_ui_html(_: Request) -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{title} - Swagger UI",
            swagger_js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS_PATH}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS_PATH}/favicon-32x32.png",
        )

    routes: list[BaseRoute] = [
        route for route in app.router.routes if getattr(route, "path", None) != docs_url
    ]
    routes.append(Route(docs_url, swagger_ui_html, include_in_schema=False))
    routes += [_asset_route(directory / name) for name in _ASSETS]
    app.router.routes[:] = routes


def _asset_route(path: Path) -> Route:
    async def asset(_: Request) -> FileResponse:
        return FileResponse(path, headers={"Cache-Control": "public, max-age=86400"})

    return Route(f"{ASSETS_PATH}/{path.name}", asset, methods=["GET", "HEAD"])

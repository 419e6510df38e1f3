"""/docs works offline where Swagger UI's package is installed (`make serve`, `make dev`): the
page loads its script, stylesheet and icon from the app, not from a CDN. Without the package
(the Lambda artifact), the page is FastAPI's own, as before."""

from __future__ import annotations

import importlib.util
import re

import pytest
from fastapi.testclient import TestClient

from handler import docs
from handler.app import create_app
from tests.support.services import make_services, memory_catalog


def _client() -> TestClient:
    return TestClient(create_app(make_services(memory_catalog([]))))


def _loaded_urls(page: str) -> list[str]:
    """What the page makes a browser fetch: scripts, stylesheets, icons."""
    return re.findall(r'(?:src|href)="([^"]+)"', page)


def test_docs_page_loads_swagger_ui_from_the_app_itself() -> None:
    directory = docs.swagger_ui_directory()
    assert directory is not None, "the serve extra (swagger-ui-bundle-v2) is part of the dev venv"
    client = _client()

    page = client.get("/docs")

    assert page.status_code == 200
    urls = _loaded_urls(page.text)
    assert len(urls) == 3
    assert [url for url in urls if not url.startswith("/docs/swagger-ui/")] == []
    types = {}
    for url in urls:
        asset = client.get(url)
        assert asset.status_code == 200, url
        # Byte for byte the package's file: the page has everything it needs without a network.
        assert asset.content == (directory / url.rsplit("/", 1)[1]).read_bytes()
        types[url.rsplit(".", 1)[1]] = asset.headers["content-type"].split(";")[0]
    assert types == {"js": "text/javascript", "css": "text/css", "png": "image/png"}
    # The document it renders is the app's own.
    assert "url: '/openapi.json'" in page.text


def test_only_the_assets_the_page_needs_are_served() -> None:
    response = _client().get("/docs/swagger-ui/index.html")
    assert response.status_code == 404
    assert response.json()["error"]["type"] == "invalid_request_error"


def test_without_the_package_the_page_is_fastapis_own(monkeypatch: pytest.MonkeyPatch) -> None:
    find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *rest: None if name == "swagger_ui_bundle" else find_spec(name, *rest),
    )
    client = _client()

    page = client.get("/docs")

    assert page.status_code == 200
    urls = _loaded_urls(page.text)
    assert urls != []
    assert all(url.startswith("https://") for url in urls), urls
    assert client.get("/docs/swagger-ui/swagger-ui.css").status_code == 404

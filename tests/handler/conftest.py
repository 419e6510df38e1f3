from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from handler import deps
from handler.api import app

DEV_KEY = "ar-dev-test-key-0123456789"


@pytest.fixture
def dev_key(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("DEV_API_KEY", DEV_KEY)
    deps.reset()
    return DEV_KEY


@pytest.fixture
def anonymous() -> Iterator[TestClient]:
    """A client that sends no key; the 500 path answers instead of raising."""
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client
    app.dependency_overrides.clear()


@pytest.fixture
def client(dev_key: str) -> Iterator[TestClient]:
    with TestClient(app, headers={"Authorization": f"Bearer {dev_key}"}) as client:
        yield client
    app.dependency_overrides.clear()

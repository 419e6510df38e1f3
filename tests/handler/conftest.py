from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.support.http import api_client


@pytest.fixture
def anonymous() -> Iterator[TestClient]:
    """A client of the API with the dev key configured, that sends no key."""
    with api_client(key=None) as client:
        yield client


@pytest.fixture
def client() -> Iterator[TestClient]:
    """A client of the API on the bundled catalog, authenticated with the dev key."""
    with api_client() as client:
        yield client


@pytest.fixture
def deployed_app() -> Iterator[FastAPI]:
    """The deployed `handler.api.app`, whose services a test replaces
    (`app.state.services = ...`, the one sanctioned override of the deployed app); the ones it
    built at import are put back after."""
    from handler.api import app

    built_at_import = app.state.services
    try:
        yield app
    finally:
        app.state.services = built_at_import

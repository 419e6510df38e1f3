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
    """The deployed `handler.api.app`, as a fresh container has it: no services yet.

    A test may give it services (`app.state.services = ...`, the one sanctioned override of the
    deployed app) or let it build them from the environment; either way they are dropped after.
    """
    from handler.api import app

    assert app.state.services is None, "an earlier test left services on the deployed app"
    try:
        yield app
    finally:
        app.state.services = None

"""handler/deps.py: a request's services are its app's (`app.state.services`), handed to routes
by the two dependencies; two apps in one process keep their own."""

from __future__ import annotations

import dataclasses

import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient

from handler.deps import CatalogDep, KeyVerifierDep, Services, services_of
from tests.support.factories import model_doc
from tests.support.services import make_services, memory_catalog


def app_with(services: Services) -> FastAPI:
    """A bare app whose routes report what the dependencies handed them."""
    app = FastAPI()
    app.state.services = services

    @app.get("/services")
    async def services_route(request: Request) -> dict[str, bool]:
        return {"same": services_of(request) is services}

    @app.get("/catalog")
    async def catalog_route(catalog: CatalogDep) -> dict[str, object]:
        return {
            "ids": [m.id for m in catalog.snapshot.models],
            "same": catalog == services.catalog_cache.current(),
        }

    @app.get("/verifier")
    async def verifier_route(verifier: KeyVerifierDep) -> dict[str, bool]:
        return {"same": verifier is services.key_verifier}

    return app


def test_each_app_hands_its_routes_its_own_services() -> None:
    first = make_services(memory_catalog([model_doc("first-model")]))
    second = make_services(memory_catalog([model_doc("second-model"), model_doc("other")]))

    for services, ids in [(first, ["first-model"]), (second, ["second-model", "other"])]:
        with TestClient(app_with(services)) as client:
            assert client.get("/services").json() == {"same": True}
            assert client.get("/catalog").json() == {"ids": ids, "same": True}
            assert client.get("/verifier").json() == {"same": True}


def test_services_are_fixed_once_built() -> None:
    services = make_services()
    with pytest.raises(dataclasses.FrozenInstanceError):
        services.key_verifier = make_services().key_verifier  # type: ignore[misc]

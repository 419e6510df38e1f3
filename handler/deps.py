"""The per-container services a request needs, and the FastAPI dependencies that hand them to
routes.

An app holds its `Services` in `app.state.services`; `handler.app.create_app(services)` sets
them. They are wired from settings in handler/compose.py (`build_api`; the deployed app's at
init, `api_at_init`); tests build them from `Settings` there, or from their own fakes, and pass
them in: there is no other way to configure the API. Providers are `async def` on purpose:
FastAPI runs a plain `def` dependency in a thread pool, which costs a thread hop per request.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from apikeys.verifier import KeyVerifier
from catalog.cache import CatalogCache, ServedCatalog


@dataclass(frozen=True, slots=True)
class Services:
    """What a request needs, built once per container."""

    catalog_cache: CatalogCache
    key_verifier: KeyVerifier


def services_of(request: Request) -> Services:
    """The services of the app serving this request (`create_app(services)`)."""
    services: Services = request.app.state.services
    return services


async def current_catalog(request: Request) -> ServedCatalog:
    return services_of(request).catalog_cache.current()


async def key_verifier(request: Request) -> KeyVerifier:
    return services_of(request).key_verifier


CatalogDep = Annotated[ServedCatalog, Depends(current_catalog)]
KeyVerifierDep = Annotated[KeyVerifier, Depends(key_verifier)]

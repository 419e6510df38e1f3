"""The composition root: builds each per-container service once, from settings.

Providers are `async def` on purpose: FastAPI runs a plain `def` dependency in a thread pool,
which costs a thread hop on every request. Tests swap services with `app.dependency_overrides`
or by setting the environment and calling `reset()`.
"""

from __future__ import annotations

import logging
from functools import cache
from typing import Annotated

from fastapi import Depends

from catalog.aws import forget_clients
from catalog.cache import CatalogCache, CatalogView
from catalog.dynamodb import DynamoDBCatalogStore
from handler.keys import ApiKeyStore, KeyVerifier
from handler.settings import get_settings

logger = logging.getLogger(__name__)


@cache
def catalog_cache() -> CatalogCache:
    settings = get_settings()
    store = DynamoDBCatalogStore(settings.models_table) if settings.models_table else None
    return CatalogCache(store, ttl=settings.catalog_cache_ttl)


@cache
def key_verifier() -> KeyVerifier:
    settings = get_settings()
    store = ApiKeyStore(settings.api_keys_table) if settings.api_keys_table else None
    verifier = KeyVerifier(store, dev_key=settings.dev_api_key)
    if not verifier.configured:
        logger.error("neither API_KEYS_TABLE nor DEV_API_KEY is set: every /v1 request is refused")
    return verifier


def reset() -> None:
    """Forget settings, services and AWS clients, so the next use builds them from the
    environment (an endpoint or credentials may have changed too)."""
    forget_clients()
    get_settings.cache_clear()
    catalog_cache.cache_clear()
    key_verifier.cache_clear()


async def provide_catalog_cache() -> CatalogCache:
    return catalog_cache()


async def provide_key_verifier() -> KeyVerifier:
    return key_verifier()


async def current_catalog(
    cache: Annotated[CatalogCache, Depends(provide_catalog_cache)],
) -> CatalogView:
    return cache.current()


CatalogDep = Annotated[CatalogView, Depends(current_catalog)]
KeyVerifierDep = Annotated[KeyVerifier, Depends(provide_key_verifier)]

"""The composition root: the per-container services, built once from settings, and the FastAPI
dependencies that hand them to routes.

An app holds its `Services` in `app.state.services`; `handler.app.create_app(services)` sets
them. The deployed app gets `deployed_services()`, built while the container initialises (so a
bad setting fails the init with one clear log line, not every request, and SnapStart snapshots
the work done). Tests build `Services` from `Settings` (or from their own fakes) and pass them
in: there is no other way to configure the API. Providers are `async def` on purpose: FastAPI
runs a plain `def` dependency in a thread pool, which costs a thread hop on every request.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from apikeys.store import ApiKeyStore
from apikeys.verifier import KeyVerifier
from awsclients import REQUEST_ATTEMPTS, AwsClients, Profile
from catalog.bundled import bundled_snapshot
from catalog.cache import CatalogCache, ServedCatalog
from catalog.dynamodb import DynamoDBCatalogStore
from handler.metrics import catalog_degraded_reporter
from handler.settings import Settings, settings_at_init

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Services:
    """What a request needs, built once per container."""

    catalog_cache: CatalogCache
    key_verifier: KeyVerifier

    @classmethod
    def from_settings(cls, settings: Settings, *, aws: AwsClients | None = None) -> Services:
        """The deployed wiring. `aws`: the clients to use (default: boto3's own resolution,
        with the request profile's short timeouts)."""
        aws = aws or AwsClients(profile=Profile.REQUEST)
        if settings.models_table or settings.api_keys_table:
            # Paid here, at init, not by the first request (and kept in a SnapStart snapshot);
            # the client itself is still built on first use, after any restore.
            import boto3  # noqa: F401
        catalog_store = (
            DynamoDBCatalogStore(
                settings.models_table, dynamodb=aws.dynamodb, read_attempts=REQUEST_ATTEMPTS
            )
            if settings.models_table
            else None
        )
        key_store = (
            ApiKeyStore(
                settings.api_keys_table, dynamodb=aws.dynamodb, read_attempts=REQUEST_ATTEMPTS
            )
            if settings.api_keys_table
            else None
        )
        verifier = KeyVerifier(key_store, dev_key=settings.dev_api_key)
        if not verifier.configured:
            logger.error(
                "neither API_KEYS_TABLE nor DEV_API_KEY is set: every /v1 request is refused"
            )
        report = (
            catalog_degraded_reporter(settings.function_name)
            if settings.function_name and catalog_store is not None
            else None
        )
        cache = CatalogCache(catalog_store, ttl=settings.catalog_cache_ttl, on_revalidated=report)
        return cls(cache, verifier)


def deployed_services() -> Services:
    """The services of the deployed API, from this process's environment. On a bad setting it
    logs one line naming it and raises, so the Lambda init fails instead of every request."""
    services = Services.from_settings(settings_at_init("API"))
    # The fallback, serialised now rather than by the first request that needs it (and kept in
    # a SnapStart snapshot): pure CPU work on packaged data, no I/O, nothing unique. Its
    # Anthropic shape too: Claude Code asks for it at start-up, with a 3 s timeout.
    bundled_snapshot().anthropic  # noqa: B018 (built on first access, kept)
    return services


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

"""The only module that reads the environment. Names match template.yaml exactly."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache

# Environment variable names: the deployment contract.
MODELS_TABLE = "MODELS_TABLE"
API_KEYS_TABLE = "API_KEYS_TABLE"
DEV_API_KEY = "DEV_API_KEY"
CATALOG_CACHE_TTL = "CATALOG_CACHE_TTL"
CATALOG_SOURCE = "CATALOG_SOURCE"
SYNC_MAX_REMOVE_FRACTION = "SYNC_MAX_REMOVE_FRACTION"
CATALOG_EVENT_BUS = "CATALOG_EVENT_BUS"


class SettingsError(ValueError):
    """An environment variable has a value the service cannot run with."""


@dataclass(frozen=True, slots=True)
class Settings:
    """Typed configuration. Empty strings count as unset, as SAM passes unset parameters."""

    models_table: str | None = None
    api_keys_table: str | None = None
    dev_api_key: str | None = field(default=None, repr=False)  # a secret: never in repr or logs
    catalog_cache_ttl: float = 60.0
    catalog_source: str = "bundled"
    sync_max_remove_fraction: float = 0.2
    catalog_event_bus: str | None = None

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> Settings:
        def text(name: str) -> str | None:
            value = environ.get(name, "").strip()
            return value or None

        return cls(
            models_table=text(MODELS_TABLE),
            api_keys_table=text(API_KEYS_TABLE),
            dev_api_key=text(DEV_API_KEY),
            catalog_cache_ttl=_number(environ, CATALOG_CACHE_TTL, 60.0, low=0.0),
            catalog_source=text(CATALOG_SOURCE) or "bundled",
            sync_max_remove_fraction=_number(
                environ, SYNC_MAX_REMOVE_FRACTION, 0.2, low=0.0, high=1.0
            ),
            catalog_event_bus=text(CATALOG_EVENT_BUS),
        )


def _number(
    environ: Mapping[str, str], name: str, default: float, *, low: float, high: float | None = None
) -> float:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number, got {raw!r}") from None
    if value < low or (high is not None and value > high) or value != value:
        bound = f"between {low:g} and {high:g}" if high is not None else f">= {low:g}"
        raise SettingsError(f"{name} must be {bound}, got {raw!r}")
    return value


@cache
def get_settings() -> Settings:
    """Settings of this process, read once. Tests set the environment and call cache_clear()."""
    return Settings.from_environ(os.environ)

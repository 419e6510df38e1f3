"""The only module that reads the environment. Names match template.yaml exactly.

Settings are read once per process by each composition root (handler/compose.py: the API's and
the sync's at the Lambda init, when handler/api.py or handler/sync.py is imported; the CLI when
a command starts) and passed in from there; nothing else reads `os.environ`. Each default is
stated once, here, as a field default.
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field

# Environment variable names: the deployment contract.
MODELS_TABLE = "MODELS_TABLE"
API_KEYS_TABLE = "API_KEYS_TABLE"
DEV_API_KEY = "DEV_API_KEY"
CATALOG_CACHE_TTL = "CATALOG_CACHE_TTL"
CATALOG_SOURCE = "CATALOG_SOURCE"
SYNC_MAX_REMOVE_FRACTION = "SYNC_MAX_REMOVE_FRACTION"
CATALOG_EVENT_BUS = "CATALOG_EVENT_BUS"
LIFECYCLE_WARNING_DAYS = "LIFECYCLE_WARNING_DAYS"
CATALOG_CLEANUP_GRACE_MINUTES = "CATALOG_CLEANUP_GRACE_MINUTES"
# Set by the Lambda runtime itself: where it is set, the API and the sync emit their metrics for
# this function.
FUNCTION_NAME = "AWS_LAMBDA_FUNCTION_NAME"
# Also set by the runtime: `on-demand`, `provisioned-concurrency` or `snap-start`. In the last two
# the init runs before any request waits for it, so the API builds there what it would otherwise
# leave to the first request that needs it.
INITIALIZATION_TYPE = "AWS_LAMBDA_INITIALIZATION_TYPE"
AHEAD_OF_REQUESTS = frozenset(("provisioned-concurrency", "snap-start"))


# Each Settings field's variable, in field order (tests/handler/test_settings.py checks they
# match): what a test clears so that no developer's setting leaks in.
ENV_NAMES: dict[str, str] = {
    "models_table": MODELS_TABLE,
    "api_keys_table": API_KEYS_TABLE,
    "dev_api_key": DEV_API_KEY,
    "catalog_cache_ttl": CATALOG_CACHE_TTL,
    "catalog_source": CATALOG_SOURCE,
    "sync_max_remove_fraction": SYNC_MAX_REMOVE_FRACTION,
    "catalog_event_bus": CATALOG_EVENT_BUS,
    "lifecycle_warning_days": LIFECYCLE_WARNING_DAYS,
    "cleanup_grace_minutes": CATALOG_CLEANUP_GRACE_MINUTES,
    "function_name": FUNCTION_NAME,
    "initialization_type": INITIALIZATION_TYPE,
}


# Ten years: more is no warning at all, and keeps the arithmetic on dates finite.
MAX_LIFECYCLE_WARNING_DAYS = 3650
# A day: a replica that lags more than that has bigger problems than a missing old version.
MAX_CLEANUP_GRACE_MINUTES = 1440.0


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
    # The sync's ModelsShuttingDownSoon: models whose shutdown date is at most this many days away.
    lifecycle_warning_days: int = 30
    # The sync's clean-up keeps an old catalog version this long after the last moment a reader
    # could need it. 0 in one region (a reader never sees a pointer before its chunks); the
    # template passes its CleanupGraceMinutes when the tables are global.
    cleanup_grace_minutes: float = 0.0
    function_name: str | None = None  # the Lambda function's, when running on Lambda
    initialization_type: str | None = None  # the Lambda runtime's, when running on Lambda

    @property
    def init_ahead_of_requests(self) -> bool:
        """Whether no request waits for this init (SnapStart, provisioned concurrency)."""
        return self.initialization_type in AHEAD_OF_REQUESTS

    @classmethod
    def from_environ(
        cls, environ: Mapping[str, str], *, defaults: Settings | None = None
    ) -> Settings:
        """Settings from environment variables; unset ones keep `defaults` (ours if None)."""
        base = defaults or cls()

        def text(name: str, default: str | None) -> str | None:
            return environ.get(name, "").strip() or default

        return cls(
            models_table=text(MODELS_TABLE, base.models_table),
            api_keys_table=text(API_KEYS_TABLE, base.api_keys_table),
            dev_api_key=text(DEV_API_KEY, base.dev_api_key),
            catalog_cache_ttl=_number(environ, CATALOG_CACHE_TTL, base.catalog_cache_ttl, low=0.0),
            catalog_source=text(CATALOG_SOURCE, None) or base.catalog_source,
            sync_max_remove_fraction=_number(
                environ, SYNC_MAX_REMOVE_FRACTION, base.sync_max_remove_fraction, low=0.0, high=1.0
            ),
            catalog_event_bus=text(CATALOG_EVENT_BUS, base.catalog_event_bus),
            lifecycle_warning_days=_whole_number(
                environ,
                LIFECYCLE_WARNING_DAYS,
                base.lifecycle_warning_days,
                low=0,
                high=MAX_LIFECYCLE_WARNING_DAYS,
            ),
            cleanup_grace_minutes=_number(
                environ,
                CATALOG_CLEANUP_GRACE_MINUTES,
                base.cleanup_grace_minutes,
                low=0.0,
                high=MAX_CLEANUP_GRACE_MINUTES,
            ),
            function_name=text(FUNCTION_NAME, base.function_name),
            initialization_type=text(INITIALIZATION_TYPE, base.initialization_type),
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
    if not math.isfinite(value) or value < low or (high is not None and value > high):
        bound = f"between {low:g} and {high:g}" if high is not None else f">= {low:g}"
        raise SettingsError(f"{name} must be {bound}, got {raw!r}")
    return value


def _whole_number(
    environ: Mapping[str, str], name: str, default: int, *, low: int, high: int
) -> int:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isascii() or not raw.isdigit():
        raise SettingsError(f"{name} must be a whole number from {low} to {high}, got {raw!r}")
    value = int(raw)
    if not low <= value <= high:
        raise SettingsError(f"{name} must be a whole number from {low} to {high}, got {raw!r}")
    return value


def load_settings(defaults: Settings | None = None) -> Settings:
    """The settings of this process's environment. Composition roots call it once."""
    return Settings.from_environ(os.environ, defaults=defaults)


def settings_at_init(component: str) -> Settings:
    """`load_settings()` for a Lambda init: on a bad setting, one log line naming `component`
    and the variable, then the error, so the init fails rather than every invocation."""
    try:
        return load_settings()
    except SettingsError as exc:
        logging.getLogger(__name__).critical(
            "invalid configuration, the %s cannot start: %s", component, exc
        )
        raise


# -- the provider drift audit (handler/audit_job.py, `ar-models audit`) -----------------------

OPENAI_BASE_URL = "OPENAI_BASE_URL"  # as the OpenAI SDK reads it: ending in /v1
ANTHROPIC_BASE_URL = "ANTHROPIC_BASE_URL"  # as the anthropic SDK reads it: without /v1
GEMINI_BASE_URL = "GEMINI_BASE_URL"  # the host root; /v1beta/models is appended
OPENAI_API_KEY = "OPENAI_API_KEY"
ANTHROPIC_API_KEY = "ANTHROPIC_API_KEY"
GEMINI_API_KEY = "GEMINI_API_KEY"
PROVIDER_KEYS_SECRET_ARN = "PROVIDER_KEYS_SECRET_ARN"  # noqa: S105 (a variable name)
AUDIT_REPORT_BUCKET = "AUDIT_REPORT_BUCKET"
AUDIT_PROVIDER_TIMEOUT = "AUDIT_PROVIDER_TIMEOUT"


@dataclass(frozen=True, slots=True)
class AuditSettings:
    """The audit's own settings (the catalog table, bus and function name are `Settings`').

    A base URL left unset is the provider's own (audit/providers/). Keys come from the secret
    when `provider_keys_secret_arn` is set (the deployed function), else from the three key
    variables (a shell). Keys are never in a repr.
    """

    base_urls: Mapping[str, str | None] = field(
        default_factory=lambda: {"openai": None, "anthropic": None, "gemini": None}
    )
    api_keys: Mapping[str, str | None] = field(
        default_factory=lambda: {"openai": None, "anthropic": None, "gemini": None}, repr=False
    )
    provider_keys_secret_arn: str | None = None
    report_bucket: str | None = None
    provider_timeout: float = 60.0  # seconds each provider may take, retries included

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> AuditSettings:
        def text(name: str) -> str | None:
            return environ.get(name, "").strip() or None

        for name in (OPENAI_BASE_URL, ANTHROPIC_BASE_URL, GEMINI_BASE_URL):
            url = text(name)
            if url is not None and not url.startswith(("https://", "http://")):
                raise SettingsError(f"{name} must be an http(s):// URL, got {url!r}")
        default = cls().provider_timeout
        timeout = _number(environ, AUDIT_PROVIDER_TIMEOUT, default, low=0.001)
        return cls(
            base_urls={
                "openai": text(OPENAI_BASE_URL),
                "anthropic": text(ANTHROPIC_BASE_URL),
                "gemini": text(GEMINI_BASE_URL),
            },
            api_keys={
                "openai": text(OPENAI_API_KEY),
                "anthropic": text(ANTHROPIC_API_KEY),
                "gemini": text(GEMINI_API_KEY),
            },
            provider_keys_secret_arn=text(PROVIDER_KEYS_SECRET_ARN),
            report_bucket=text(AUDIT_REPORT_BUCKET),
            provider_timeout=timeout,
        )


def load_audit_settings() -> AuditSettings:
    """The audit settings of this process's environment. Its composition roots call it once."""
    return AuditSettings.from_environ(os.environ)

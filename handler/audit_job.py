"""The provider drift audit, composed once: the Lambda entry (handler/audit.py), `ar-models
audit` and `ar-models dev` all call `run_audit_job`; the deployed function then publishes the
report (`publish_report`: S3 `audits/`, the CatalogDrift event, EMF metrics).

The audit never writes to a table: it reads the published catalog (or a file), reads each
provider's own list and reports the difference; a person reviews and publishes.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TextIO

from awsclients import AwsClients
from catalog.json_text import json_line, pretty_json
from handler.lambda_types import LambdaContext
from handler.settings import (
    AuditSettings,
    Settings,
    SettingsError,
    load_audit_settings,
    settings_at_init,
)

if TYPE_CHECKING:
    from audit import AuditReport, AuditRun
    from catalog.schema import Model

logger = logging.getLogger(__name__)

# Where the deployed job writes each report in the catalog bucket (the role may write only here).
REPORT_PREFIX = "audits/"
LATEST_KEY = f"{REPORT_PREFIX}latest.json"
DRIFT_DETAIL_TYPE = "CatalogDrift"
# An EventBridge entry is at most 256 KB: the event names the first entries, the report has all.
MAX_EVENT_ENTRIES = 100


class AuditConfigError(SettingsError):
    """The audit cannot start: its keys or its providers are not usable as configured."""


@dataclass(frozen=True, slots=True)
class AuditedCatalog:
    """The catalog a run audits and where it came from."""

    models: Sequence[Model]
    origin: str
    version: int | None = None


@dataclass(frozen=True, slots=True)
class JobOptions:
    """What one run is asked for. `providers`: names, None for all; `source`: a catalog
    document instead of the published one; `timeout`: seconds per provider."""

    providers: Sequence[str] | None = None
    source: str | None = None
    allow_files: bool = False  # a local path as `source` (a shell only)
    timeout: float | None = None
    include: Mapping[str, Sequence[str]] = field(default_factory=dict)


def run_audit_job(
    settings: Settings,
    audit_settings: AuditSettings,
    *,
    aws: AwsClients,
    options: JobOptions | None = None,
    run: AuditRun | None = None,
    wall_clock: Callable[[], float] = time.time,
    catalog: AuditedCatalog | None = None,
) -> tuple[AuditReport, AuditedCatalog]:
    """Read the keys and the catalog, audit every provider asked for; the report and the
    catalog audited. Raises SettingsError (AuditConfigError) or a CatalogError."""
    # Imported when a run starts: `ar-models audit --help` and the CLI's other commands never pay
    # for the audit's modules (httpx alone is 0.5 s).
    from audit import AuditRun, ProviderSetup, run_audit
    from audit.providers import PROVIDER_NAMES, build_providers

    options = options or JobOptions()
    names = list(dict.fromkeys(options.providers or PROVIDER_NAMES))
    unknown = [name for name in [*names, *options.include] if name not in PROVIDER_NAMES]
    if unknown:
        raise AuditConfigError(
            f"unknown provider(s) {', '.join(unknown)}: choose from {', '.join(PROVIDER_NAMES)}"
        )
    keys = provider_keys(audit_settings, aws=aws)
    providers = build_providers(
        {name: audit_settings.base_urls.get(name) for name in names}, include=options.include
    )
    timeout = options.timeout if options.timeout is not None else audit_settings.provider_timeout
    base = run or AuditRun()
    run = AuditRun(
        timeout=timeout,
        limits=base.limits,
        transport=base.transport,
        sleep=base.sleep,
        clock=base.clock,
    )
    audited = catalog or read_audited_catalog(
        settings, aws=aws, source=options.source, allow_files=options.allow_files
    )
    report = run_audit(
        [ProviderSetup(provider, keys.get(provider.name)) for provider in providers],
        audited.models,
        catalog_origin=audited.origin,
        catalog_version=audited.version,
        now=wall_clock(),
        run=run,
    )
    return report, audited


def provider_keys(audit_settings: AuditSettings, *, aws: AwsClients) -> dict[str, str | None]:
    """Each provider's key: from the Secrets Manager secret when one is configured (read once,
    JSON `{"openai": ..., "anthropic": ..., "gemini": ...}`), else from the key variables.
    Nothing of the secret's value is ever in a message."""
    arn = audit_settings.provider_keys_secret_arn
    if not arn:
        return dict(audit_settings.api_keys)
    # botocore comes with boto3: loaded when awsclients builds a client, never at import.
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        secret = aws.secretsmanager().get_secret_value(SecretId=arn)
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "error")
        raise AuditConfigError(f"cannot read the provider keys secret {arn}: {code}") from None
    except BotoCoreError as exc:
        raise AuditConfigError(
            f"cannot read the provider keys secret {arn}: {type(exc).__name__}"
        ) from None
    try:
        value = json.loads(secret.get("SecretString") or "")
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise AuditConfigError(
            f'the provider keys secret {arn} must be a JSON object {{"openai": "...", '
            '"anthropic": "...", "gemini": "..."}'
        )
    keys: dict[str, str | None] = {}
    for name in ("openai", "anthropic", "gemini"):
        key = value.get(name)
        if key is not None and not isinstance(key, str):
            raise AuditConfigError(f"the provider keys secret {arn}: '{name}' must be a string")
        keys[name] = (key or "").strip() or None
    return keys


def read_audited_catalog(
    settings: Settings, *, aws: AwsClients, source: str | None, allow_files: bool
) -> AuditedCatalog:
    """`source` when given (read and validated as the sync reads it), else the catalog
    published in MODELS_TABLE (read through the store, as the API reads it), else, with no
    table configured, the bundled one. Raises a CatalogError."""
    # Imported when a run reads the catalog, as the run's other modules are.
    from catalog.errors import CatalogUnavailable

    if source is not None:
        from catalog.source import CatalogSourceReader, SourceLocation

        location = SourceLocation.parse(source, allow_files=allow_files)
        return AuditedCatalog(CatalogSourceReader(s3=aws.s3).read(location), str(location))
    if not settings.models_table:
        from catalog.bundled import bundled_models

        return AuditedCatalog(bundled_models(), "the bundled catalog (MODELS_TABLE is not set)")
    # Imported when a run reads the catalog, as the run's other modules are.
    from catalog.dynamodb import DynamoDBCatalogStore

    store = DynamoDBCatalogStore(settings.models_table, dynamodb=aws.dynamodb)
    contents = store.read_catalog()
    if contents is None:
        raise CatalogUnavailable(f"nothing is published in {settings.models_table} to audit")
    return AuditedCatalog(
        contents.models,
        f"catalog version {contents.version} ({settings.models_table})",
        contents.version,
    )


def publish_report(
    report: AuditReport,
    settings: Settings,
    audit_settings: AuditSettings,
    *,
    aws: AwsClients,
    stream: TextIO | None = None,
) -> dict[str, Any]:
    """What the deployed job does with a report: S3 (the latest and a dated copy) when a bucket
    is configured, CatalogDrift when there is drift and a bus is configured, EMF metrics when
    running on Lambda. Returns where each went. Raises on an AWS failure (the run is retried)."""
    # Imported when a run reports, as the run's other modules are.
    from handler.audit_metrics import audit_metric_lines

    body = pretty_json(report.to_dict()).encode()
    published: dict[str, Any] = {"report": None, "event": False}
    bucket = audit_settings.report_bucket
    if bucket:
        dated = f"{REPORT_PREFIX}{report.started_at.replace(':', '')}.json"
        for key in (dated, LATEST_KEY):
            aws.s3().put_object(Bucket=bucket, Key=key, Body=body, ContentType="application/json")
        published["report"] = f"s3://{bucket}/{dated}"
    if report.drift and settings.catalog_event_bus:
        detail = {
            **report.summary(),
            "report": published["report"],
            "catalog": report.to_dict()["catalog"],
            "entries": [entry.to_dict() for entry in report.drift[:MAX_EVENT_ENTRIES]],
        }
        _put_drift_event(aws, settings.catalog_event_bus, detail)
        published["event"] = True
    if settings.function_name:
        out = stream or sys.stdout
        out.write("".join(audit_metric_lines(report, settings.function_name)))
        out.flush()
    return published


def _put_drift_event(aws: AwsClients, bus: str, detail: Mapping[str, Any]) -> None:
    """One CatalogDrift event, from the same source and publisher as the sync's CatalogChanged
    (raises EventPublishFailed)."""
    # Imported only when there is drift to announce.
    from catalog.change_events import EventBridgePublisher

    EventBridgePublisher(bus, events=aws.events, detail_type=DRIFT_DETAIL_TYPE).publish(detail)


class AuditHandler:
    """The Lambda entry point: one audit per invocation, its report published."""

    def __init__(
        self,
        settings: Settings,
        audit_settings: AuditSettings,
        *,
        aws: AwsClients | None = None,
        run: AuditRun | None = None,
        wall_clock: Callable[[], float] = time.time,
        stream: TextIO | None = None,
    ) -> None:
        self._settings = settings
        self._audit = audit_settings
        self._aws = aws or AwsClients()
        self._run = run
        self._wall_clock = wall_clock
        self._stream = stream

    def __call__(self, event: Any, _context: LambdaContext | None) -> dict[str, Any]:
        """Audit, publish; returns the summary (also logged as one line). A provider that
        failed is in the report and the metrics, not an error of the run: only a run that
        could not audit or publish at all raises (Lambda retries it, then the DLQ)."""
        providers = None
        if isinstance(event, dict) and event.get("providers") is not None:
            providers = event["providers"]
            if not isinstance(providers, list) or not all(isinstance(p, str) for p in providers):
                raise ValueError("'providers' must be a list of provider names")
        report, _ = run_audit_job(
            self._settings,
            self._audit,
            aws=self._aws,
            options=JobOptions(providers=providers),
            run=self._run,
            wall_clock=self._wall_clock,
        )
        published = publish_report(
            report, self._settings, self._audit, aws=self._aws, stream=self._stream
        )
        result = {**report.summary(), **published}
        logger.info("audit finished: %s", json_line(result))
        return result


def deployed_handler() -> AuditHandler:
    """The audit of the deployed function, from this process's environment; a bad setting
    fails the init with one log line naming it."""
    settings = settings_at_init("audit")
    try:
        audit_settings = load_audit_settings()
    except SettingsError as exc:
        logger.critical("invalid configuration, the audit cannot start: %s", exc)
        raise
    return AuditHandler(settings, audit_settings)

"""Anthropic: `GET {ANTHROPIC_BASE_URL}/v1/models`, every lifecycle value, paged by `after_id`.

It states each model's `lifecycle`, `deprecated_at`, `retires_at` (RFC 3339), `max_input_tokens`
and `max_tokens`, so it is authoritative for both lifecycle and limits. Retired models are
listed only when asked for (`lifecycle=retired`), hence all three values are asked for.
"""

from __future__ import annotations

from typing import Any, ClassVar

from audit.errors import ProviderFailed
from audit.http import JsonFetcher, error_text
from audit.providers.base import (
    Authority,
    ProviderBase,
    UpstreamModel,
    UpstreamStatus,
    field_of,
    iso_date,
    malformed,
    positive_or_none,
)

DEFAULT_BASE_URL = "https://api.anthropic.com"
API_VERSION = "2023-06-01"
PAGE_SIZE = 1000  # the documented maximum
_STATUSES: tuple[UpstreamStatus, ...] = ("active", "deprecated", "retired")


class AnthropicProvider(ProviderBase):
    name: ClassVar[str] = "anthropic"
    owned_by: ClassVar[str] = "anthropic"
    authoritative_for: ClassVar[frozenset[Authority]] = frozenset({"lifecycle", "limits"})
    default_base_url: ClassVar[str] = DEFAULT_BASE_URL
    default_include: ClassVar[tuple[str, ...]] = ("claude-*",)

    def list_models(self, fetcher: JsonFetcher, key: str) -> list[UpstreamModel]:
        headers = {"x-api-key": key, "anthropic-version": API_VERSION}
        models: list[UpstreamModel] = []
        after: str | None = None
        seen: set[str] = set()
        while True:
            params = [("limit", str(PAGE_SIZE)), *(("lifecycle", s) for s in _STATUSES)]
            if after is not None:
                params.append(("after_id", after))
            page = fetcher.get_json(f"{self.base_url}/v1/models", headers=headers, params=params)
            data = field_of(page, "data", list, where="page")
            models.extend(_model(entry, f"data[{i}]") for i, entry in enumerate(data))
            if not field_of(page, "has_more", bool, where="page"):
                return models
            after = field_of(page, "last_id", (str, type(None)), where="page")
            if after is None or after in seen:
                raise ProviderFailed(
                    f"paging loop: has_more with last_id {after!r} already followed"
                    if after is not None
                    else "paging loop: has_more without a last_id"
                )
            seen.add(after)

    def describe_error(self, status: int, body: Any) -> str:
        # {"type": "error", "error": {"type", "message"}, "request_id"}
        kind = error_text(body, "error", "type")
        message = error_text(body, "error", "message")
        request = error_text(body, "request_id")
        text = ": ".join(part for part in (f"HTTP {status}", kind, message) if part)
        return f"{text} (request {request})" if request else text


def _model(entry: Any, where: str) -> UpstreamModel:
    lifecycle = field_of(entry, "lifecycle", (str, type(None)), where=where)
    if lifecycle is not None and lifecycle not in _STATUSES:
        raise malformed(f"{where}.lifecycle is not one of {', '.join(_STATUSES)}")
    nullable_text, nullable_int = (str, type(None)), (int, type(None))
    return UpstreamModel(
        id=field_of(entry, "id", str, where=where),
        status=lifecycle,
        deprecated_at=iso_date(
            field_of(entry, "deprecated_at", nullable_text, where=where),
            where=f"{where}.deprecated_at",
        ),
        shutdown_at=iso_date(
            field_of(entry, "retires_at", nullable_text, where=where), where=f"{where}.retires_at"
        ),
        context_length=positive_or_none(
            field_of(entry, "max_input_tokens", nullable_int, where=where),
            where=f"{where}.max_input_tokens",
        ),
        max_output_tokens=positive_or_none(
            field_of(entry, "max_tokens", nullable_int, where=where), where=f"{where}.max_tokens"
        ),
    )

"""Google Gemini: `GET {GEMINI_BASE_URL}/v1beta/models`, paged by `pageToken`, key in a header.

It states token limits (`inputTokenLimit`, `outputTokenLimit`) and no lifecycle; names are
`models/{id}`. The key goes in `x-goog-api-key`, never in the URL (`?key=` would put it in any
error or log line that names the URL).
"""

from __future__ import annotations

from typing import Any, ClassVar

from audit.errors import ProviderFailed
from audit.http import JsonFetcher, error_text
from audit.providers.base import (
    Authority,
    ProviderBase,
    UpstreamModel,
    field_of,
    malformed,
    positive_or_none,
)

DEFAULT_BASE_URL = "https://generativelanguage.googleapis.com"
PAGE_SIZE = 1000  # the documented maximum
_PREFIX = "models/"


class GeminiProvider(ProviderBase):
    name: ClassVar[str] = "gemini"
    owned_by: ClassVar[str] = "google"
    authoritative_for: ClassVar[frozenset[Authority]] = frozenset({"limits"})
    default_base_url: ClassVar[str] = DEFAULT_BASE_URL
    default_include: ClassVar[tuple[str, ...]] = ("gemini-*",)

    def list_models(self, fetcher: JsonFetcher, key: str) -> list[UpstreamModel]:
        headers = {"x-goog-api-key": key}
        models: list[UpstreamModel] = []
        token: str | None = None
        seen: set[str] = set()
        while True:
            params = [("pageSize", str(PAGE_SIZE))]
            if token is not None:
                params.append(("pageToken", token))
            page = fetcher.get_json(
                f"{self.base_url}/v1beta/models", headers=headers, params=params
            )
            # An empty list may be sent as `{}`: protobuf JSON leaves out empty fields.
            data = page.get("models", []) if isinstance(page, dict) else None
            if not isinstance(data, list):
                raise malformed('not {"models": [...]}')
            models.extend(_model(entry, f"models[{i}]") for i, entry in enumerate(data))
            token = field_of(page, "nextPageToken", (str, type(None)), where="page") or None
            if token is None:
                return models
            if token in seen:
                raise ProviderFailed("paging loop: a nextPageToken already followed came back")
            seen.add(token)

    def describe_error(self, status: int, body: Any) -> str:
        # {"error": {"code", "message", "status", "details": [{"reason": ...}]}}
        reason = None
        error = body.get("error") if isinstance(body, dict) else None
        details = error.get("details") if isinstance(error, dict) else None
        if isinstance(details, list):
            reason = next(
                (d["reason"] for d in details if isinstance(d, dict) and d.get("reason")), None
            )
        kind = reason or error_text(body, "error", "status")
        if reason == "API_KEY_INVALID":
            return f"HTTP {status}: API_KEY_INVALID: the key was rejected"
        message = error_text(body, "error", "message")
        return ": ".join(part for part in (f"HTTP {status}", kind, message) if part)


def _model(entry: Any, where: str) -> UpstreamModel:
    name = field_of(entry, "name", str, where=where)
    methods = field_of(entry, "supportedGenerationMethods", (list, type(None)), where=where)
    nullable_int = (int, type(None))
    return UpstreamModel(
        id=name.removeprefix(_PREFIX),
        context_length=positive_or_none(
            field_of(entry, "inputTokenLimit", nullable_int, where=where),
            where=f"{where}.inputTokenLimit",
        ),
        max_output_tokens=positive_or_none(
            field_of(entry, "outputTokenLimit", nullable_int, where=where),
            where=f"{where}.outputTokenLimit",
        ),
        generates="generateContent" in (methods or []),
    )

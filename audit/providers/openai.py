"""OpenAI: `GET {OPENAI_BASE_URL}/models` (the base ends in /v1), Bearer key, one page.

The list is per project, so a model missing from it is a signal, not proof. Its only lifecycle
field is `shutdown_date` (YYYY-MM-DD or null: not announced); it has no limits.
"""

from __future__ import annotations

from typing import Any, ClassVar

from audit.http import JsonFetcher, error_text
from audit.providers.base import (
    Authority,
    ProviderBase,
    UpstreamModel,
    field_of,
    iso_date,
    malformed,
)

DEFAULT_BASE_URL = "https://api.openai.com/v1"


class OpenAIProvider(ProviderBase):
    name: ClassVar[str] = "openai"
    owned_by: ClassVar[str] = "openai"
    authoritative_for: ClassVar[frozenset[Authority]] = frozenset({"lifecycle"})
    default_base_url: ClassVar[str] = DEFAULT_BASE_URL
    default_include: ClassVar[tuple[str, ...]] = ("gpt-*", "o[0-9]*")

    def list_models(self, fetcher: JsonFetcher, key: str) -> list[UpstreamModel]:
        body = fetcher.get_json(
            f"{self.base_url}/models", headers={"Authorization": f"Bearer {key}"}
        )
        if not isinstance(body, dict) or body.get("object") != "list":
            raise malformed('not {"object": "list", "data": [...]}')
        data = field_of(body, "data", list, where="list")
        models = []
        for index, entry in enumerate(data):
            where = f"data[{index}]"
            model_id = field_of(entry, "id", str, where=where)
            shutdown = field_of(entry, "shutdown_date", (str, type(None)), where=where)
            models.append(
                UpstreamModel(
                    id=model_id, shutdown_at=iso_date(shutdown, where=f"{where}.shutdown_date")
                )
            )
        return models

    def describe_error(self, status: int, body: Any) -> str:
        # {"error": {"message", "type", "param", "code"}}; code or type, then the message.
        kind = error_text(body, "error", "code") or error_text(body, "error", "type")
        message = error_text(body, "error", "message")
        return ": ".join(part for part in (f"HTTP {status}", kind, message) if part)

"""The Anthropic dialect's wire shapes, for the OpenAPI document only (the dialect adds them).

Nothing serialises through these models: the bodies are built by catalog/anthropic.py and
handler/dialects/anthropic.py. They describe what those send, field for field as the anthropic SDK's
`ModelInfo` types them (with the same nullability), every key required because every key is
always sent. This module is imported when the document is first built, never on a request's
path: the deployed function imports handler/app.py at init, and a cold start pays for every
import there.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import models_json_schema

from catalog.anthropic import DEFAULT_LIMIT, MAX_LIMIT
from catalog.limits import MAX_ID_LENGTH
from catalog.schema import LIFECYCLE_STATUSES, LifecycleStatus, ModelLine
from handler.dialects.anthropic import (
    ANTHROPIC_ERROR_TYPES,
    ANTHROPIC_VERSION,
    LIFECYCLE_PARAMS,
    MAX_LIFECYCLE_VALUES,
    anthropic_error_type,
)

REF_TEMPLATE = "#/components/schemas/{model}"

_DOC_ONLY = ConfigDict(frozen=True)
# Every `error.type` an error status can get.
_ERROR_TYPES = tuple(sorted({anthropic_error_type(status) for status in range(400, 600)}))


class AnthropicCapabilitySupport(BaseModel):
    """Whether a capability is supported."""

    model_config = _DOC_ONLY

    supported: bool


class AnthropicContextManagementCapability(BaseModel):
    """Context management support and its strategies (`null`: not known here)."""

    model_config = _DOC_ONLY

    supported: bool
    clear_thinking_20251015: AnthropicCapabilitySupport | None
    clear_tool_uses_20250919: AnthropicCapabilitySupport | None
    compact_20260112: AnthropicCapabilitySupport | None


class AnthropicEffortCapability(BaseModel):
    """Effort support and its levels (`xhigh` is `null`: not known here)."""

    model_config = _DOC_ONLY

    supported: bool
    low: AnthropicCapabilitySupport
    medium: AnthropicCapabilitySupport
    high: AnthropicCapabilitySupport
    max: AnthropicCapabilitySupport
    xhigh: AnthropicCapabilitySupport | None


class AnthropicServerToolsCapability(BaseModel):
    """Web search and code execution tool support."""

    model_config = _DOC_ONLY

    supported: bool
    code_execution: AnthropicCapabilitySupport
    web_search: AnthropicCapabilitySupport


class AnthropicThinkingTypes(BaseModel):
    """Which `thinking.type` values the model accepts."""

    model_config = _DOC_ONLY

    adaptive: AnthropicCapabilitySupport
    between_tools: AnthropicCapabilitySupport
    disabled: AnthropicCapabilitySupport
    enabled: AnthropicCapabilitySupport


class AnthropicThinkingCapability(BaseModel):
    """Thinking support and the thinking types accepted."""

    model_config = _DOC_ONLY

    supported: bool
    types: AnthropicThinkingTypes


class AnthropicModelCapabilities(BaseModel):
    """Anthropic's `capabilities`, mapped from the catalog's (README, "Anthropic clients"):
    `image_input` is `vision`, `pdf_input` a `pdf` input modality, `structured_outputs` and
    `thinking.supported` (`reasoning`) ours; what the catalog does not track is unsupported."""

    model_config = _DOC_ONLY

    batch: AnthropicCapabilitySupport
    citations: AnthropicCapabilitySupport
    code_execution: AnthropicCapabilitySupport
    context_management: AnthropicContextManagementCapability
    effort: AnthropicEffortCapability
    image_input: AnthropicCapabilitySupport
    pdf_input: AnthropicCapabilitySupport
    server_tools: AnthropicServerToolsCapability
    structured_outputs: AnthropicCapabilitySupport
    thinking: AnthropicThinkingCapability


class AnthropicModelInfo(BaseModel):
    """A model as Anthropic's Models API describes one (`anthropic.types.ModelInfo`): the
    body of a retrieve with `anthropic-version`, and an item of its list."""

    model_config = _DOC_ONLY

    type: Literal["model"]
    id: str
    display_name: str = Field(description="The catalog's `display_name`, or else the id.")
    created_at: datetime = Field(description="The catalog's `created`, RFC 3339 (UTC).")
    lifecycle: LifecycleStatus = Field(description="The model's lifecycle status now.")
    deprecated_at: datetime | None = Field(
        description="The catalog's `lifecycle.deprecated_at` (00:00 UTC); `null` while the "
        "model is active, or when the date is not known."
    )
    retires_at: datetime | None = Field(
        description="The catalog's `lifecycle.shutdown_at` (00:00 UTC); `null` while the "
        "model is active, or when the date is not known."
    )
    line: ModelLine | None = Field(
        description="The catalog's `line` (a Claude model line), or `null`."
    )
    max_input_tokens: int | None = Field(description="The catalog's `context_length`.")
    max_tokens: int | None = Field(description="The catalog's `max_output_tokens`, or `null`.")
    capabilities: AnthropicModelCapabilities | None


class AnthropicModelPage(BaseModel):
    """A page of Anthropic's list (`anthropic.pagination.SyncPage[ModelInfo]`): newest first;
    `first_id` and `last_id` are the cursors for `before_id` and `after_id` (`null` on an
    empty page)."""

    model_config = _DOC_ONLY

    data: list[AnthropicModelInfo]
    has_more: bool = Field(description="Whether models remain beyond this page, that way.")
    first_id: str | None
    last_id: str | None


class AnthropicErrorDetail(BaseModel):
    model_config = _DOC_ONLY

    type: str = Field(
        description="By status, as Anthropic does: "
        + ", ".join(f"{status} `{kind}`" for status, kind in ANTHROPIC_ERROR_TYPES.items())
        + ".",
        json_schema_extra={"enum": [*_ERROR_TYPES]},
    )
    message: str


class AnthropicError(BaseModel):
    """The body of every error answer (4xx, 5xx) to a request with `anthropic-version`."""

    model_config = _DOC_ONLY

    type: Literal["error"]
    error: AnthropicErrorDetail
    request_id: str | None = Field(description="The same id as the `request-id` header.")


def component_schemas() -> dict[str, Any]:
    """The JSON Schemas of these models (and of the models they nest), by name, with their
    references into the OpenAPI document's components."""
    _, top = models_json_schema(
        [
            (AnthropicModelInfo, "serialization"),
            (AnthropicModelPage, "serialization"),
            (AnthropicError, "serialization"),
        ],
        ref_template=REF_TEMPLATE,
    )
    schemas: dict[str, Any] = top["$defs"]
    return schemas


def version_header() -> dict[str, Any]:
    """The `anthropic-version` header parameter of the /v1 operations."""
    return {
        "name": ANTHROPIC_VERSION,
        "in": "header",
        "required": False,
        "description": "Its presence (any value) selects the Anthropic dialect: Anthropic's "
        "bodies (ModelInfo, pages), error shape and `request-id` header. Without it, the "
        "OpenAI dialect.",
        "schema": {"type": "string"},
        "examples": {"anthropic": {"value": "2023-06-01"}},
    }


_ONLY_ANTHROPIC = " Applies only with the `anthropic-version` header; ignored without it."


def list_parameters() -> list[dict[str, Any]]:
    """The Anthropic list's own query parameters (handler/dialects/anthropic.py)."""
    lifecycle_schema = {
        "type": "array",
        "items": {"type": "string", "enum": list(LIFECYCLE_STATUSES)},
        "maxItems": MAX_LIFECYCLE_VALUES,
    }
    lifecycle_description = (
        "Only models with these lifecycle statuses; repeat it, as `lifecycle` or as "
        f"`lifecycle[]` (Anthropic's SDKs), at most {MAX_LIFECYCLE_VALUES} values in all. "
        "Without it: active and deprecated models. With `status` too: the models both allow."
    )
    cursor = {"type": "string", "minLength": 1, "maxLength": MAX_ID_LENGTH}
    return [
        _query(
            "limit",
            f"Models per page, 1 to {MAX_LIMIT}.",
            {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
        ),
        _query(
            "after_id",
            "The page after this model (a page's `last_id`): the id of any model of the "
            "catalog, even one the filters leave out; another value is a 400. With "
            "`before_id` too: the page between the two.",
            cursor,
        ),
        _query(
            "before_id",
            "The page before this model (a page's `first_id`), as `after_id`. With `after_id` "
            "too: the page between the two.",
            cursor,
        ),
        *(_query(name, lifecycle_description, lifecycle_schema) for name in LIFECYCLE_PARAMS),
    ]


def _query(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description + _ONLY_ANTHROPIC,
        "schema": dict(schema),
    }

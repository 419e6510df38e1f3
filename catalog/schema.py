"""The wire contract of /v1/models, typed: what a client receives is exactly these shapes."""

from __future__ import annotations

import json
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PositiveInt, ValidationError, field_validator

from catalog.errors import InvalidCatalog

# Ids are what routers and SDKs put in URLs: `/`, `:`, `.`, `@` are allowed (provider prefixes,
# version tags), `%` and whitespace are not, so a percent-decoded path can never be ambiguous.
MODEL_ID_PATTERN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._:@/+-]{0,126}[A-Za-z0-9._:@+-])?$")


class Capabilities(BaseModel):
    """What a model can do. Every field is a filter value of `?capability=`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    vision: bool
    function_calling: bool


CapabilityName = Literal["vision", "function_calling"]
CAPABILITY_NAMES: tuple[str, ...] = tuple(Capabilities.model_fields)


class Model(BaseModel):
    """One model as the API serves it. Extra curated fields are kept and served as they are."""

    model_config = ConfigDict(extra="allow", frozen=True)

    id: str = Field(examples=["gpt-4o"])
    object: Literal["model"] = "model"
    created: int = Field(ge=0, description="Public release time of the model, epoch seconds.")
    owned_by: str = Field(min_length=1, examples=["openai"])
    context_length: PositiveInt = Field(examples=[128000])
    capabilities: Capabilities

    @field_validator("id")
    @classmethod
    def _check_id(cls, value: str) -> str:
        if not MODEL_ID_PATTERN.fullmatch(value) or "//" in value:
            raise ValueError(
                "must be 1-128 characters of letters, digits and . _ : @ / + -, "
                "starting with a letter or digit and not ending with '/'"
            )
        return value

    def to_wire(self) -> dict[str, Any]:
        """The JSON object a client receives."""
        return self.model_dump(mode="json")


class ModelList(BaseModel):
    """The body of GET /v1/models."""

    object: Literal["list"] = "list"
    data: list[Model]


def parse_catalog_json(raw: bytes, *, origin: str) -> list[Model]:
    """Decode and validate a catalog document read from `origin` (a path or a URL, for messages).

    The one way a catalog file becomes models: the bundled file, a sync source, `validate`.
    """
    try:
        document = json.loads(raw)
    except (UnicodeDecodeError, ValueError) as exc:
        raise InvalidCatalog([f"{origin} is not valid JSON: {exc}"]) from exc
    return parse_catalog(document)


def parse_catalog(document: Any) -> list[Model]:
    """Validate a whole catalog document, collecting every problem before failing."""
    if not isinstance(document, dict) or not isinstance(document.get("data"), list):
        raise InvalidCatalog(['catalog must be a JSON object {"object": "list", "data": [...]}'])
    problems: list[str] = []
    if document.get("object", "list") != "list":
        problems.append("'object' must be \"list\"")
    models: list[Model] = []
    seen: set[str] = set()
    for index, entry in enumerate(document["data"]):
        label = f"data[{index}]"
        if isinstance(entry, dict) and isinstance(entry.get("id"), str):
            label += f" ({entry['id']})"
        try:
            model = Model.model_validate(entry)
        except ValidationError as exc:
            problems.extend(_describe(label, exc))
            continue
        if model.id in seen:
            problems.append(f"{label}: duplicate id '{model.id}'")
            continue
        seen.add(model.id)
        models.append(model)
    if problems:
        raise InvalidCatalog(problems)
    return models


def _describe(label: str, exc: ValidationError) -> list[str]:
    return [
        f"{label}.{'.'.join(str(part) for part in error['loc'])}: {error['msg']}"
        if error["loc"]
        else f"{label}: {error['msg']}"
        for error in exc.errors(include_url=False)
    ]

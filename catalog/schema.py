"""The wire contract of /v1/models, typed: what a client receives is exactly these shapes.

It is also the sync's contract: a document `parse_catalog_json` (catalog/document.py) accepts is
one the sync can write and the API can serve, within the bounds of catalog/limits.py. The fields
are typed here; what pydantic cannot say about the rest of a model (its extra fields) is checked
by catalog/json_values.py, from Model's own validator.
"""

from __future__ import annotations

import math
from datetime import date
from itertools import pairwise
from typing import Annotated, Any, Literal, NoReturn, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    PlainValidator,
    StrictBool,
    StrictInt,
    ValidationError,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails

from catalog.json_values import check_extras
from catalog.limits import (
    ISO_DATE_PATTERN,
    MAX_ALIASES,
    MAX_CONTEXT_LENGTH,
    MAX_CREATED,
    MAX_DEPTH,
    MAX_DISPLAY_NAME_LENGTH,
    MAX_EXTRA_FIELDS,
    MAX_EXTRA_KEY_LENGTH,
    MAX_ID_LENGTH,
    MAX_MODEL_BYTES,
    MAX_OWNED_BY_LENGTH,
    MAX_PRICING_SCHEDULE,
    MAX_PRICING_TIERS,
    MAX_PROBLEMS_PER_MODEL,
    MAX_SAFE_INTEGER,
    MAX_STRING_LENGTH,
    MODEL_ID_PATTERN,
    OWNED_BY_PATTERN,
    YEAR_MONTH_PATTERN,
)
from catalog.measure import over_model_cap, raw_size, served_bound
from catalog.problems import printable, problem_at


def _absent_not_null(schema: dict[str, Any]) -> None:
    """An optional field is absent when unknown, never `null`: its JSON schema (and so
    /openapi.json) states only the value's type, with no default."""
    schema.pop("default", None)
    choices = schema.get("anyOf")
    if choices:
        values = [choice for choice in choices if choice != {"type": "null"}]
        if len(values) == 1 < len(choices):
            del schema["anyOf"]
            schema.update(values[0])


def _optional(**constraints: Any) -> Any:
    """An optional field: absent from the document and from the wire when unknown."""
    return Field(default=None, json_schema_extra=_absent_not_null, **constraints)


def _refuse_null(value: Any) -> Any:
    """`null` is no value: an unknown field is left out of the document, not set to null."""
    if value is None:
        raise ValueError("null is not allowed: leave the field out when it is unknown")
    return value


class _Part(BaseModel):
    """A typed part of a model: closed (no extra keys), frozen, strict JSON types."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    def to_wire(self) -> dict[str, Any]:
        """The JSON object a client receives: unknown (absent) fields left out."""
        return self.model_dump(mode="json", exclude_none=True)


class Capabilities(_Part):
    """What a model can do. Every field is a filter value of `?capability=`.

    The seed's two flags are required; the others are absent when unknown.
    """

    vision: StrictBool
    function_calling: StrictBool
    structured_outputs: StrictBool | None = _optional(
        description="Output constrained to a JSON schema the request gives. Absent: unknown."
    )
    reasoning: StrictBool | None = _optional(
        description="Thinks before answering (a reasoning model). Absent: unknown."
    )
    prompt_caching: StrictBool | None = _optional(
        description="Reuses a cached prompt prefix at a lower price. Absent: unknown."
    )

    _no_null = field_validator("structured_outputs", "reasoning", "prompt_caching", mode="before")(
        _refuse_null
    )


CapabilityName = Literal[
    "vision", "function_calling", "structured_outputs", "reasoning", "prompt_caching"
]
CAPABILITY_NAMES: tuple[str, ...] = tuple(Capabilities.model_fields)

Modality = Literal["text", "image", "pdf", "audio", "video"]
MODALITIES: tuple[str, ...] = ("text", "image", "pdf", "audio", "video")


def _distinct(values: list[Any]) -> list[Any]:
    repeated = sorted({str(value) for value in values if values.count(value) > 1})
    if repeated:
        raise ValueError(f"listed more than once: {', '.join(repeated)}")
    return values


class Modalities(_Part):
    """What a model reads and writes."""

    input: list[Modality] = Field(min_length=1, max_length=len(MODALITIES))
    output: list[Modality] = Field(min_length=1, max_length=len(MODALITIES))

    _distinct = field_validator("input", "output")(_distinct)


def _iso_date(value: str) -> str:
    try:
        date.fromisoformat(value)
    except ValueError:
        raise ValueError("must be a calendar date, YYYY-MM-DD") from None
    return value


# USD per million tokens: finite, never negative, a JSON number every client reads exactly.
def _price(value: Any) -> int | float:
    # Exact JSON types: an integer stays an integer on the wire (2, not 2.0); no bool, no string.
    if type(value) is not int and type(value) is not float:
        raise ValueError("must be a number, USD per million tokens")
    if not math.isfinite(value):
        raise ValueError("must be a finite number (an unknown price is left out)")
    if not 0 <= value <= MAX_SAFE_INTEGER:
        raise ValueError(f"must be from 0 to {MAX_SAFE_INTEGER:,} (2**53 - 1)")
    return value


Price = Annotated[
    int | float,
    PlainValidator(_price),
    WithJsonSchema({"type": "number", "minimum": 0, "maximum": MAX_SAFE_INTEGER}),
]


_PRICE_FIELDS = (
    "input_per_mtok",
    "output_per_mtok",
    "cached_input_per_mtok",
    "cache_write_per_mtok",
    "cache_write_1h_per_mtok",
)


class PriceSet(_Part):
    """Prices in USD per million tokens (the unit is in each name). An unknown price is
    absent, never a sentinel."""

    input_per_mtok: Price | None = _optional(description="Input tokens, USD per million.")
    output_per_mtok: Price | None = _optional(description="Output tokens, USD per million.")
    cached_input_per_mtok: Price | None = _optional(
        description="Input tokens read from the prompt cache, USD per million."
    )
    cache_write_per_mtok: Price | None = _optional(
        description="Input tokens written to the prompt cache, USD per million (Anthropic: the "
        "5-minute cache)."
    )
    cache_write_1h_per_mtok: Price | None = _optional(
        description="Input tokens written to the 1-hour prompt cache, USD per million."
    )

    _no_null = field_validator(*_PRICE_FIELDS, mode="before")(_refuse_null)


class PricingTier(PriceSet):
    """The prices of a request whose input is over `above_input_tokens` tokens: they apply to
    the whole request (every input, output and cache token of it), as the providers bill."""

    above_input_tokens: Annotated[StrictInt, Field(ge=1, le=MAX_CONTEXT_LENGTH)] = Field(
        description="Applies to a request whose input exceeds this many tokens.",
        examples=[272000],
    )


PricingTiers = Annotated[list[PricingTier], Field(min_length=1, max_length=MAX_PRICING_TIERS)]


class Pricing(PriceSet):
    """The prices of a model: the base price set, and the tiers above a prompt size."""

    tiers: PricingTiers | None = _optional(
        description="Price sets for larger requests, sorted by `above_input_tokens` "
        "(strictly increasing). A request is billed at the last tier whose "
        "`above_input_tokens` its input exceeds, or at the base prices if none: the whole "
        "request, not only the tokens past the threshold."
    )

    _no_null_tiers = field_validator("tiers", mode="before")(_refuse_null)

    @field_validator("tiers")
    @classmethod
    def _increasing(cls, tiers: list[PricingTier] | None) -> list[PricingTier] | None:
        for before, after in pairwise(tiers or ()):
            if after.above_input_tokens <= before.above_input_tokens:
                raise ValueError(
                    "must be sorted by above_input_tokens, strictly increasing: "
                    f"{after.above_input_tokens:,} follows {before.above_input_tokens:,}"
                )
        return tiers


class ScheduledPricing(_Part):
    """A price set that takes effect on a date (00:00 UTC) and holds until the next one."""

    effective_at: Annotated[str, Field(strict=True, pattern=ISO_DATE_PATTERN)] = Field(
        description="Date (UTC) from which `pricing` applies, YYYY-MM-DD.",
        examples=["2027-01-01"],
    )
    pricing: Pricing

    _date = field_validator("effective_at")(_iso_date)


LifecycleStatus = Literal["active", "deprecated", "retired"]
# In the order a model goes through them: the later one wins.
LIFECYCLE_STATUSES: tuple[LifecycleStatus, ...] = ("active", "deprecated", "retired")

# Anthropic's model lines, as its SDK types `ModelInfo.line` (anthropic 2.14.0, `ModelLine`): a
# catalog naming another one is refused at publication, not served to fail a strict client.
ModelLine = Literal["haiku", "sonnet", "opus", "fable", "mythos"]
MODEL_LINES: tuple[str, ...] = ("haiku", "sonnet", "opus", "fable", "mythos")


def _model_id(value: str) -> str:
    if not MODEL_ID_PATTERN.fullmatch(value):
        raise ValueError(
            f"must be 1-{MAX_ID_LENGTH} characters of letters, digits and . _ : @ / + -, "
            "starting with a letter or digit, without '//', not ending with '/' and without a "
            "'.' or '..' path segment"
        )
    return value


# An id as `id` is one, for the fields that name models (`aliases`, `lifecycle.successor`).
ModelId = Annotated[
    str,
    Field(
        strict=True,
        min_length=1,
        max_length=MAX_ID_LENGTH,
        json_schema_extra={"pattern": MODEL_ID_PATTERN.pattern},
    ),
    AfterValidator(_model_id),
]


class Lifecycle(_Part):
    """When the provider deprecates and shuts the model down, and what replaces it.

    The document holds the dates; `status` served is derived from them at the moment of the
    answer (catalog/lifecycle.py): `retired` from `shutdown_at`, `deprecated` from
    `deprecated_at` (00:00 UTC), else `active`; a status the curator states counts as a floor.
    """

    status: LifecycleStatus | None = _optional(
        description="Served: always present, derived at answer time from the dates and the "
        "curator's stated status (the later of the two; active < deprecated < retired). In a "
        "catalog document: optional, the curator's status for a model with no dates."
    )
    deprecated_at: Annotated[str, Field(pattern=ISO_DATE_PATTERN)] | None = _optional(
        description="Date (UTC) from which the model is deprecated, YYYY-MM-DD.",
        examples=["2026-10-14"],
    )
    shutdown_at: Annotated[str, Field(pattern=ISO_DATE_PATTERN)] | None = _optional(
        description="Date (UTC) from which the provider no longer serves it, YYYY-MM-DD.",
        examples=["2027-01-14"],
    )
    successor: ModelId | None = _optional(
        description="The id of the model that replaces it (not necessarily in this catalog)."
    )

    _no_null = field_validator(
        "status", "deprecated_at", "shutdown_at", "successor", mode="before"
    )(_refuse_null)
    _dates = field_validator("deprecated_at", "shutdown_at")(_iso_date)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if (
            self.deprecated_at is not None
            and self.shutdown_at is not None
            and self.shutdown_at < self.deprecated_at
        ):
            raise ValueError(
                f"shutdown_at {self.shutdown_at} is before deprecated_at {self.deprecated_at}"
            )
        return self


def _document_extras(schema: dict[str, Any]) -> None:
    """What the JSON schema cannot say as keywords about extra fields, said from the caps."""
    schema["maxProperties"] = len(schema.get("properties", {})) + MAX_EXTRA_FIELDS
    schema["description"] = (
        f"{schema.get('description', '')}\n\nAt most {MAX_EXTRA_FIELDS} extra fields, named in "
        f"1-{MAX_EXTRA_KEY_LENGTH} characters, each any JSON value: strings of at most "
        f"{MAX_STRING_LENGTH:,} characters, integers within +-(2**53 - 1), finite numbers, "
        f"nested at most {MAX_DEPTH} levels deep (the model being level 1). "
        f"One model is at most {MAX_MODEL_BYTES:,} bytes as served."
    )


class Model(BaseModel):
    """One model as the API serves it. Extra curated fields are kept and served as they are."""

    model_config = ConfigDict(
        extra="allow",
        frozen=True,
        # A non-finite float must never be turned into `null` on its way out: keep it, so
        # `wire_json` refuses it (the snapshot then skips the model) instead of serving a lie.
        ser_json_inf_nan="constants",
        json_schema_extra=_document_extras,
    )

    id: str = Field(
        strict=True,
        min_length=1,
        max_length=MAX_ID_LENGTH,
        examples=["gpt-4o"],
        json_schema_extra={"pattern": MODEL_ID_PATTERN.pattern},
    )
    object: Literal["model"] = "model"
    created: Annotated[
        StrictInt,
        Field(
            ge=0,
            le=MAX_CREATED,
            description="Public release time of the model, epoch seconds (at the latest "
            "9999-12-31T23:59:59Z, which RFC 3339 can still write).",
        ),
    ]
    owned_by: str = Field(
        strict=True,
        min_length=1,
        max_length=MAX_OWNED_BY_LENGTH,
        pattern=OWNED_BY_PATTERN,
        examples=["openai"],
    )
    context_length: Annotated[StrictInt, Field(ge=1, le=MAX_CONTEXT_LENGTH, examples=[128000])]
    capabilities: Capabilities
    display_name: (
        Annotated[str, Field(strict=True, min_length=1, max_length=MAX_DISPLAY_NAME_LENGTH)] | None
    ) = _optional(
        description="The provider's name for the model.",
        examples=["GPT-4o"],
    )
    max_output_tokens: Annotated[StrictInt, Field(ge=1, le=MAX_CONTEXT_LENGTH)] | None = _optional(
        description="The most tokens one response may hold; at most `context_length`.",
        examples=[16384],
    )
    modalities: Modalities | None = _optional()
    pricing: Pricing | None = _optional(
        description="Served: the price set in effect at the moment of the answer (the latest "
        "`pricing_schedule` entry whose date has come, else the document's `pricing`). In a "
        "catalog document: the prices before the first `pricing_schedule` entry."
    )
    pricing_schedule: (
        Annotated[list[ScheduledPricing], Field(min_length=1, max_length=MAX_PRICING_SCHEDULE)]
        | None
    ) = _optional(
        description="Price sets that take effect on dates (00:00 UTC), `effective_at` strictly "
        "increasing. Served: only the entries still to come (absent when none); `pricing` "
        "switches to an entry at its date, with no sync and no redeploy."
    )
    knowledge_cutoff: Annotated[str, Field(strict=True, pattern=YEAR_MONTH_PATTERN)] | None = (
        _optional(
            description="Month of the model's training data cutoff, YYYY-MM.",
            examples=["2023-10"],
        )
    )
    line: ModelLine | None = _optional(
        description="The Claude model line the provider places it in (Anthropic's `line`: "
        "one of haiku, sonnet, opus, fable, mythos). Absent when the provider names none: "
        "never inferred from the id.",
        examples=["sonnet"],
    )
    aliases: Annotated[list[ModelId], Field(max_length=MAX_ALIASES)] | None = _optional(
        description="Other ids naming this model (same syntax as `id`), unique across every id "
        "and alias of the catalog; GET /v1/models/{alias} answers this model.",
    )
    lifecycle: Lifecycle | None = _optional()
    shutdown_date: Annotated[str, Field(strict=True, pattern=ISO_DATE_PATTERN)] | None = _optional(
        description="OpenAI's field (`Model.shutdown_date` in its SDKs): the date the model "
        "shuts down, YYYY-MM-DD, when one is known; the same as `lifecycle.shutdown_at`. Served "
        "in the OpenAI dialect only; derived, so a catalog document leaves it out.",
        examples=["2027-01-14"],
    )

    _check_id = field_validator("id")(_model_id)
    _no_null = field_validator(
        "display_name",
        "max_output_tokens",
        "modalities",
        "pricing",
        "pricing_schedule",
        "knowledge_cutoff",
        "line",
        "aliases",
        "lifecycle",
        "shutdown_date",
        mode="before",
    )(_refuse_null)

    _distinct_aliases = field_validator("aliases")(_distinct)

    @model_validator(mode="wrap")
    @classmethod
    def _check_json(cls, data: Any, handler: ModelWrapValidatorHandler[Self]) -> Self:
        """Bound the whole document, extra fields included, and report every problem at once.

        The schema's fields are typed (and strict) above; what pydantic cannot say about the
        rest (sizes, depth, numbers, UTF-8 of extra fields) is checked here, on the raw input,
        before any of it is kept.
        """
        if not isinstance(data, dict):
            return handler(data)
        problems: list[InitErrorDetails] = []
        schema_input = data
        extras = [key for key in data if key not in _SCHEMA_FIELDS]
        if extras:
            # Without extra fields a valid model is a few hundred bytes: no need to measure.
            size = raw_size(data)
            if size is None:
                _raise(cls, [problem_at((), f"nested deeper than {MAX_DEPTH} levels")])
            size = served_bound(size, data.get("lifecycle"))  # derived at answer time
            if over_model_cap(size):
                problems.append(problem_at((), _oversized(data, size)))
            check_extras(data, extras, problems)
            if problems:
                # The schema's fields are still checked, without the extras: pydantic would
                # only repeat, less clearly, what is said about their names.
                schema_input = {key: data[key] for key in data if key in _SCHEMA_FIELDS}
        capabilities = data.get("capabilities")
        if isinstance(capabilities, dict) and not capabilities.keys() <= set(CAPABILITY_NAMES):
            # Each unknown key would be a problem of its own: a hostile input must not cost
            # a million of them. Say it once, and check the known ones.
            unknown = [key for key in capabilities if key not in CAPABILITY_NAMES]
            named = ", ".join(f"'{printable(str(key))}'" for key in unknown[:_NAMED_UNKNOWN])
            more = len(unknown) - _NAMED_UNKNOWN
            problems.append(
                problem_at(
                    ("capabilities",),
                    f"{len(unknown):,} unknown field(s): {named}"
                    + (f" and {more:,} more" if more > 0 else "")
                    + f"; only {', '.join(CAPABILITY_NAMES)}",
                )
            )
            known = {key: capabilities[key] for key in CAPABILITY_NAMES if key in capabilities}
            schema_input = {**schema_input, "capabilities": known}
        try:
            model = handler(schema_input)
        except ValidationError as exc:
            schema_problems = [
                problem_at(error["loc"], _explained(error["loc"], error["msg"]))
                for error in exc.errors(include_url=False)
            ]
            _raise(cls, [*schema_problems, *problems])
        problems.extend(_model_problems(model))
        if problems:
            _raise(cls, problems)
        return model

    def to_wire(self) -> dict[str, Any]:
        """The JSON object of the catalog document: unknown (absent) optional fields left out.

        What a client receives is this with `lifecycle.status` derived at answer time
        (catalog/lifecycle.py, `served_wire`).
        """
        wire = self.model_dump(mode="json")
        for name in _OPTIONAL_FIELDS:
            if wire.get(name, 0) is None:
                del wire[name]
        # Derived from lifecycle.shutdown_at: served (catalog/served.py), never stored.
        wire.pop("shutdown_date", None)
        if self.pricing_schedule is not None:
            wire["pricing_schedule"] = [entry.to_wire() for entry in self.pricing_schedule]
        for name, part in (
            ("capabilities", self.capabilities),
            ("modalities", self.modalities),
            ("pricing", self.pricing),
            ("lifecycle", self.lifecycle),
        ):
            if part is not None:
                wire[name] = part.to_wire()
        return wire

    def names(self) -> tuple[str, ...]:
        """Every id this model answers to: its own, then its aliases."""
        return (self.id, *(self.aliases or ()))


def _model_problems(model: Model) -> list[InitErrorDetails]:
    """What involves several fields of one model."""
    problems: list[InitErrorDetails] = []
    if model.max_output_tokens is not None and model.max_output_tokens > model.context_length:
        problems.append(
            problem_at(
                ("max_output_tokens",),
                f"{model.max_output_tokens:,} is over context_length ({model.context_length:,})",
            )
        )
    if model.aliases and model.id in model.aliases:
        problems.append(
            problem_at(("aliases",), f"repeats the model's own id '{printable(model.id)}'")
        )
    shutdown_at = model.lifecycle.shutdown_at if model.lifecycle else None
    if model.shutdown_date is not None and model.shutdown_date != shutdown_at:
        problems.append(
            problem_at(
                ("shutdown_date",),
                "is derived from lifecycle.shutdown_at, and differs from it: leave it out and "
                "set lifecycle.shutdown_at",
            )
        )
    schedule = model.pricing_schedule or ()
    for index, (before, after) in enumerate(pairwise(schedule), start=1):
        if after.effective_at <= before.effective_at:
            problems.append(
                problem_at(
                    ("pricing_schedule", index, "effective_at"),
                    f"{after.effective_at} is not after {before.effective_at}: dates must be "
                    "strictly increasing",
                )
            )
    successor = model.lifecycle.successor if model.lifecycle else None
    if successor is not None and successor in model.names():
        problems.append(
            problem_at(("lifecycle", "successor"), "names the model itself, not its replacement")
        )
    return problems


# The schema's own fields; any other key of a model is an extra curated field.
_SCHEMA_FIELDS = frozenset(Model.model_fields)
# The schema's optional fields: absent from the wire when unknown, never `null`.
_OPTIONAL_FIELDS = tuple(
    name for name, info in Model.model_fields.items() if not info.is_required() and name != "object"
)


class ModelList(BaseModel):
    """The body of GET /v1/models."""

    object: Literal["list"] = "list"
    data: list[Model]


# -- helpers ----------------------------------------------------------------------------------


# Unknown keys of `capabilities` named in its one problem (the rest counted).
_NAMED_UNKNOWN = 3
# What a field's value is, said beside pydantic's words for the problem where they alone would
# not tell a curator what to write.
_FIELD_HINTS = {
    "created": "the public release time in epoch seconds, an integer such as 1721260800",
}


def _explained(loc: tuple[int | str, ...], message: str) -> str:
    hint = _FIELD_HINTS.get(str(loc[0])) if len(loc) == 1 else None
    return message if hint is None else f"{message}: `{loc[0]}` is {hint}"


def _oversized(data: dict[Any, Any], size: int) -> str:
    message = f"{size:,} bytes as served, over the cap of {MAX_MODEL_BYTES:,} for one model"
    if len(data) > len(_SCHEMA_FIELDS) + MAX_EXTRA_FIELDS:
        return message
    sizes: dict[str, int] = {}
    for key, value in data.items():
        field_size = raw_size({"": value})
        if isinstance(key, str) and field_size is not None:
            sizes[key] = field_size
    if not sizes:
        return message
    largest = max(sizes, key=lambda key: sizes[key])
    return f"{message} (largest field: '{printable(largest)}', {sizes[largest]:,} bytes)"


def _raise(cls: type[Model], problems: list[InitErrorDetails]) -> NoReturn:
    shown = problems[:MAX_PROBLEMS_PER_MODEL]
    if len(problems) > len(shown):
        shown.append(problem_at((), "more problems in this model, not listed"))
    raise ValidationError.from_exception_data(cls.__name__, shown)

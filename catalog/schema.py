"""The wire contract of /v1/models, typed: what a client receives is exactly these shapes.

It is also the sync's contract: a document `parse_catalog_json` accepts is one the sync can write
and the API can serve. Hence the bounds below, each stated once here (README quotes them):

- JSON interop: integers within +-(2**53 - 1) (what every JSON parser, JavaScript's included,
  reads exactly), floats finite (no NaN, no Infinity: neither is JSON), strings valid UTF-8
  (no lone surrogate, in values or keys), and strict JSON types: no bool where an integer is
  expected, no string for a number or a bool.
- Sizes: the list body GET /v1/models sends stays well inside Lambda's 6 MB response limit, one
  model is small, and every string, extra field and level of nesting is bounded, so no catalog
  can make the API slow to read or impossible to answer.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Collection, Sequence
from datetime import date
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
from pydantic_core import InitErrorDetails, PydanticCustomError

from catalog.errors import InvalidCatalog

# -- the caps ---------------------------------------------------------------------------------

# Models in one catalog. Today's catalog has a few dozen; this leaves two orders of magnitude.
MAX_MODELS = 10_000
# GET /v1/models as sent (compact JSON, UTF-8): well inside Lambda's 6 MB response limit, with
# room for the API Gateway envelope and headers.
MAX_LIST_BYTES = 4 * 2**20
# One model's wire object, serialised the same way (GET /v1/models/{id}).
MAX_MODEL_BYTES = 64 * 2**10
# A catalog document before parsing: twice the list cap, so a pretty-printed document whose
# compact form is near MAX_LIST_BYTES still reads; anything larger is refused unparsed.
MAX_DOCUMENT_BYTES = 8 * 2**20
MAX_ID_LENGTH = 128
MAX_OWNED_BY_LENGTH = 64
# Any other string anywhere in a model (extra fields, their nested values and keys).
MAX_STRING_LENGTH = 4_096
# Levels of JSON containers in one model, the model object itself being level 1
# (`capabilities` is level 2; an extra field {"pricing": {"tiers": [...]}} reaches level 3).
MAX_DEPTH = 8
# Curated fields beyond the schema's, per model, and the length of their names.
MAX_EXTRA_FIELDS = 32
MAX_EXTRA_KEY_LENGTH = 64
# A model's other names (`aliases`) and its provider's name for it (`display_name`).
MAX_ALIASES = 32
MAX_DISPLAY_NAME_LENGTH = 128
# The largest integer every JSON parser reads exactly (JavaScript's Number.MAX_SAFE_INTEGER).
MAX_SAFE_INTEGER = 2**53 - 1
# The largest context window today is ~10M tokens; 100M leaves 10x headroom and still catches
# the typo of a few extra zeros, which 2**53 - 1 would let through.
MAX_CONTEXT_LENGTH = 100_000_000
# Problems listed for one model, and for a whole document: enough to fix a catalog in one pass,
# bounded so a hostile document cannot turn its list of problems into hundreds of MB.
MAX_PROBLEMS_PER_MODEL = 20
MAX_PROBLEMS = 1_000

# -- syntax -----------------------------------------------------------------------------------

# Ids are what routers and SDKs put in URLs: `/`, `:`, `.`, `@` are allowed (provider prefixes,
# version tags), `%` and whitespace are not, so a percent-decoded path can never be ambiguous.
# Valid both as a Python and as an ECMA-262 (OpenAPI) regular expression.
MODEL_ID_PATTERN = re.compile(
    r"^(?!.*//)[A-Za-z0-9](?:[A-Za-z0-9._:@/+-]{0,"
    + str(MAX_ID_LENGTH - 2)
    + r"}[A-Za-z0-9._:@+-])?$"
)
# A provider is a filter value (`?owned_by=`) and a metric dimension: a short, safe token.
OWNED_BY_PATTERN = r"^[A-Za-z0-9._-]+$"


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


class Pricing(_Part):
    """Prices in USD per million tokens (the unit is in each name). An unknown price is
    absent, never a sentinel."""

    input_per_mtok: Price | None = _optional(description="Input tokens, USD per million.")
    output_per_mtok: Price | None = _optional(description="Output tokens, USD per million.")
    cached_input_per_mtok: Price | None = _optional(
        description="Input tokens read from the prompt cache, USD per million."
    )
    cache_write_per_mtok: Price | None = _optional(
        description="Input tokens written to the prompt cache, USD per million."
    )

    _no_null = field_validator(
        "input_per_mtok",
        "output_per_mtok",
        "cached_input_per_mtok",
        "cache_write_per_mtok",
        mode="before",
    )(_refuse_null)


LifecycleStatus = Literal["active", "deprecated", "retired"]
# In the order a model goes through them: the later one wins.
LIFECYCLE_STATUSES: tuple[LifecycleStatus, ...] = ("active", "deprecated", "retired")

ISO_DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
YEAR_MONTH_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
# Anthropic's model lines, as its SDK types `ModelInfo.line` (anthropic 2.14.0, `ModelLine`): a
# catalog naming another one is refused at publication, not served to fail a strict client.
ModelLine = Literal["haiku", "sonnet", "opus", "fable", "mythos"]
MODEL_LINES: tuple[str, ...] = ("haiku", "sonnet", "opus", "fable", "mythos")


def _iso_date(value: str) -> str:
    try:
        date.fromisoformat(value)
    except ValueError:
        raise ValueError("must be a calendar date, YYYY-MM-DD") from None
    return value


def _model_id(value: str) -> str:
    if not MODEL_ID_PATTERN.fullmatch(value):
        raise ValueError(
            f"must be 1-{MAX_ID_LENGTH} characters of letters, digits and . _ : @ / + -, "
            "starting with a letter or digit, without '//' and not ending with '/'"
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
            le=MAX_SAFE_INTEGER,
            description="Public release time of the model, epoch seconds.",
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
    pricing: Pricing | None = _optional()
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

    _check_id = field_validator("id")(_model_id)
    _no_null = field_validator(
        "display_name",
        "max_output_tokens",
        "modalities",
        "pricing",
        "knowledge_cutoff",
        "line",
        "aliases",
        "lifecycle",
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
            size = _raw_size(data)
            if size is None:
                _raise(cls, [_problem((), f"nested deeper than {MAX_DEPTH} levels")])
            lifecycle = data.get("lifecycle")
            if isinstance(lifecycle, dict) and "status" not in lifecycle:
                size += STATUS_ALLOWANCE  # served with its derived status
            if size > MAX_MODEL_BYTES:
                problems.append(_problem((), _oversized(data, size)))
            _check_extras(data, extras, problems)
            if problems:
                # The schema's fields are still checked, without the extras: pydantic would
                # only repeat, less clearly, what is said about their names.
                schema_input = {key: data[key] for key in data if key in _SCHEMA_FIELDS}
        capabilities = data.get("capabilities")
        if isinstance(capabilities, dict) and not capabilities.keys() <= set(CAPABILITY_NAMES):
            # Each unknown key would be a problem of its own: a hostile input must not cost
            # a million of them. Say it once, and check the known ones.
            unknown = len(capabilities.keys() - set(CAPABILITY_NAMES))
            problems.append(
                _problem(
                    ("capabilities",),
                    f"{unknown:,} unknown field(s); only {', '.join(CAPABILITY_NAMES)}",
                )
            )
            known = {key: capabilities[key] for key in CAPABILITY_NAMES if key in capabilities}
            schema_input = {**schema_input, "capabilities": known}
        try:
            model = handler(schema_input)
        except ValidationError as exc:
            schema_problems = [
                _problem(error["loc"], error["msg"]) for error in exc.errors(include_url=False)
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
            _problem(
                ("max_output_tokens",),
                f"{model.max_output_tokens:,} is over context_length ({model.context_length:,})",
            )
        )
    if model.aliases and model.id in model.aliases:
        problems.append(_problem(("aliases",), f"repeats the model's own id '{_shown(model.id)}'"))
    successor = model.lifecycle.successor if model.lifecycle else None
    if successor is not None and successor in model.names():
        problems.append(
            _problem(("lifecycle", "successor"), "names the model itself, not its replacement")
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


# -- serialisation as the API sends it --------------------------------------------------------


def wire_json(payload: Any) -> bytes:
    """`payload` as the API sends it: compact JSON, UTF-8, never NaN or Infinity.

    Raises ValueError (NaN, Infinity, a lone surrogate, a cycle), TypeError (not JSON) or
    RecursionError: whatever cannot be sent.
    """
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


_LIST_ENVELOPE_BYTES = len(wire_json({"object": "list", "data": []}))


def list_size(model_sizes: Collection[int]) -> int:
    """Bytes of the list body `{"object":"list","data":[...]}` of models of these wire sizes."""
    return _LIST_ENVELOPE_BYTES + sum(model_sizes) + max(len(model_sizes) - 1, 0)


# The served `lifecycle` always has a `status`, derived at answer time: a document's lifecycle
# without one is served this much longer at most (`"status":"deprecated",`).
STATUS_ALLOWANCE = len('"status":"deprecated",')


def served_size(model: Model) -> int:
    """The most bytes GET /v1/models/{id} may be for this model, whatever its status."""
    size = len(wire_json(model.to_wire()))
    if model.lifecycle is not None and model.lifecycle.status is None:
        size += STATUS_ALLOWANCE
    return size


def served_list_size(models: Sequence[Model]) -> int:
    """Bytes of GET /v1/models for these models at most (what MAX_LIST_BYTES bounds)."""
    return list_size([served_size(model) for model in models])


# -- parsing a catalog document ---------------------------------------------------------------


def parse_catalog_json(raw: bytes, *, origin: str) -> list[Model]:
    """Decode and validate a catalog document read from `origin` (a path or a URL, for messages).

    The one way a catalog file becomes models: the bundled file, a sync source, `validate`.
    Raises InvalidCatalog, and nothing else, for any input.
    """
    shown = _shown(origin, limit=200)
    if len(raw) > MAX_DOCUMENT_BYTES:
        raise InvalidCatalog(
            [f"{shown} is over {MAX_DOCUMENT_BYTES:,} bytes, the most a catalog document may be"]
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidCatalog([f"{shown} is not valid JSON: not UTF-8 ({exc})"]) from None
    try:
        document = json.loads(text, parse_constant=_non_finite, parse_int=_json_int)
    except ValueError as exc:
        raise InvalidCatalog([f"{shown} is not valid JSON: {exc}"]) from None
    except RecursionError:
        raise InvalidCatalog(
            [f"{shown} is nested too deeply (a model is at most {MAX_DEPTH} levels deep)"]
        ) from None
    return parse_catalog(document)


def parse_catalog(document: Any) -> list[Model]:
    """Validate a whole catalog document, collecting every problem before failing.

    Every model up to MAX_MODELS is checked; then the model count and the size of the list body.
    """
    if not isinstance(document, dict) or not isinstance(document.get("data"), list):
        raise InvalidCatalog(['catalog must be a JSON object {"object": "list", "data": [...]}'])
    problems = _ProblemList()
    if document.get("object", "list") != "list":
        problems.add("'object' must be \"list\"")
    for key, value in document.items():
        if key not in ("object", "data"):
            # Not served, but still JSON that other tools read: the same rules hold.
            found: list[InitErrorDetails] = []
            _check_value(value, (key,), 1, found)
            if found:
                errors = ValidationError.from_exception_data("document", found).errors()
                problems.extend(_describe("document", errors))
    entries: list[Any] = document["data"]
    models: list[Model] = []
    sizes: list[int] = []
    seen: set[str] = set()
    # Past the cap the document is refused anyway: checking millions of entries one by one
    # would only make a hostile document slow to refuse.
    for index, entry in enumerate(entries[:MAX_MODELS]):
        label = f"data[{index}]"
        if isinstance(entry, dict) and isinstance(entry.get("id"), str):
            label += f" ({_shown(entry['id'])})"
        try:
            model = Model.model_validate(entry)
        except ValidationError as exc:
            problems.extend(_describe(label, exc.errors(include_url=False)))
            continue
        if model.id in seen:
            problems.add(f"{label}: duplicate id '{model.id}'")
            continue
        seen.add(model.id)
        models.append(model)
        sizes.append(served_size(model))
    problems.extend(_name_collisions(models))
    if len(entries) > MAX_MODELS:
        problems.add(
            f"data: {len(entries):,} models, over the cap of {MAX_MODELS:,} "
            f"(entries after data[{MAX_MODELS - 1}] were not checked)"
        )
    total = list_size(sizes)
    if total > MAX_LIST_BYTES:
        problems.add(
            f"data: GET /v1/models would be {total:,} bytes, over the cap of "
            f"{MAX_LIST_BYTES:,} (Lambda answers at most 6 MB)"
        )
    if problems:
        raise InvalidCatalog(problems.listed())
    return models


def _name_collisions(models: Sequence[Model]) -> list[str]:
    """Every alias that is also an id, or an alias of another model: a name means one model."""
    owner: dict[str, str] = {model.id: model.id for model in models}
    problems: list[str] = []
    for model in models:
        for alias in model.aliases or ():
            taken = owner.setdefault(alias, model.id)
            if taken != model.id:
                what = "the id of" if alias == taken else "an alias of"
                problems.append(
                    f"{_shown(model.id)}: alias '{_shown(alias)}' is already {what} "
                    f"'{_shown(taken)}'"
                )
    return problems


# -- helpers ----------------------------------------------------------------------------------


def _non_finite(literal: str) -> float:
    """`NaN`, `Infinity`, `-Infinity`: not JSON, but Python's decoder accepts them.

    Read as floats here so the model's validation refuses them with their path, not as one
    anonymous decoding error.
    """
    return float(literal)


def _json_int(literal: str) -> int:
    """An integer literal; a huge one stands for any out-of-range value of its sign.

    Converting a 100,000-digit literal is slow (and refused by Python over 4,300 digits); its
    exact value does not matter, it is refused either way.
    """
    if len(literal) <= 20:
        return int(literal)
    return -(10**20) if literal.startswith("-") else 10**20


# Serialises as `wire_json` does, but lets NaN through: this only measures.
_MEASURE = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


def _raw_size(data: dict[Any, Any]) -> int | None:
    """The wire size of a model given as `data`, before validation; None if nested too deeply.

    For input that validates this is exactly `len(wire_json(model.to_wire()))`: the same values,
    only the order of keys differs, plus `"object":"model"` when the input leaves it out.
    Input that is not JSON at all measures 0 here and is refused by the checks that follow.
    """
    try:
        text = _MEASURE.encode(data)
    except RecursionError:
        return None
    except (TypeError, ValueError):
        return 0
    size = len(text.encode("utf-8", "surrogatepass"))
    return size if "object" in data else size + len(',"object":"model"')


def _oversized(data: dict[Any, Any], size: int) -> str:
    message = f"{size:,} bytes as served, over the cap of {MAX_MODEL_BYTES:,} for one model"
    if len(data) > len(_SCHEMA_FIELDS) + MAX_EXTRA_FIELDS:
        return message
    sizes: dict[str, int] = {}
    for key, value in data.items():
        field_size = _raw_size({"": value})
        if isinstance(key, str) and field_size is not None:
            sizes[key] = field_size
    if not sizes:
        return message
    largest = max(sizes, key=lambda key: sizes[key])
    return f"{message} (largest field: '{_shown(largest)}', {sizes[largest]:,} bytes)"


def _check_extras(
    data: dict[Any, Any], extras: list[Any], problems: list[InitErrorDetails]
) -> None:
    """The fields beyond the schema's: their number, their names and every value in them."""
    if len(extras) > MAX_EXTRA_FIELDS:
        problems.append(
            _problem((), f"{len(extras)} extra fields, over the cap of {MAX_EXTRA_FIELDS}")
        )
    for key in extras:
        if len(problems) > MAX_PROBLEMS_PER_MODEL:
            return
        if not isinstance(key, str) or not 1 <= len(key) <= MAX_EXTRA_KEY_LENGTH:
            problems.append(
                _problem(
                    (key,),
                    f"an extra field's name must be a string of 1-{MAX_EXTRA_KEY_LENGTH} "
                    "characters",
                )
            )
            continue
        if not key.isascii() and not _is_utf8(key):
            problems.append(_problem((key,), "field name is not valid UTF-8 (lone surrogate)"))
            continue
        _check_value(data[key], (key,), 1, problems)


def _check_value(
    value: Any, loc: tuple[int | str, ...], depth: int, problems: list[InitErrorDetails]
) -> None:
    """Check one JSON value at `depth` (levels of containers around it) and what it holds.

    Only the exact types JSON decodes to are JSON values here (a subclass is not). Stops once
    the model has more problems than are listed: the rest would not be shown.
    """
    if len(problems) > MAX_PROBLEMS_PER_MODEL:
        return
    kind = type(value)
    if kind is str:
        problem = _string_problem(value)
        if problem:
            problems.append(_problem(loc, problem))
    elif kind is int:
        if not -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
            problems.append(
                _problem(
                    loc, f"integer out of range: JSON integers are within +-{MAX_SAFE_INTEGER}"
                )
            )
    elif kind is float:
        if not math.isfinite(value):
            what = "NaN" if math.isnan(value) else "Infinity (or a number beyond +-1.8e308)"
            problems.append(_problem(loc, f"{what} is not a JSON number"))
    elif kind is dict or kind is list:
        if depth + 1 > MAX_DEPTH:
            problems.append(_problem(loc, f"nested deeper than {MAX_DEPTH} levels"))
        elif kind is list:
            for index, item in enumerate(value):
                _check_value(item, (*loc, index), depth + 1, problems)
        else:
            for key, item in value.items():
                if type(key) is not str:
                    problems.append(_problem((*loc, repr(key)), "key is not a string"))
                    continue
                problem = _string_problem(key)
                if problem:
                    problems.append(_problem((*loc, key), f"key: {problem}"))
                else:
                    _check_value(item, (*loc, key), depth + 1, problems)
    elif value is not None and kind is not bool:
        problems.append(_problem(loc, f"not a JSON value ({kind.__name__})"))


def _string_problem(text: str) -> str | None:
    if len(text) > MAX_STRING_LENGTH:
        return f"string of {len(text):,} characters, over the cap of {MAX_STRING_LENGTH:,}"
    if not text.isascii() and not _is_utf8(text):
        return "string is not valid UTF-8 (lone surrogate)"
    return None


def _is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _problem(loc: tuple[Any, ...], message: str) -> InitErrorDetails:
    return {
        "type": PydanticCustomError("catalog", "{problem}", {"problem": message}),
        # Shown now: pydantic would replace a lone surrogate in a key by U+FFFD.
        "loc": tuple(part if isinstance(part, int) else _shown(str(part)) for part in loc),
        "input": None,
    }


def _raise(cls: type[Model], problems: list[InitErrorDetails]) -> NoReturn:
    shown = problems[:MAX_PROBLEMS_PER_MODEL]
    if len(problems) > len(shown):
        shown.append(_problem((), "more problems in this model, not listed"))
    raise ValidationError.from_exception_data(cls.__name__, shown)


class _ProblemList:
    """Problems of a document: the first MAX_PROBLEMS kept, the rest only counted."""

    def __init__(self) -> None:
        self._kept: list[str] = []
        self._more = 0

    def __bool__(self) -> bool:
        return bool(self._kept)

    def add(self, problem: str) -> None:
        if len(self._kept) < MAX_PROBLEMS:
            self._kept.append(problem)
        else:
            self._more += 1

    def extend(self, problems: list[str]) -> None:
        for problem in problems:
            self.add(problem)

    def listed(self) -> list[str]:
        if not self._more:
            return list(self._kept)
        return [*self._kept, f"... and {self._more:,} more problem(s) not listed"]


def _describe(label: str, errors: Sequence[Any]) -> list[str]:
    described = []
    for error in errors:
        path = ".".join(_shown(str(part), limit=_SHOWN_LIMIT + 3) for part in error["loc"])
        described.append(f"{label}.{path}: {error['msg']}" if path else f"{label}: {error['msg']}")
    return described


_SHOWN_LIMIT = 64


def _shown(text: str, *, limit: int = _SHOWN_LIMIT) -> str:
    """`text` safe to print in a message: clipped, control characters and surrogates escaped."""
    clipped = text if len(text) <= limit else text[:limit] + "..."
    if clipped.isprintable():
        return clipped
    return "".join(
        char if char.isprintable() else char.encode("unicode_escape").decode("ascii")
        for char in clipped
    )

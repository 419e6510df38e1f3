"""Parsing a catalog document into models, every problem listed before failing.

Beyond each model's own checks (catalog/schema.py): the document's shape, ids and aliases unique
across models, the number of models and the size of the list body as served.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError
from pydantic_core import InitErrorDetails

from catalog.errors import InvalidCatalog
from catalog.json_values import check_value
from catalog.limits import MAX_DEPTH, MAX_DOCUMENT_BYTES, MAX_LIST_BYTES, MAX_MODELS, MAX_PROBLEMS
from catalog.problems import describe, printable
from catalog.schema import Model
from catalog.wire import list_size, served_size


def parse_catalog_json(raw: bytes, *, origin: str) -> list[Model]:
    """Decode and validate a catalog document read from `origin` (a path or a URL, for messages).

    The one way a catalog file becomes models: the bundled file, a sync source, `validate`.
    Raises InvalidCatalog, and nothing else, for any input.
    """
    shown = printable(origin, limit=200)
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
            check_value(value, (key,), 1, found)
            if found:
                errors = ValidationError.from_exception_data("document", found).errors()
                problems.extend(describe("document", errors))
    entries: list[Any] = document["data"]
    models: list[Model] = []
    sizes: list[int] = []
    seen: set[str] = set()
    # Past the cap the document is refused anyway: checking millions of entries one by one
    # would only make a hostile document slow to refuse.
    for index, entry in enumerate(entries[:MAX_MODELS]):
        label = f"data[{index}]"
        if isinstance(entry, dict) and isinstance(entry.get("id"), str):
            label += f" ({printable(entry['id'])})"
        try:
            model = Model.model_validate(entry)
        except ValidationError as exc:
            problems.extend(describe(label, exc.errors(include_url=False)))
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
                    f"{printable(model.id)}: alias '{printable(alias)}' is already {what} "
                    f"'{printable(taken)}'"
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

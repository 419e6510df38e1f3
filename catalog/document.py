"""The catalog document: its published bytes, and every way a document becomes models.

One home for reading a catalog, whoever reads it:

- strictly (`parse_catalog_json`, `parse_catalog`): a source document (the bundled file, a
  sync source, `validate`, what `export` writes) is refused whole, every problem listed.
  Beyond each model's own checks (catalog/schema.py): the document's shape, ids and aliases
  unique across models, the number of models and the size of the list body as served.
- as published (`document_of`, `verified_document`, `document_entries`): the canonical bytes
  a sync stores, named by their sha256, and the model documents read back within bounds;
  `published_entries`, those of the version a pointer names, valid or not: what the sync
  diffs against and `export` writes out; `catalog_file`, a document as a file to edit.
- leniently (`published_contents`, `valid_models`, `valid_entries`, `valid_model`): what a
  reader serves of a published version. A model that is not valid is skipped, not fatal: a
  document published by an older or newer schema must not take the whole catalog down.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from pydantic import ValidationError
from pydantic_core import InitErrorDetails

from catalog.bounded_json import entries_within
from catalog.errors import CatalogCorrupt, CatalogUnreadable, CatalogUnservable, InvalidCatalog
from catalog.json_text import pretty_json
from catalog.json_values import check_value
from catalog.limits import MAX_DEPTH, MAX_DOCUMENT_BYTES, MAX_LIST_BYTES, MAX_MODELS, MAX_PROBLEMS
from catalog.problems import TEXT_LIMIT, describe, printable
from catalog.schema import Model
from catalog.store import CatalogContents, CatalogDocument, Pointer
from catalog.wire import list_size, served_size

logger = logging.getLogger(__name__)

# What every published document starts and ends with (`document_of` writes it so): the reader
# finds the list of models between them without parsing anything (catalog.bounded_json).
DOCUMENT_PREFIX = b'{"object":"list","data":['
DOCUMENT_SUFFIX = b"]}"
# Invalid models a reader names in its one warning; the others are only counted.
REASONS_SHOWN = 3

# -- strict: a source document ----------------------------------------------------------------


def parse_catalog_json(raw: bytes, *, origin: str) -> list[Model]:
    """Decode and validate a catalog document read from `origin` (a path or a URL, for messages).

    The one way a catalog file becomes models: the bundled file, a sync source, `validate`.
    Raises InvalidCatalog, and nothing else, for any input.
    """
    shown = printable(origin, limit=TEXT_LIMIT)
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


# -- as published: the canonical bytes --------------------------------------------------------


def document_of(models: Sequence[Mapping[str, Any]]) -> CatalogDocument:
    """The document of these wire documents, in this order. Same models, same bytes."""
    data = json.dumps(list(models), separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    body = DOCUMENT_PREFIX + data[1:-1] + DOCUMENT_SUFFIX
    return CatalogDocument(body, hashlib.sha256(body).hexdigest(), len(models))


def verified_document(body: bytes, digest: str, *, count: int) -> CatalogDocument:
    """The document read back from storage, if it is the one `digest` names (`count`: the
    models the pointer says it holds). Raises CatalogCorrupt if the bytes are over the
    document cap or do not hash to `digest`."""
    if len(body) > MAX_DOCUMENT_BYTES:
        raise CatalogCorrupt(
            f"catalog document {digest[:12]} is over {MAX_DOCUMENT_BYTES:,} bytes: refusing it"
        )
    actual = hashlib.sha256(body).hexdigest()
    if actual != digest:
        raise CatalogCorrupt(
            f"catalog document {digest[:12]} reads back as {actual[:12]}: refusing it whole"
        )
    return CatalogDocument(body, digest, count)


def document_entries(document: CatalogDocument) -> list[Any]:
    """The model documents as stored, valid or not, in curated order.

    Raises CatalogCorrupt if the body is not a catalog document as `document_of` writes one,
    holds more than MAX_MODELS entries or nests deeper than MAX_DEPTH (it hashes to its digest,
    so only a writer could have made it so): checked on the bytes, before it is parsed.
    """
    try:
        return entries_within(
            document.body,
            prefix=DOCUMENT_PREFIX,
            suffix=DOCUMENT_SUFFIX,
            max_entries=MAX_MODELS,
            max_depth=MAX_DEPTH,
        )
    except ValueError as exc:
        raise CatalogCorrupt(f"catalog document {document.digest[:12]}: {exc}") from None


def catalog_file(document: Mapping[str, Any]) -> bytes:
    """A catalog document as a file a person edits (`export`, the audit's proposal): indented
    by 2, UTF-8 as is, one trailing newline. A lone surrogate cannot be UTF-8: kept as such,
    for `parse_catalog_json` to refuse by name."""
    return pretty_json(document).encode("utf-8", errors="surrogatepass")


# -- as published: following a pointer --------------------------------------------------------


def published_entries(
    pointer: Pointer, read_document: Callable[[Pointer], CatalogDocument]
) -> list[Any] | None:
    """The model documents of the version `pointer` names, as stored (valid or not), in curated
    order: what the sync diffs against and `export` writes out. None if the pointer names no
    document this code can read (the legacy layout, one item per model).

    Raises CatalogUnreadable if the pointer cannot be followed, CatalogCorrupt if its document
    breaks the rules (see `document_entries`), and what `read_document` raises (a missing chunk).
    """
    document = _named_document(pointer, read_document)
    return None if document is None else document_entries(document)


def published_contents(
    pointer: Pointer | None, read_document: Callable[[Pointer], CatalogDocument], *, where: str
) -> CatalogContents | None:
    """What a reader serves of the version `pointer` names: None while no readable version is
    published, else that version's valid models (`read_document` reads its chunks; `where`
    names the store in warnings). What every store's `read_catalog` returns.

    A version whose stored content breaks the rules (see `document_entries`) raises
    CatalogUnreadable, one with no valid model CatalogUnservable: both name the version, which
    the cache remembers. A missing chunk raises what `read_document` raises.
    """
    if pointer is None:
        return None
    document = _named_document(pointer, read_document)
    if document is None:
        return None
    try:
        entries = document_entries(document)
    except CatalogCorrupt as exc:
        raise CatalogUnreadable(pointer.version, str(exc)) from None
    origin = f"catalog version {pointer.version} ({where})"
    models = valid_models(entries, origin=origin)
    if entries and not models:
        raise CatalogUnservable(
            f"catalog version {pointer.version} has no valid model among its "
            f"{len(entries):,} entries ({where})",
            version=pointer.version,
        )
    return CatalogContents(pointer.version, models)


def _named_document(
    pointer: Pointer, read_document: Callable[[Pointer], CatalogDocument]
) -> CatalogDocument | None:
    """The document `pointer` names; None for a pointer of the legacy layout (nothing to
    read, though its version counts). Raises CatalogUnreadable if it cannot be followed."""
    if pointer.unreadable is not None:
        raise CatalogUnreadable(pointer.version, pointer.unreadable)
    if not pointer.readable:
        return None
    return read_document(pointer)


# -- lenient: the valid models of a published document ----------------------------------------


def valid_model(entry: Any) -> Model | None:
    """`entry` as a model; None if it is not a valid one (today's schema refuses it)."""
    try:
        return Model.model_validate(entry)
    except ValidationError:
        return None


def valid_models(entries: Sequence[Any], *, origin: str) -> list[Model]:
    """The entries that are valid models, in order, each id once (the first); the others are
    skipped, and reported in one warning naming `origin`: how many, and the first
    REASONS_SHOWN reasons."""
    models: list[Model] = []
    skipped = 0
    reasons: list[str] = []
    for index, entry, model, reason in _screened(entries):
        if model is not None:
            models.append(model)
            continue
        skipped += 1
        if len(reasons) < REASONS_SHOWN:
            label = entry.get("id") if isinstance(entry, dict) else None
            named = f" ({printable(label)})" if isinstance(label, str) else ""
            reasons.append(f"model {index}{named}: {printable(reason, limit=TEXT_LIMIT)}")
    if skipped:
        more = "; ..." if skipped > len(reasons) else ""
        logger.warning(
            "skipping %d invalid model(s) of %d in %s: %s%s",
            skipped,
            len(entries),
            origin,
            "; ".join(reasons),
            more,
        )
    return models


def valid_entries(entries: Sequence[Any]) -> list[Any]:
    """The entries `valid_models` keeps, verbatim and in order (what `export --skip-invalid`
    writes out), without a warning."""
    return [entry for _, entry, model, _ in _screened(entries) if model is not None]


def _screened(entries: Sequence[Any]) -> Iterator[tuple[int, Any, Model | None, str]]:
    """Each entry with its index, and either its model or (model None) why it is skipped:
    the rule `valid_models` and `valid_entries` share."""
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        try:
            model = Model.model_validate(entry)
        except ValidationError as exc:
            error = exc.errors(include_url=False)[0]
            path = ".".join(str(part) for part in error["loc"])
            yield index, entry, None, (f"{path}: {error['msg']}" if path else error["msg"])
            continue
        if model.id in seen:
            yield index, entry, None, f"duplicate id {model.id!r}"
            continue
        seen.add(model.id)
        yield index, entry, model, ""


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

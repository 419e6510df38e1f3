"""catalog/document.py: every way a catalog document becomes models.

Strict first. Validation is the sync's contract: what `parse_catalog_json` accepts, the sync can
write and the API can serve; anything else is InvalidCatalog listing every problem, and never
another exception, whatever the bytes. Then the published bytes (the canonical document, read
back within bounds) and the lenient readers: what the API serves of a published version, and
what the sync and `export` read of it.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from catalog.document import (
    catalog_file,
    document_entries,
    document_of,
    parse_catalog_json,
    published_contents,
    published_entries,
    valid_entries,
    valid_model,
    valid_models,
    verified_document,
)
from catalog.errors import (
    CatalogCorrupt,
    CatalogIncomplete,
    CatalogUnreadable,
    CatalogUnservable,
    InvalidCatalog,
)
from catalog.limits import (
    MAX_CONTEXT_LENGTH,
    MAX_CREATED,
    MAX_DEPTH,
    MAX_DOCUMENT_BYTES,
    MAX_EXTRA_FIELDS,
    MAX_EXTRA_KEY_LENGTH,
    MAX_LIST_BYTES,
    MAX_MODEL_BYTES,
    MAX_MODELS,
    MAX_PROBLEMS,
    MAX_PROBLEMS_PER_MODEL,
    MAX_SAFE_INTEGER,
    MAX_STRING_LENGTH,
)
from catalog.schema import Model
from catalog.snapshot import CatalogSnapshot
from catalog.store import CatalogDocument, Pointer
from catalog.wire import list_size, served_list_size, wire_json
from tests.support.factories import model_doc

ORIGIN = "models.json"


def document(*entries: Any) -> bytes:
    """A catalog document of these entries, as a file holds it. `json.dumps` writes NaN and
    Infinity literals, escapes lone surrogates as `\\udXXX` and writes any integer."""
    return json.dumps({"object": "list", "data": list(entries)}).encode()


def problems_of(raw: bytes) -> list[str]:
    """The problems InvalidCatalog lists for `raw`; any other exception fails the test."""
    try:
        models = parse_catalog_json(raw, origin=ORIGIN)
    except InvalidCatalog as exc:
        return exc.problems
    pytest.fail(f"accepted {len(models)} model(s)")


def nested(levels: int, inner: Any = 1) -> Any:
    value = inner
    for _ in range(levels):
        value = [value]
    return value


def filler(count: int, length: int) -> dict[str, str]:
    """`count` extra fields of `length` characters each."""
    return {f"field{index:02}": "x" * length for index in range(count)}


# Each case: the raw document, and fragments that one problem must all contain (which model,
# which field, and what is wrong).
CASES: list[tuple[str, bytes, list[str]]] = [
    # -- numbers the sync could not write or a client could not read exactly ----------------
    (
        "context_length 2**130",
        document(model_doc("m", context_length=2**130)),
        ["data[0] (m).context_length", "less than or equal to"],
    ),
    (
        "created past 2**53-1",
        document(model_doc("m", created=2**53)),
        ["data[0] (m).created", str(MAX_CREATED)],
    ),
    (
        "a 100,000-digit integer literal",
        document(model_doc("m", created=7)).replace(
            b'"created": 7', b'"created": ' + b"9" * 100_000
        ),
        ["data[0] (m).created", "less than or equal to"],
    ),
    (
        "2**130 in an extra field",
        document(model_doc("m", pricing_notes={"tiers": [1, 2**130]})),
        ["data[0] (m).pricing_notes.tiers.1", "integer out of range"],
    ),
    (
        "-2**53 in an extra field",
        document(model_doc("m", offset=-(2**53))),
        ["data[0] (m).offset", "integer out of range"],
    ),
    (
        "float 1e300 for context_length",
        document(model_doc("m", context_length=1e300)),
        ["data[0] (m).context_length", "valid integer"],
    ),
    (
        "float 1e400 (infinite) in an extra field",
        document(model_doc("m", score=1.5)).replace(b"1.5", b"1e400"),
        ["data[0] (m).score", "not a JSON number"],
    ),
    (
        "NaN literal for context_length",
        document(model_doc("m", context_length=math.nan)),
        ["data[0] (m).context_length", "valid integer"],
    ),
    (
        "NaN literal in an extra field",
        document(model_doc("m", score=math.nan)),
        ["data[0] (m).score", "NaN is not a JSON number"],
    ),
    (
        "Infinity literal in an extra field",
        document(model_doc("m", limits={"rpm": math.inf})),
        ["data[0] (m).limits.rpm", "Infinity"],
    ),
    (
        "-Infinity literal in an extra list",
        document(model_doc("m", bounds=[0, -math.inf])),
        ["data[0] (m).bounds.1", "Infinity"],
    ),
    # -- strings that are not UTF-8 ----------------------------------------------------------
    (
        "lone surrogate in an extra value",
        document(model_doc("m", description="caf\ud800")),
        ["data[0] (m).description", "lone surrogate"],
    ),
    (
        "lone surrogate in an extra field's name",
        document(model_doc("m", **{"note\udc80": "x"})),
        ["data[0] (m).note\\udc80", "lone surrogate"],
    ),
    (
        "lone surrogate in a nested key",
        document(model_doc("m", meta={"\ud83d": 1})),
        ["data[0] (m).meta.\\ud83d", "lone surrogate"],
    ),
    (
        "lone surrogate in the id",
        document(model_doc("gpt\ud800")),
        ["data[0] (gpt\\ud800).id"],
    ),
    (
        "lone surrogate in owned_by",
        document(model_doc("m", owned_by="open\udfffai")),
        ["data[0] (m).owned_by"],
    ),
    (
        "lone surrogate in a capabilities key",
        document(
            model_doc("m", capabilities={"vision": True, "function_calling": True, "\ud800": 1})
        ),
        ["data[0] (m).capabilities", "unknown field"],
    ),
    # -- strict JSON types -------------------------------------------------------------------
    (
        "true for context_length",
        document(model_doc("m", context_length=True)),
        ["data[0] (m).context_length", "valid integer"],
    ),
    (
        "false for created",
        document(model_doc("m", created=False)),
        ["data[0] (m).created", "valid integer"],
    ),
    (
        '"17" for created',
        document(model_doc("m", created="17")),
        ["data[0] (m).created", "valid integer"],
    ),
    (
        "17.0 for created",
        document(model_doc("m", created=17.0)),
        ["data[0] (m).created", "valid integer"],
    ),
    (
        '"128000" for context_length',
        document(model_doc("m", context_length="128000")),
        ["data[0] (m).context_length", "valid integer"],
    ),
    (
        '"yes" for vision',
        document(model_doc("m", capabilities={"vision": "yes", "function_calling": True})),
        ["data[0] (m).capabilities.vision", "valid boolean"],
    ),
    (
        "1 for function_calling",
        document(model_doc("m", capabilities={"vision": True, "function_calling": 1})),
        ["data[0] (m).capabilities.function_calling", "valid boolean"],
    ),
    (
        "a number for owned_by",
        document(model_doc("m", owned_by=42)),
        ["data[0] (m).owned_by", "valid string"],
    ),
    (
        "a number for id",
        document(model_doc(7)),  # type: ignore[arg-type]
        ["data[0].id", "valid string"],
    ),
    # -- bounds ------------------------------------------------------------------------------
    (
        "context_length over its cap",
        document(model_doc("m", context_length=MAX_CONTEXT_LENGTH + 1)),
        ["data[0] (m).context_length", f"less than or equal to {MAX_CONTEXT_LENGTH}"],
    ),
    (
        "negative created",
        document(model_doc("m", created=-1)),
        ["data[0] (m).created", "greater than or equal to 0"],
    ),
    (
        "a 100 KB owned_by",
        document(model_doc("m", owned_by="a" * 100_000)),
        ["data[0] (m).owned_by", "at most 64 characters"],
    ),
    (
        "owned_by outside its charset",
        document(model_doc("m", owned_by="open ai/")),
        ["data[0] (m).owned_by", "pattern"],
    ),
    (
        "empty owned_by",
        document(model_doc("m", owned_by="")),
        ["data[0] (m).owned_by", "at least 1 character"],
    ),
    (
        "a 300 KB extra field",
        document(model_doc("m", notes="n" * 300_000)),
        [
            "data[0] (m).notes",
            f"string of 300,000 characters, over the cap of {MAX_STRING_LENGTH:,}",
        ],
    ),
    (
        "a 300 KB extra field: the model is over its size cap",
        document(model_doc("m", notes="n" * 300_000)),
        ["data[0] (m):", f"over the cap of {MAX_MODEL_BYTES:,}", "largest field: 'notes'"],
    ),
    (
        "a string one character over the cap",
        document(model_doc("m", description="d" * (MAX_STRING_LENGTH + 1))),
        ["data[0] (m).description", "over the cap"],
    ),
    (
        "a long key inside an extra field",
        document(model_doc("m", meta={"k" * (MAX_STRING_LENGTH + 1): 1})),
        ["data[0] (m).meta.kkkk", "key: string of"],
    ),
    (
        "a model over 64 KiB of strings each within their cap",
        document(model_doc("m", **filler(20, 4_000))),
        ["data[0] (m):", "bytes as served", f"over the cap of {MAX_MODEL_BYTES:,}"],
    ),
    (
        "too many extra fields",
        document(model_doc("m", **filler(MAX_EXTRA_FIELDS + 1, 1))),
        [
            "data[0] (m):",
            f"{MAX_EXTRA_FIELDS + 1} extra fields, over the cap of {MAX_EXTRA_FIELDS}",
        ],
    ),
    (
        "an extra field's name too long",
        document(model_doc("m", **{"k" * (MAX_EXTRA_KEY_LENGTH + 1): 1})),
        ["data[0] (m).kkk", f"1-{MAX_EXTRA_KEY_LENGTH} characters"],
    ),
    (
        "an empty extra field name",
        document(model_doc("m", **{"": 1})),
        ["data[0] (m)", f"1-{MAX_EXTRA_KEY_LENGTH} characters"],
    ),
    (
        "an extra field nested one level too deep",
        document(model_doc("m", deep=nested(MAX_DEPTH))),
        ["data[0] (m).deep.0.0.0.0.0.0", f"nested deeper than {MAX_DEPTH} levels"],
    ),
    (
        "a thousand levels in an extra field",
        document(model_doc("m", deep=nested(900))),
        ["data[0] (m)", f"nested deeper than {MAX_DEPTH} levels"],
    ),
    (
        "ten thousand unknown capabilities",
        document(model_doc("m", capabilities={f"c{n}": True for n in range(10_000)})),
        ["data[0] (m).capabilities", "10,000 unknown field(s)"],
    ),
    # -- documents that are not JSON at all --------------------------------------------------
    (
        "100,000 levels of nesting",
        b'{"data": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        [ORIGIN, "nested too deeply"],
    ),
    ("invalid UTF-8", b'{"data": ["\xff"]}', [ORIGIN, "not valid JSON", "not UTF-8"]),
    (
        "an encoded lone surrogate (not UTF-8)",
        b'{"data": ["\xed\xa0\x80"]}',
        [ORIGIN, "not UTF-8"],
    ),
    ("truncated JSON", document(model_doc("m"))[:-3], [ORIGIN, "not valid JSON"]),
    (
        "NaN outside the models",
        b'{"object": "list", "data": [], "generated": NaN}',
        ["document.generated", "NaN"],
    ),
]


@pytest.mark.parametrize(("raw", "fragments"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_every_case_of_the_issue_is_refused_naming_the_model_and_field(
    raw: bytes, fragments: list[str]
) -> None:
    problems = problems_of(raw)
    assert any(all(fragment in problem for fragment in fragments) for problem in problems), problems


@pytest.mark.parametrize(("raw", "fragments"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_every_problem_can_be_printed_and_is_short(raw: bytes, fragments: list[str]) -> None:
    for problem in problems_of(raw):
        problem.encode("utf-8")  # no lone surrogate, so a terminal or a log can take it
        assert problem.isprintable()
        assert len(problem) < 500


def test_a_document_over_the_size_cap_is_refused_before_it_is_parsed() -> None:
    (problem,) = problems_of(b" " * (MAX_DOCUMENT_BYTES + 1))
    assert (
        problem
        == f"{ORIGIN} is over {MAX_DOCUMENT_BYTES:,} bytes, the most a catalog document may be"
    )


def test_more_models_than_the_cap_are_refused() -> None:
    raw = document(*(model_doc(f"model-{n}") for n in range(MAX_MODELS + 1)))
    problems = problems_of(raw)
    assert problems == [
        f"data: {MAX_MODELS + 1:,} models, over the cap of {MAX_MODELS:,} "
        f"(entries after data[{MAX_MODELS - 1}] were not checked)"
    ]


def big_models(count: int) -> list[dict[str, Any]]:
    """Valid models of about 62 KB each (16 fields of 3,900 characters)."""
    return [model_doc(f"big-{n}", **filler(16, 3_900)) for n in range(count)]


def test_a_list_over_the_cap_made_of_valid_models_is_refused() -> None:
    docs = big_models(70)  # 70 x ~62.6 KB: over 4 MiB, each model within its own cap
    for doc in docs[:2]:
        Model.model_validate(doc)
    problems = problems_of(document(*docs))
    assert len(problems) == 1
    assert problems[0].startswith("data: GET /v1/models would be ")
    assert problems[0].endswith(
        f"bytes, over the cap of {MAX_LIST_BYTES:,} (Lambda answers at most 6 MB)"
    )


def test_the_list_cap_is_exact_to_the_byte(monkeypatch: pytest.MonkeyPatch) -> None:
    raw = document(*big_models(3), model_doc("small", description="déjà vu ✓"))
    models = parse_catalog_json(raw, origin=ORIGIN)
    size = served_list_size(models)
    # What the cap measures is what the API sends.
    assert size == len(CatalogSnapshot.build(1, models, now=0).list_body.content)
    monkeypatch.setattr("catalog.document.MAX_LIST_BYTES", size)
    assert len(parse_catalog_json(raw, origin=ORIGIN)) == 4
    monkeypatch.setattr("catalog.document.MAX_LIST_BYTES", size - 1)
    (problem,) = problems_of(raw)
    assert f"would be {size:,} bytes" in problem


def model_of_wire_size(size: int, *, with_object: bool) -> dict[str, Any]:
    """A model document whose wire form is exactly `size` bytes (non-ASCII included)."""
    doc = model_doc("sized", note="é" * 100)
    if not with_object:
        del doc["object"]
    for index in range(MAX_EXTRA_FIELDS):
        missing = size - len(wire_json(Model.model_validate(doc).to_wire()))
        length = missing - len(f',"field{index:02}":""')
        doc[f"field{index:02}"] = "x" * min(length, 4_000)
        if length <= 4_000:
            return doc
    raise AssertionError(size)


@pytest.mark.parametrize("with_object", [True, False])
def test_the_model_cap_is_exact_to_the_byte(with_object: bool) -> None:
    at_cap = model_of_wire_size(MAX_MODEL_BYTES, with_object=with_object)
    model = Model.model_validate(at_cap)
    assert len(wire_json(model.to_wire())) == MAX_MODEL_BYTES
    over = model_of_wire_size(MAX_MODEL_BYTES + 1, with_object=with_object)
    with pytest.raises(ValidationError, match="65,537 bytes as served"):
        Model.model_validate(over)


@pytest.mark.parametrize(
    ("value", "accepted"),
    [
        (MAX_SAFE_INTEGER, True),
        (-MAX_SAFE_INTEGER, True),
        (MAX_SAFE_INTEGER + 1, False),
        (1e300, True),  # a finite float is JSON every parser reads (as a double)
        (-0.0, True),
        ("s" * MAX_STRING_LENGTH, True),
        ("s" * (MAX_STRING_LENGTH + 1), False),
        ("emoji \U0001f600 and accents é", True),  # a surrogate pair in JSON is one code point
        (nested(MAX_DEPTH - 2), True),  # the model is level 1, this list level 2 .. 7
        (nested(MAX_DEPTH - 1), True),  # deepest list at level 8
        (nested(MAX_DEPTH), False),
        ({"k" * MAX_STRING_LENGTH: None}, True),
        ([True, None, "x", 1, 1.5, {}], True),
    ],
)
def test_extra_field_bounds_at_the_edge(value: Any, accepted: bool) -> None:
    raw = document(model_doc("m", extra=value))
    if accepted:
        (model,) = parse_catalog_json(raw, origin=ORIGIN)
        assert model.to_wire()["extra"] == value
    else:
        assert any(problem.startswith("data[0] (m).extra") for problem in problems_of(raw))


def test_exactly_the_cap_of_extra_fields_and_name_length_is_accepted() -> None:
    extras = filler(MAX_EXTRA_FIELDS - 1, 10) | {"n" * MAX_EXTRA_KEY_LENGTH: 1}
    (model,) = parse_catalog_json(document(model_doc("m", **extras)), origin=ORIGIN)
    assert len(model.to_wire()) == 6 + MAX_EXTRA_FIELDS


def test_every_problem_of_every_model_is_listed_then_the_caps() -> None:
    docs = [
        model_doc("a", context_length=True, score=math.nan),
        model_doc("b", capabilities={"vision": "yes", "function_calling": True}),
        model_doc("c"),
        model_doc("d", created="17", notes="\ud800"),
    ]
    problems = problems_of(document(*docs))
    assert problems == [
        "data[0] (a).context_length: Input should be a valid integer",
        "data[0] (a).score: NaN is not a JSON number",
        "data[1] (b).capabilities.vision: Input should be a valid boolean",
        "data[3] (d).created: Input should be a valid integer: `created` is the public release "
        "time in epoch seconds, an integer such as 1721260800",
        "data[3] (d).notes: string is not valid UTF-8 (lone surrogate)",
    ]


def test_problems_listed_are_bounded_per_model_and_per_document() -> None:
    (*listed, more) = problems_of(document(model_doc("m", scores=[math.nan] * 100)))
    assert len(listed) == MAX_PROBLEMS_PER_MODEL
    assert more == "data[0] (m): more problems in this model, not listed"

    problems = problems_of(document(*(model_doc(f"m{n}", created=-1) for n in range(1_200))))
    assert len(problems) == MAX_PROBLEMS + 1
    assert problems[-1] == "... and 200 more problem(s) not listed"


# -- the table's side: the same rules hold for a model read back -------------------------------


@pytest.mark.parametrize(
    "extra",
    [math.nan, math.inf, 2**64, "\ud800", Decimal("1.5"), {1: "x"}, (1, 2), b"bytes", nested(50)],
    ids=["nan", "inf", "2**64", "surrogate", "decimal", "int-key", "tuple", "bytes", "deep"],
)
def test_a_model_built_from_a_python_dict_is_held_to_the_same_rules(extra: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        Model.model_validate(model_doc("m", extra=extra))
    assert any(error["loc"][:1] == ("extra",) for error in caught.value.errors())


def test_a_deeply_nested_python_value_is_refused_not_a_recursion() -> None:
    with pytest.raises(ValidationError, match="nested deeper"):
        Model.model_validate(model_doc("m", extra=nested(100_000)))


def test_a_cyclic_extra_field_is_refused_not_a_recursion() -> None:
    loop: list[Any] = []
    loop.append(loop)
    with pytest.raises(ValidationError, match="nested deeper"):
        Model.model_validate(model_doc("m", extra=loop))


# -- whatever the input: InvalidCatalog, or a catalog the API can serve ------------------------


def random_json(rng: random.Random, depth: int = 0) -> Any:
    """A random value, mostly JSON, with every edge the rules draw."""
    roll = rng.random()
    if depth < 11 and roll < 0.25:
        return [random_json(rng, depth + 1) for _ in range(rng.randrange(4))]
    if depth < 11 and roll < 0.45:
        return {random_string(rng): random_json(rng, depth + 1) for _ in range(rng.randrange(4))}
    return rng.choice(
        [
            None,
            True,
            False,
            0,
            -1,
            MAX_SAFE_INTEGER,
            -MAX_SAFE_INTEGER,
            MAX_SAFE_INTEGER + 1,
            2**130,
            1.5,
            -0.0,
            1e308,
            math.nan,
            math.inf,
            -math.inf,
            random_string(rng),
            "x" * rng.choice([MAX_STRING_LENGTH, MAX_STRING_LENGTH + 1, 20_000]),
        ]
    )


def random_string(rng: random.Random) -> str:
    alphabet = ["a", "Z", "0", "_", " ", "é", "\U0001f600", "\ud800", "\udfff", "\n", '"', "\\"]
    return "".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 8)))


def random_model(rng: random.Random, index: int) -> Any:
    doc: dict[str, Any] = model_doc(f"model-{index}")
    for _ in range(rng.randrange(6)):
        doc[rng.choice([random_string(rng), "x", "notes"])] = random_json(rng)
    if rng.random() < 0.3:  # break a schema field
        doc[rng.choice(list(doc))] = random_json(rng)
    if rng.random() < 0.05:
        doc.update(filler(rng.randrange(20, 40), 4_000))
    return doc


def assert_servable(models: list[Model], raw: bytes) -> None:
    """The contract of an accepted document: the API serves exactly these models, within the
    caps, as JSON any strict parser reads back to the same catalog."""
    snapshot = CatalogSnapshot.build(1, models, now=0)
    assert len(snapshot) == len(models), raw[:200]
    body = snapshot.list_body.content
    assert len(body) == served_list_size(models) <= MAX_LIST_BYTES
    for model in models:
        assert len(snapshot.model_body(model.id).content) <= MAX_MODEL_BYTES
    assert parse_catalog_json(body, origin="served") == models


def assert_refused_or_servable(raw: bytes) -> None:
    try:
        models = parse_catalog_json(raw, origin=ORIGIN)
    except InvalidCatalog as exc:
        problems = exc.problems
    else:
        assert_servable(models, raw)
        return
    assert problems
    assert all(problem.isprintable() for problem in problems)


@pytest.mark.parametrize("seed", range(25))
def test_random_models_are_refused_or_served(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(20):
        raw = document(*(random_model(rng, index) for index in range(rng.randrange(1, 4))))
        assert_refused_or_servable(raw)


@pytest.mark.parametrize("seed", range(25))
def test_random_bytes_are_refused_or_served(seed: int) -> None:
    rng = random.Random(seed)
    valid = bytearray(
        document(model_doc("a", pricing_notes={"in": 2.5, "tiers": [1, 0.5]}), model_doc("b"))
    )
    for _ in range(40):
        raw = bytearray(valid)
        for _ in range(rng.randrange(1, 4)):
            position = rng.randrange(len(raw))
            action = rng.randrange(3)
            if action == 0:
                raw[position] = rng.randrange(256)
            elif action == 1:
                raw.insert(position, rng.choice(b'[]{}",:\\0e-+.9NIaty \xff\xed'))
            else:
                del raw[position]
        assert_refused_or_servable(bytes(raw))


def test_list_size_counts_the_envelope_and_the_commas() -> None:
    assert list_size([]) == len(b'{"object":"list","data":[]}')
    assert list_size([10, 20]) == len(b'{"object":"list","data":[]}') + 10 + 1 + 20


def test_problems_name_the_unknown_capabilities_and_say_what_created_is() -> None:
    """What `ar-models validate` prints: the unknown keys by name (the first few, the rest
    counted), and `created` explained as epoch seconds."""
    caps = {"vision": True, "function_calling": True, "telepathy": True, "x-ray": False}
    problems = problems_of(document(model_doc("m", created="1721260800", capabilities=caps)))
    assert any(
        "2 unknown field(s): 'telepathy', 'x-ray'; only vision" in problem for problem in problems
    )
    assert any(
        "created: Input should be a valid integer: `created` is the public release time in "
        "epoch seconds" in problem
        for problem in problems
    )
    many = {"vision": True, "function_calling": True, **{f"k{n}": True for n in range(5)}}
    (problem,) = problems_of(document(model_doc("m", capabilities=many)))
    assert "5 unknown field(s): 'k0', 'k1', 'k2' and 2 more; only" in problem


@pytest.mark.parametrize(
    ("created", "accepted"),
    [(253_402_300_799, True), (253_402_300_800, False), (MAX_SAFE_INTEGER, False)],
    ids=["9999-12-31T23:59:59Z", "year-10000", "2**53-1"],
)
def test_a_created_either_dialect_cannot_serve_is_refused(created: int, accepted: bool) -> None:
    """The Anthropic dialect writes `created` as RFC 3339, whose year has four digits."""
    raw = document(model_doc("m", created=created))
    if accepted:
        (model,) = parse_catalog_json(raw, origin=ORIGIN)
        snapshot = CatalogSnapshot.build(1, [model], now=0)
        assert json.loads(snapshot.anthropic.model_body("m").content)["created_at"] == (
            "9999-12-31T23:59:59Z"
        )
    else:
        assert any("data[0] (m).created" in problem for problem in problems_of(raw))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("id", "a/./b"),
        ("id", "openai/.."),
        ("aliases", ["gpt-4o/."]),
        ("lifecycle", {"successor": "a/../../../evil"}),
    ],
)
def test_ids_aliases_and_successors_with_dot_segments_are_refused(field: str, value: Any) -> None:
    raw = document(model_doc("gpt-4o") | {field: value})
    assert any("path segment" in problem for problem in problems_of(raw))


@pytest.mark.parametrize("model_id", ["gpt-4.1", "gemini-3.8-flash", "a/.hidden", "a/..b", "v1."])
def test_dots_inside_a_segment_stay_valid(model_id: str) -> None:
    (model,) = parse_catalog_json(document(model_doc(model_id)), origin=ORIGIN)
    assert model.id == model_id


# -- the published bytes ----------------------------------------------------------------------


def test_the_canonical_document_is_the_same_bytes_for_the_same_models() -> None:
    docs = [model_doc("b", note="ü"), model_doc("a")]
    document = document_of(docs)
    assert document.body.startswith(b'{"object":"list","data":[{"id":"b",')
    assert "ü".encode() in document.body  # UTF-8, not \\u escapes
    assert document == document_of([dict(doc) for doc in docs])
    assert document.count == 2
    assert document_of(docs[::-1]).digest != document.digest  # order is content
    with pytest.raises(CatalogCorrupt, match="not a catalog"):
        document_entries(CatalogDocument(b"{", "d", 0))


def test_a_document_read_back_is_refused_unless_it_is_the_one_its_digest_names() -> None:
    document = document_of([model_doc("a")])
    assert verified_document(document.body, document.digest, count=1) == document
    with pytest.raises(CatalogCorrupt, match="reads back as"):
        verified_document(document.body + b" ", document.digest, count=1)
    oversized = b" " * (MAX_DOCUMENT_BYTES + 1)
    with pytest.raises(CatalogCorrupt, match="is over"):
        verified_document(oversized, document.digest, count=1)


def test_the_entries_are_read_back_as_stored_valid_or_not() -> None:
    docs = [model_doc("a", note=1.0), {"id": "not-a-model"}, model_doc("a")]
    assert document_entries(document_of(docs)) == docs


def test_a_catalog_file_is_indented_utf8_and_reads_back_as_the_same_models() -> None:
    document = {"object": "list", "data": [model_doc("gpt-x", note="é")]}
    body = catalog_file(document)
    assert body.endswith(b"}\n")
    assert '"note": "é"'.encode() in body  # UTF-8 as is, not \\u escapes
    assert body.startswith(b'{\n  "object": "list",\n  "data": [\n    {\n')
    models = parse_catalog_json(body, origin="exported.json")
    assert [model.to_wire() for model in models] == [
        Model.model_validate(doc).to_wire() for doc in document["data"]
    ]


def test_a_lone_surrogate_in_a_catalog_file_is_refused_by_name_when_read() -> None:
    body = catalog_file({"object": "list", "data": [model_doc("m", note="\ud800")]})
    with pytest.raises(InvalidCatalog, match="not UTF-8"):
        parse_catalog_json(body, origin="exported.json")


# -- lenient: what a reader serves of a published version -------------------------------------


def _pointer_to(document: CatalogDocument, *, version: int = 7) -> Pointer:
    return Pointer(version=version, digest=document.digest, chunks=1, count=document.count)


def _reading(*documents: CatalogDocument) -> tuple[list[str], Any]:
    """A `read_document` over these documents, and the digests it was asked for."""
    asked: list[str] = []
    by_digest = {document.digest: document for document in documents}

    def read_document(pointer: Pointer) -> CatalogDocument:
        assert pointer.digest is not None
        asked.append(pointer.digest)
        return by_digest[pointer.digest]

    return asked, read_document


def test_invalid_and_duplicate_models_are_skipped_in_one_warning_naming_the_first_three(
    caplog: pytest.LogCaptureFixture,
) -> None:
    entries = [
        model_doc("kept"),
        {"id": "no-owner"},
        model_doc("kept", note="the second of an id"),
        "not an object",
        {"id": 5},
        model_doc("also-kept"),
    ]
    models = valid_models(entries, origin="catalog version 3 (test)")
    assert [model.id for model in models] == ["kept", "also-kept"]
    assert models[0] == Model.model_validate(entries[0])  # the first of an id wins
    (warning,) = caplog.records
    message = warning.getMessage()
    assert message.startswith("skipping 4 invalid model(s) of 6 in catalog version 3 (test): ")
    assert "model 1 (no-owner): " in message
    assert "model 2 (kept): duplicate id 'kept'" in message
    assert "model 3: " in message
    assert "model 4: " not in message
    assert message.endswith("; ...")


def test_export_keeps_the_models_the_api_serves_verbatim() -> None:
    entries = [model_doc("a", note=1.0), {"id": "bad"}, model_doc("a", note=2), model_doc("b")]
    kept = valid_entries(entries)
    assert kept == [entries[0], entries[3]]
    assert kept[0] is entries[0]  # the document as published, not re-serialised from a model
    assert [model.id for model in valid_models(entries, origin="t")] == ["a", "b"]


def test_one_entry_is_a_model_or_none() -> None:
    assert valid_model(model_doc("a")) == Model.model_validate(model_doc("a"))
    assert valid_model({"id": "a"}) is None
    assert valid_model([]) is None


def test_a_reader_serves_the_valid_models_of_the_version_the_pointer_names() -> None:
    document = document_of([model_doc("a"), {"id": "broken"}, model_doc("b")])
    _, read_document = _reading(document)
    contents = published_contents(_pointer_to(document), read_document, where="test")
    assert contents is not None
    assert contents.version == 7
    assert [model.id for model in contents.models] == ["a", "b"]


def test_nothing_is_served_before_a_readable_version_is_published() -> None:
    asked, read_document = _reading()
    assert published_contents(None, read_document, where="test") is None
    legacy = Pointer(version=4, digest=None, chunks=0, count=0)
    assert published_contents(legacy, read_document, where="test") is None
    assert published_entries(legacy, read_document) is None
    assert asked == []  # a legacy pointer names nothing to read


def test_a_pointer_that_cannot_be_followed_is_unreadable_and_nothing_is_read() -> None:
    asked, read_document = _reading()
    pointer = Pointer(version=9, digest=None, chunks=0, count=0, unreadable="`chunks` is 'x'")
    for read in (
        lambda: published_contents(pointer, read_document, where="test"),
        lambda: published_entries(pointer, read_document),
    ):
        with pytest.raises(CatalogUnreadable) as raised:
            read()
        assert raised.value.version == 9
        assert "`chunks` is 'x'" in str(raised.value)
    assert asked == []


def test_a_document_breaking_the_rules_is_unreadable_for_the_api_corrupt_for_the_sync() -> None:
    body = b'{"object":"list","data":{}}'
    document = CatalogDocument(body, hashlib.sha256(body).hexdigest(), 0)
    _, read_document = _reading(document)
    with pytest.raises(CatalogUnreadable) as raised:
        published_contents(_pointer_to(document, version=5), read_document, where="test")
    assert raised.value.version == 5  # the cache remembers it and never reads it again
    with pytest.raises(CatalogCorrupt, match="not a catalog document"):
        published_entries(_pointer_to(document), read_document)


def test_a_version_with_no_valid_model_is_unservable_and_named() -> None:
    document = document_of([{"id": "broken"}, {"id": 1}])
    _, read_document = _reading(document)
    with pytest.raises(CatalogUnservable, match="no valid model among its 2 entries") as raised:
        published_contents(_pointer_to(document, version=6), read_document, where="test")
    assert raised.value.version == 6


def test_a_missing_chunk_is_raised_as_the_store_raises_it() -> None:
    def read_document(pointer: Pointer) -> CatalogDocument:
        raise CatalogIncomplete("chunk 1 has not arrived")

    pointer = Pointer(version=2, digest="d" * 64, chunks=2, count=1)
    with pytest.raises(CatalogIncomplete):
        published_contents(pointer, read_document, where="test")
    with pytest.raises(CatalogIncomplete):
        published_entries(pointer, read_document)


def test_the_sync_reads_every_entry_as_published() -> None:
    docs = [model_doc("a"), {"id": "broken"}]
    document = document_of(docs)
    _, read_document = _reading(document)
    assert published_entries(_pointer_to(document), read_document) == docs

"""The catalog in the shape of Anthropic's Models API (catalog/anthropic.py): ModelInfo
mapped field by field, checked against the anthropic SDK's own types, newest first, cursor
pages built once and kept within a byte bound, retrieve by id and alias."""

from __future__ import annotations

import json
import logging
import typing
from collections.abc import Collection, Iterator
from typing import Any, get_args

import pytest
from anthropic._models import construct_type_unchecked
from anthropic.types import ModelCapabilities, ModelInfo, ModelLine
from pydantic import BaseModel

import catalog.anthropic
from catalog.anthropic import DEFAULT_LIFECYCLES, model_info
from catalog.body import Body
from catalog.bundled import bundled_models, bundled_snapshot
from catalog.errors import InvalidCursor, InvalidFilter, ModelNotFound
from catalog.lifecycle import day_start
from catalog.schema import LIFECYCLE_STATUSES, MODEL_LINES, Model
from catalog.snapshot import CatalogSnapshot
from tests.support.factories import make_model, model_doc

# Every instant is fixed: statuses depend on `now`, never on the wall clock.
NOW = day_start("2026-06-01")
OCT_22_2024 = 1729555200  # 2024-10-22T00:00:00Z

# Anthropic's list is always given the statuses to list: these are all of them.
ALL = frozenset(LIFECYCLE_STATUSES)
CAPS = {"vision": True, "function_calling": True}
UNSUPPORTED = {"supported": False}
SUPPORTED = {"supported": True}

# A model with every field the mapping reads, deprecated at NOW.
FULL = model_doc(
    "claude-x",
    owned_by="anthropic",
    created=OCT_22_2024 + 3661,
    display_name="Claude X",
    context_length=200000,
    max_output_tokens=64000,
    line="sonnet",
    capabilities={
        **CAPS,
        "structured_outputs": True,
        "reasoning": True,
        "prompt_caching": True,
    },
    modalities={"input": ["text", "image", "pdf"], "output": ["text"]},
    pricing={"input_per_mtok": 3, "output_per_mtok": 15},
    knowledge_cutoff="2024-04",
    aliases=["claude-x-latest"],
    lifecycle={"deprecated_at": "2026-01-05", "shutdown_at": "2026-09-01", "successor": "y"},
)


def snapshot_of(*models: Model, now: float = NOW) -> CatalogSnapshot:
    return CatalogSnapshot.build(1, models, now=now)


def info_of(model: Model, *, now: float = NOW) -> dict[str, Any]:
    """The ModelInfo a client retrieves for `model`, its status that of `now`."""
    body = snapshot_of(model, now=now).anthropic.model_body(model.id)
    parsed: dict[str, Any] = json.loads(body.content)
    return parsed


def page_of(body: Body) -> dict[str, Any]:
    parsed: dict[str, Any] = json.loads(body.content)
    return parsed


def ids(body: Body) -> list[str]:
    return [item["id"] for item in page_of(body)["data"]]


# -- the mapping, field by field -------------------------------------------------------------


def test_a_model_with_every_field_maps_to_the_whole_model_info() -> None:
    assert info_of(Model.model_validate(FULL)) == {
        "type": "model",
        "id": "claude-x",
        "display_name": "Claude X",
        "created_at": "2024-10-22T01:01:01Z",
        "lifecycle": "deprecated",
        "deprecated_at": "2026-01-05T00:00:00Z",
        "retires_at": "2026-09-01T00:00:00Z",
        "line": "sonnet",
        "max_input_tokens": 200000,
        "max_tokens": 64000,
        "capabilities": {
            "batch": UNSUPPORTED,
            "citations": UNSUPPORTED,
            "code_execution": UNSUPPORTED,
            "context_management": {
                "supported": False,
                "clear_thinking_20251015": None,
                "clear_tool_uses_20250919": None,
                "compact_20260112": None,
            },
            "effort": {
                "supported": False,
                "low": UNSUPPORTED,
                "medium": UNSUPPORTED,
                "high": UNSUPPORTED,
                "max": UNSUPPORTED,
                "xhigh": None,
            },
            "image_input": SUPPORTED,
            "pdf_input": SUPPORTED,
            "server_tools": {
                "supported": False,
                "code_execution": UNSUPPORTED,
                "web_search": UNSUPPORTED,
            },
            "structured_outputs": SUPPORTED,
            "thinking": {
                "supported": True,
                "types": {
                    "adaptive": UNSUPPORTED,
                    "between_tools": UNSUPPORTED,
                    "disabled": UNSUPPORTED,
                    "enabled": UNSUPPORTED,
                },
            },
        },
    }


def test_what_the_catalog_does_not_know_is_null_never_made_up() -> None:
    info = info_of(make_model("m", context_length=32000))
    assert info["type"] == "model"
    assert info["display_name"] == "m"  # no display name: the id
    assert info["max_input_tokens"] == 32000
    assert info["max_tokens"] is None
    assert info["line"] is None  # never inferred from the id
    assert (info["lifecycle"], info["deprecated_at"], info["retires_at"]) == ("active", None, None)


def test_every_line_the_catalog_may_hold_is_one_the_sdk_types() -> None:
    sdk_lines = set(get_args(ModelLine))
    assert set(MODEL_LINES) == sdk_lines
    for line in MODEL_LINES:
        ModelInfo.model_validate(info_of(make_model("m", line=line)))


@pytest.mark.parametrize(
    ("created", "created_at"),
    [
        (0, "1970-01-01T00:00:00Z"),
        (OCT_22_2024, "2024-10-22T00:00:00Z"),
        (OCT_22_2024 + 86399, "2024-10-22T23:59:59Z"),
        (253402300799, "9999-12-31T23:59:59Z"),  # the last instant RFC 3339 can write
    ],
)
def test_created_at_is_rfc3339_utc_whole_seconds(created: int, created_at: str) -> None:
    assert info_of(make_model("m", created=created))["created_at"] == created_at


@pytest.mark.parametrize(
    ("lifecycle", "now", "expected"),
    [
        pytest.param(None, NOW, ("active", None, None), id="no lifecycle"),
        pytest.param(
            {"deprecated_at": "2026-07-01", "shutdown_at": "2026-12-01"},
            NOW,
            ("active", None, None),
            id="future dates stay hidden while active",
        ),
        pytest.param(
            {"deprecated_at": "2026-06-02"},
            NOW + 86399,
            ("active", None, None),
            id="the last second before the deprecation date",
        ),
        pytest.param(
            {"deprecated_at": "2026-06-02"},
            NOW + 86400,
            ("deprecated", "2026-06-02T00:00:00Z", None),
            id="from 00:00Z of the deprecation date, shutdown unknown",
        ),
        pytest.param(
            {"deprecated_at": "2026-01-05", "shutdown_at": "2026-12-01"},
            NOW,
            ("deprecated", "2026-01-05T00:00:00Z", "2026-12-01T00:00:00Z"),
            id="deprecated with a scheduled retirement",
        ),
        pytest.param(
            {"deprecated_at": "2025-01-05", "shutdown_at": "2026-03-01"},
            NOW,
            ("retired", "2025-01-05T00:00:00Z", "2026-03-01T00:00:00Z"),
            id="retired by its dates",
        ),
        pytest.param(
            {"shutdown_at": "2026-03-01"},
            NOW,
            ("retired", None, "2026-03-01T00:00:00Z"),
            id="retired, deprecation date unknown",
        ),
        pytest.param(
            {"status": "deprecated"}, NOW, ("deprecated", None, None), id="stated deprecated"
        ),
        pytest.param({"status": "retired"}, NOW, ("retired", None, None), id="stated retired"),
        pytest.param(
            {"status": "deprecated", "shutdown_at": "2026-12-01"},
            NOW,
            ("deprecated", None, "2026-12-01T00:00:00Z"),
            id="stated deprecated, retirement scheduled",
        ),
    ],
)
def test_lifecycle_and_its_dates_are_those_of_now(
    lifecycle: dict[str, str] | None,
    now: float,
    expected: tuple[str, str | None, str | None],
) -> None:
    model = make_model("m") if lifecycle is None else make_model("m", lifecycle=lifecycle)
    info = info_of(model, now=now)
    assert (info["lifecycle"], info["deprecated_at"], info["retires_at"]) == expected


def test_a_snapshot_rebuilt_at_a_lifecycle_date_serves_the_new_status() -> None:
    before = snapshot_of(make_model("m", lifecycle={"deprecated_at": "2026-07-01"}))
    after = before.at(before.valid_until)
    assert json.loads(before.anthropic.model_body("m").content)["lifecycle"] == "active"
    assert json.loads(after.anthropic.model_body("m").content)["lifecycle"] == "deprecated"


@pytest.mark.parametrize(
    ("fields", "image", "pdf", "structured"),
    [
        ({"capabilities": {**CAPS, "vision": False}}, False, False, False),
        ({}, True, False, False),  # modalities and structured_outputs unknown: unsupported
        ({"modalities": {"input": ["text", "image"], "output": ["text"]}}, True, False, False),
        # What the model reads decides, where the catalog says it: no image among its inputs.
        ({"modalities": {"input": ["text", "pdf"], "output": ["text"]}}, False, True, False),
        (
            {"modalities": {"input": ["text", "image", "pdf"], "output": ["text"]}},
            True,
            True,
            False,
        ),
        ({"capabilities": {**CAPS, "structured_outputs": False}}, True, False, False),
        ({"capabilities": {**CAPS, "structured_outputs": True}}, True, False, True),
    ],
)
def test_input_and_output_capabilities_follow_the_catalog(
    fields: dict[str, Any], image: bool, pdf: bool, structured: bool
) -> None:
    capabilities = info_of(make_model("m", **fields))["capabilities"]
    assert capabilities["image_input"] == {"supported": image}
    assert capabilities["pdf_input"] == {"supported": pdf}
    assert capabilities["structured_outputs"] == {"supported": structured}


@pytest.mark.parametrize(
    ("reasoning", "supported", "disabled"),
    [
        (None, False, False),  # unknown: nothing claimed
        (False, False, True),  # a model that does not think accepts thinking turned off
        (True, True, False),
    ],
)
def test_thinking_follows_reasoning(
    reasoning: bool | None, supported: bool, disabled: bool
) -> None:
    fields = {} if reasoning is None else {"capabilities": {**CAPS, "reasoning": reasoning}}
    thinking = info_of(make_model("m", **fields))["capabilities"]["thinking"]
    assert thinking["supported"] is supported
    assert thinking["types"] == {
        "adaptive": UNSUPPORTED,
        "between_tools": UNSUPPORTED,
        "disabled": {"supported": disabled},
        "enabled": UNSUPPORTED,
    }


def _flags(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """Every `supported` flag and every other leaf of a capabilities object, by path."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _flags(inner, f"{path}.{key}" if path else key)
    else:
        yield path, value


def test_capabilities_the_catalog_does_not_track_are_unsupported_or_null() -> None:
    mapped = {
        "image_input.supported",
        "pdf_input.supported",
        "structured_outputs.supported",
        "thinking.supported",
        "thinking.types.disabled.supported",
    }
    # The most capable model the catalog can describe still claims nothing else.
    doc = {**FULL, "capabilities": {**FULL["capabilities"], "reasoning": False}}
    capabilities = info_of(Model.model_validate(doc))["capabilities"]
    others = {path: value for path, value in _flags(capabilities) if path not in mapped}
    assert others
    assert all(value is False or value is None for value in others.values()), others
    assert all(path.endswith(".supported") for path, value in others.items() if value is False)


# -- the SDK's own types ---------------------------------------------------------------------


def _nested_models(annotation: Any) -> list[type[BaseModel]]:
    """The pydantic models an annotation holds (`X`, `Optional[X]`, `List[X]`)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found: list[type[BaseModel]] = []
    for arg in typing.get_args(annotation):
        found.extend(_nested_models(arg))
    return found


def problems_against(model_type: type[BaseModel], obj: Any, path: str = "") -> list[str]:
    """Where `obj` departs from `model_type` in ways a lenient parser hides: a key the type
    requires is missing, or a key the type does not know is sent (a misspelt field)."""
    if not isinstance(obj, dict):
        return [] if obj is None else [f"{path or '<root>'}: not an object"]
    found = [
        f"{path}{name}: required, missing"
        for name, field in model_type.model_fields.items()
        if field.is_required() and name not in obj
    ]
    found += [
        f"{path}{key}: unknown to the SDK" for key in obj if key not in model_type.model_fields
    ]
    for name, field in model_type.model_fields.items():
        for nested in _nested_models(field.annotation):
            if name in obj:
                found += problems_against(nested, obj[name], f"{path}{name}.")
    return found


def test_the_required_walk_finds_what_the_sdk_would_let_through() -> None:
    # The check below must be able to fail where the SDK does not: its client parses a
    # response leniently (a missing nested key becomes None), and its types allow extra keys
    # (a misspelt optional field validates).
    info = model_info(make_model("m"), "active")
    del info["capabilities"]["thinking"]["types"]["disabled"]
    lenient = construct_type_unchecked(value=info, type_=ModelInfo)
    assert lenient.capabilities is not None
    assert "disabled" not in lenient.capabilities.thinking.types.model_fields_set
    misspelt = model_info(make_model("m"), "active")
    misspelt["max_token"] = misspelt.pop("max_tokens")
    ModelInfo.model_validate(misspelt)
    assert problems_against(ModelInfo, info) == [
        "capabilities.thinking.types.disabled: required, missing"
    ]
    assert problems_against(ModelInfo, misspelt) == ["max_token: unknown to the SDK"]


def assert_sdk_model_info(obj: Any) -> None:
    parsed = ModelInfo.model_validate(obj)
    assert isinstance(parsed.capabilities, ModelCapabilities)
    ModelCapabilities.model_validate(obj["capabilities"])
    assert problems_against(ModelInfo, obj) == []
    assert parsed.id == obj["id"]
    assert parsed.created_at.tzinfo is not None  # UTC, never a naive time


def test_every_model_info_of_the_bundled_catalog_is_the_sdks_model_info() -> None:
    view = bundled_snapshot().anthropic
    assert len(view.items) == len(bundled_snapshot().models) > 0
    for item in view.items:
        assert_sdk_model_info(json.loads(item))


@pytest.mark.parametrize("when", ["2020-01-01", "2026-06-01", "2100-01-01"])
def test_the_bundled_catalog_at_any_date_is_the_sdks_model_info(when: str) -> None:
    # Fixed instants, so that active, deprecated and retired models all appear.
    view = CatalogSnapshot.build(0, bundled_models(), now=day_start(when)).anthropic
    for item in view.items:
        assert_sdk_model_info(json.loads(item))


def test_a_model_info_with_every_field_is_the_sdks_model_info() -> None:
    info = info_of(Model.model_validate(FULL))
    assert_sdk_model_info(info)
    parsed = ModelInfo.model_validate(info)
    assert parsed.line == "sonnet"
    assert parsed.max_tokens == 64000
    assert parsed.deprecated_at is not None
    assert parsed.deprecated_at.isoformat() == "2026-01-05T00:00:00+00:00"
    assert parsed.capabilities is not None
    assert parsed.capabilities.thinking.supported is True


@pytest.mark.parametrize("status", ["active", "deprecated", "retired"])
def test_a_model_info_with_no_optional_field_is_the_sdks_model_info(status: str) -> None:
    model = make_model("m", lifecycle={"status": status})
    assert_sdk_model_info(info_of(model))


def test_a_page_has_exactly_the_keys_of_anthropics_page() -> None:
    body = bundled_snapshot().anthropic_page(None, [], DEFAULT_LIFECYCLES, limit=1)
    assert list(page_of(body)) == ["data", "has_more", "first_id", "last_id"]


# -- order and pages -------------------------------------------------------------------------


def test_newest_first_and_equal_times_keep_curated_order() -> None:
    snapshot = snapshot_of(
        make_model("old", created=100),
        make_model("new-a", created=300),
        make_model("middle", created=200),
        make_model("new-b", created=300),
    )
    order = ["new-a", "new-b", "middle", "old"]
    assert [model.id for model in snapshot.anthropic.models] == order
    assert ids(snapshot.anthropic_page(None, [], ALL, limit=20)) == order


def test_page_items_are_the_retrieve_bodies() -> None:
    snapshot = snapshot_of(make_model("a", created=1), Model.model_validate(FULL))
    for item in page_of(snapshot.anthropic_page(None, [], ALL, limit=20))["data"]:
        assert item == json.loads(snapshot.anthropic.model_body(item["id"]).content)


EIGHT = [f"m{index}" for index in range(8)]  # newest first


@pytest.fixture
def eight() -> CatalogSnapshot:
    """Eight models, m0 the newest; odd ones owned by anthropic, even ones by openai."""
    return snapshot_of(
        *(
            make_model(
                model_id,
                created=1000 - index,
                owned_by="anthropic" if index % 2 else "openai",
            )
            for index, model_id in enumerate(EIGHT)
        )
    )


def page(
    snapshot: CatalogSnapshot,
    *,
    limit: int,
    owned_by: str | None = None,
    after_id: str | None = None,
    before_id: str | None = None,
) -> dict[str, Any]:
    body = snapshot.anthropic_page(
        owned_by, [], ALL, limit=limit, after_id=after_id, before_id=before_id
    )
    return page_of(body)


def test_the_first_page(eight: CatalogSnapshot) -> None:
    first = page(eight, limit=3)
    assert [item["id"] for item in first["data"]] == ["m0", "m1", "m2"]
    assert (first["has_more"], first["first_id"], first["last_id"]) == (True, "m0", "m2")


@pytest.mark.parametrize("limit", [1, 3, 7, 8])
def test_after_id_walks_forward_without_gap_or_repeat(eight: CatalogSnapshot, limit: int) -> None:
    current = page(eight, limit=limit)
    seen = [item["id"] for item in current["data"]]
    while current["has_more"]:
        current = page(eight, limit=limit, after_id=current["last_id"])
        assert len(current["data"]) <= limit
        assert current["first_id"] == current["data"][0]["id"]
        seen += [item["id"] for item in current["data"]]
    assert seen == EIGHT


def test_before_id_walks_backward_a_page_just_before_the_cursor(eight: CatalogSnapshot) -> None:
    back = page(eight, limit=3, before_id="m7")
    assert [item["id"] for item in back["data"]] == ["m4", "m5", "m6"]  # in list order
    assert (back["has_more"], back["first_id"], back["last_id"]) == (True, "m4", "m6")
    back = page(eight, limit=3, before_id=back["first_id"])
    assert [item["id"] for item in back["data"]] == ["m1", "m2", "m3"]
    assert back["has_more"] is True
    back = page(eight, limit=3, before_id=back["first_id"])
    assert [item["id"] for item in back["data"]] == ["m0"]
    assert back["has_more"] is False


def test_a_backward_walk_meets_every_model_once(eight: CatalogSnapshot) -> None:
    seen = ["m7"]
    cursor = "m7"
    while True:
        back = page(eight, limit=2, before_id=cursor)
        seen = [item["id"] for item in back["data"]] + seen
        if not back["has_more"]:
            break
        cursor = back["first_id"]
    assert seen == EIGHT


def test_nothing_beyond_the_ends(eight: CatalogSnapshot) -> None:
    empty = {"data": [], "has_more": False, "first_id": None, "last_id": None}
    assert page(eight, limit=3, after_id="m7") == empty
    assert page(eight, limit=3, before_id="m0") == empty


def test_a_limit_larger_than_the_list_is_the_whole_list(eight: CatalogSnapshot) -> None:
    whole = page(eight, limit=1000)
    assert [item["id"] for item in whole["data"]] == EIGHT
    assert (whole["has_more"], whole["first_id"], whole["last_id"]) == (False, "m0", "m7")
    assert [item["id"] for item in page(eight, limit=1000, after_id="m5")["data"]] == ["m6", "m7"]
    assert [item["id"] for item in page(eight, limit=1000, before_id="m2")["data"]] == ["m0", "m1"]


def test_an_empty_list_has_no_ids(eight: CatalogSnapshot) -> None:
    empty = {"data": [], "has_more": False, "first_id": None, "last_id": None}
    # A provider the catalog does not have, and a filter that matches nothing.
    assert page(eight, limit=3, owned_by="meta") == empty
    nothing = eight.anthropic_page(None, ["reasoning"], ALL, limit=3)
    assert page_of(nothing) == empty
    # A cursor still has to be an id of the catalog.
    assert page(eight, limit=3, owned_by="meta", after_id="m1") == empty
    with pytest.raises(InvalidCursor):
        page(eight, limit=3, owned_by="meta", after_id="nope")


def test_a_cursor_the_filter_leaves_out_still_has_its_place(eight: CatalogSnapshot) -> None:
    # m2 and m4 are openai's: anthropic's list is m1, m3, m5, m7.
    after = page(eight, limit=2, owned_by="anthropic", after_id="m2")
    assert [item["id"] for item in after["data"]] == ["m3", "m5"]
    assert after["has_more"] is True
    before = page(eight, limit=5, owned_by="anthropic", before_id="m4")
    assert [item["id"] for item in before["data"]] == ["m1", "m3"]
    assert before["has_more"] is False


@pytest.mark.parametrize("param", ["after_id", "before_id"])
@pytest.mark.parametrize("value", ["nope", "", "M0", "x" * 500])
def test_an_unknown_cursor_is_invalid_and_names_its_param(
    eight: CatalogSnapshot, param: str, value: str
) -> None:
    with pytest.raises(InvalidCursor) as caught:
        page(eight, limit=3, **{param: value})
    assert (caught.value.param, caught.value.value) == (param, value)
    assert param in str(caught.value)
    assert len(str(caught.value)) < 300  # a long value is cut in the message


def test_an_alias_is_no_cursor() -> None:
    snapshot = snapshot_of(make_model("m", aliases=["m-latest"]))
    with pytest.raises(InvalidCursor):
        snapshot.anthropic_page(None, [], ALL, limit=1, after_id="m-latest")


@pytest.mark.parametrize(
    ("owned_by", "capabilities", "statuses", "min_context_length"),
    [
        (None, [], (), None),
        ("anthropic", [], (), None),
        (None, ["reasoning"], (), None),
        (None, [], DEFAULT_LIFECYCLES, None),
        (None, [], {"retired"}, None),
        (None, [], (), 150000),
        ("openai", ["vision"], {"active", "retired"}, 100000),
    ],
)
def test_filters_select_what_the_openai_list_selects(
    owned_by: str | None,
    capabilities: list[str],
    statuses: Collection[str],
    min_context_length: int | None,
) -> None:
    snapshot = snapshot_of(
        make_model("a", created=5, owned_by="anthropic", context_length=200000),
        make_model("b", created=9, lifecycle={"status": "retired"}),
        make_model("c", created=7, capabilities={**CAPS, "reasoning": True}),
        make_model("d", created=7, owned_by="anthropic", lifecycle={"status": "deprecated"}),
        make_model("e", created=1, context_length=150000),
    )
    created = {model.id: model.created for model in snapshot.models}
    openai = ids(snapshot.list_body_for(owned_by, capabilities, statuses, min_context_length))
    # Both dialects list the same models by default: active and deprecated ones.
    anthropic = snapshot.anthropic_page(
        owned_by, capabilities, statuses or DEFAULT_LIFECYCLES, min_context_length, limit=1000
    )
    assert ids(anthropic) == sorted(openai, key=lambda model_id: -created[model_id])


def test_no_status_to_list_lists_nothing_but_still_checks_the_cursor(
    eight: CatalogSnapshot,
) -> None:
    # A `lifecycle` and a `status` that do not intersect.
    empty = {"data": [], "has_more": False, "first_id": None, "last_id": None}
    assert page_of(eight.anthropic_page(None, [], (), limit=20)) == empty
    assert page_of(eight.anthropic_page(None, [], (), limit=20, before_id="m3")) == empty
    with pytest.raises(InvalidCursor):
        eight.anthropic_page(None, [], (), limit=20, after_id="nope")


def test_the_default_lifecycles_leave_retired_models_out() -> None:
    snapshot = snapshot_of(
        make_model("active"),
        make_model("deprecated", lifecycle={"status": "deprecated"}),
        make_model("retired", lifecycle={"shutdown_at": "2026-01-01"}),
    )
    listed = ids(snapshot.anthropic_page(None, [], DEFAULT_LIFECYCLES, limit=20))
    assert listed == ["active", "deprecated"]


def test_an_unknown_filter_is_refused_as_on_the_openai_list(eight: CatalogSnapshot) -> None:
    with pytest.raises(InvalidFilter):
        eight.anthropic_page(None, ["telepathy"], ALL, limit=3)
    with pytest.raises(InvalidFilter):
        eight.anthropic_page(None, [], {"sunset"}, limit=3)


# -- built once, kept within a bound ---------------------------------------------------------


def test_a_page_is_built_once(eight: CatalogSnapshot) -> None:
    assert eight.anthropic is eight.anthropic
    first = eight.anthropic_page(None, [], ALL, limit=3, after_id="m1")
    assert eight.anthropic_page(None, [], ALL, limit=3, after_id="m1") is first
    # The whole list, however large the limit asked.
    assert eight.anthropic_page(None, [], ALL, limit=1000) is eight.anthropic_page(
        None, [], ALL, limit=20
    )
    # Equal filters, however spelt, are one page.
    assert eight.anthropic_page(None, ["vision", "vision"], ALL, limit=2) is eight.anthropic_page(
        None, ["vision"], ALL, limit=2
    )


def test_the_page_cache_keeps_the_most_recent_pages_within_its_bound(
    eight: CatalogSnapshot, monkeypatch: pytest.MonkeyPatch
) -> None:
    one = len(eight.anthropic_page(None, [], ALL, limit=1).content)  # a page of one model
    monkeypatch.setattr(catalog.anthropic, "PAGE_CACHE_BYTES", 2 * one + one // 2)
    view = snapshot_of(*eight.models).anthropic

    def single(after_id: str) -> Body:
        return view.page("all", lambda _: True, limit=1, after_id=after_id)

    first, second = single("m0"), single("m1")
    assert single("m0") is first  # m0's page now the most recent
    third = single("m2")  # over the bound: the least recent, m1's page, goes
    assert single("m0") is first
    assert single("m2") is third
    again = single("m1")
    assert again is not second
    assert again.content == second.content  # rebuilt, the same bytes
    assert view._pages.size <= catalog.anthropic.PAGE_CACHE_BYTES
    assert len(view._pages) == 2


def test_a_page_over_the_bound_is_served_but_not_kept(
    eight: CatalogSnapshot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(catalog.anthropic, "PAGE_CACHE_BYTES", 100)
    view = snapshot_of(*eight.models).anthropic
    whole = view.page("all", lambda _: True, limit=1000)
    assert [item["id"] for item in page_of(whole)["data"]] == EIGHT
    assert view.page("all", lambda _: True, limit=1000) is not whole
    assert (len(view._pages), view._pages.size) == (0, 0)


# -- retrieve --------------------------------------------------------------------------------


def test_retrieve_by_id_and_by_alias_is_one_body() -> None:
    model = Model.model_validate(FULL)
    view = snapshot_of(model).anthropic
    body = view.model_body("claude-x")
    assert view.model_body("claude-x-latest") is body
    assert json.loads(body.content)["id"] == "claude-x"
    assert json.loads(body.content) == model_info(model, "deprecated")


def test_an_alias_naming_another_model_is_ignored_as_on_the_openai_side(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="catalog.snapshot"):
        snapshot = snapshot_of(
            make_model("a", aliases=["b", "shared"]),
            make_model("b", aliases=["shared"]),
        )
    assert any("'b'" in record.getMessage() for record in caplog.records)
    for name, owner in [("b", "b"), ("shared", "a")]:
        assert json.loads(snapshot.anthropic.model_body(name).content)["id"] == owner
        assert json.loads(snapshot.model_body(name).content)["id"] == owner


@pytest.mark.parametrize("model_id", ["nope", "A", "a-latest-", ""])
def test_an_unknown_model_is_not_found(model_id: str) -> None:
    view = snapshot_of(make_model("a", aliases=["a-latest"])).anthropic
    with pytest.raises(ModelNotFound) as caught:
        view.model_body(model_id)
    assert caught.value.model_id == model_id


def test_a_deprecated_model_carries_the_openai_retrieve_headers() -> None:
    snapshot = snapshot_of(Model.model_validate(FULL), make_model("fresh"))
    for name in ("claude-x", "claude-x-latest"):
        headers = dict(snapshot.anthropic.model_body(name).headers)
        assert headers == dict(snapshot.model_body(name).headers)
        assert headers["Deprecation"] == f"@{int(day_start('2026-01-05'))}"
        assert headers["Sunset"] == "Tue, 01 Sep 2026 00:00:00 GMT"
        assert headers["Link"] == '</v1/models/y>; rel="successor-version"'
    assert snapshot.anthropic.model_body("fresh").headers == ()


# -- a model the Anthropic shape cannot carry ------------------------------------------------


@pytest.mark.parametrize("created", [253402300800, 2**53 - 1])  # 10000-01-01, the largest
def test_a_created_past_year_9999_leaves_the_model_out_of_the_anthropic_shape_only(
    created: int, caplog: pytest.LogCaptureFixture
) -> None:
    """Validation refuses such a `created` (catalog.limits.MAX_CREATED); a model built some
    other way is still left out of this shape only, not served to fail the request."""
    far = make_model("far", created=1).model_copy(update={"created": created})
    snapshot = snapshot_of(make_model("before", created=2), far, make_model("after", created=1))
    with caplog.at_level(logging.WARNING, logger="catalog.anthropic"):
        view = snapshot.anthropic
    assert [model.id for model in view.models] == ["before", "after"]
    assert ids(snapshot.anthropic_page(None, [], ALL, limit=20)) == ["before", "after"]
    with pytest.raises(ModelNotFound):
        view.model_body("far")
    assert any(
        record.levelno == logging.WARNING and "'far'" in record.getMessage()
        for record in caplog.records
    )
    # The OpenAI shape has no such limit: it still serves the model.
    assert ids(snapshot.list_body) == ["before", "far", "after"]
    assert json.loads(snapshot.model_body("far").content)["created"] == created
    for item in view.items:
        assert_sdk_model_info(json.loads(item))

"""/openapi.json tells the truth: schemathesis sends generated requests, valid and invalid, with
and without a key, and checks every answer against the document (status codes, headers, content
types, bodies, and that schema-valid requests are accepted and invalid ones refused).

Both dialects: the `anthropic-version` header is an optional parameter of the /v1 operations,
which schemathesis sends in some cases and not in others, so each operation is exercised in
OpenAI's dialect and in Anthropic's (counted: of the list's requests about 60 % carry it, of
the retrieve's about 35 %; each dialect's list gets some 140 invalid requests refused with a 400).
`_anthropic_where_it_applies` says why some generated cases are adjusted, and how.

Over 1,000 cases in all, on a catalog in the in-memory store with a dev key (so the filters
meet providers, aliases, lines and lifecycle statuses the bundled catalog lacks).
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from handler.app import create_app
from handler.dialects.anthropic import MAX_LIFECYCLE_VALUES
from tests.support.factories import model_doc
from tests.support.http import DEV_KEY
from tests.support.services import make_services, memory_catalog

pytestmark = pytest.mark.slow

# Examples per operation and per test below; there are 6 operations (GET and HEAD of list,
# retrieve and health) and 2 tests: over 1,000 generated requests with a key and over 1,000
# without (some operations have fewer distinct cases than the limit: counted, 2,700 or so).
EXAMPLES = 250

_MODELS = [
    model_doc("gpt-x"),
    model_doc("meta-llama/llama-3.1-70b-instruct", owned_by="meta"),
    model_doc(
        "vision-free", owned_by="acme", capabilities={"vision": False, "function_calling": True}
    ),
    # Catalog v2: every optional field, aliases, and each lifecycle status with its headers.
    # (In Anthropic's list, newest first: gpt-x-2 is the newest.)
    model_doc(
        "gpt-x-2",
        capabilities={
            "vision": True,
            "function_calling": True,
            "structured_outputs": True,
            "reasoning": True,
            "prompt_caching": False,
        },
        display_name="GPT X 2",
        max_output_tokens=32000,
        modalities={"input": ["text", "image", "pdf"], "output": ["text"]},
        pricing={"input_per_mtok": 1.25, "output_per_mtok": 10, "cached_input_per_mtok": 0},
        knowledge_cutoff="2025-06",
        aliases=["gpt-x-latest", "gpt-x-2-2026-01-01"],
        line="opus",
        created=1767225600,
    ),
    model_doc(
        "gpt-x-old",
        lifecycle={
            "deprecated_at": "2025-01-01",
            "shutdown_at": "2099-01-01",
            "successor": "gpt-x-2",
        },
    ),
    model_doc(
        "acme/retired:v1",
        owned_by="acme",
        lifecycle={"shutdown_at": "2024-01-01", "successor": "gpt-x-2"},
    ),
    model_doc("stated", owned_by="acme", lifecycle={"status": "deprecated"}),
]
_catalog = memory_catalog(_MODELS)
app = create_app(make_services(_catalog, dev_key=DEV_KEY))
_settings = settings(
    max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None
)


# The list's parameters that apply only with `anthropic-version` (the document says so of each).
ANTHROPIC_ONLY = frozenset({"limit", "after_id", "before_id", "lifecycle", "lifecycle[]"})
_MODEL_IDS = [doc["id"] for doc in _MODELS]


def _anthropic_where_it_applies(context: Any, case: Any) -> Any:
    """Gives generated cases the meaning of what the document says in words and OpenAPI
    cannot say in a schema. Schemathesis revalidates a case a hook changed, so each keeps an
    honest positive or negative label, and every check runs on it as configured (no status added
    to a check's list, no case skipped).

    - The Anthropic-only parameters are conditional on a header. Without `anthropic-version`
      the server ignores them by design (the OpenAI dialect answers as it always did), so an
      invalid value of one is not invalid data there, and schemathesis, which has no conditional
      parameters, would count `limit=0` accepted without the header as a failure. So a negative
      case without the header is sent without them, as the server reads it: if its invalid value
      was elsewhere it stays negative and must be refused; if it was only in those, it is now
      positive and must be answered. A case with the header keeps them: there they are negated
      where they apply, and must be refused (400). Positive cases without the header keep them
      too: valid values, ignored.
    - With the header, a valid `after_id` / `before_id` is an id of this catalog (both together
      ask for the page between them), and `lifecycle` and `lifecycle[]` hold at most
      MAX_LIFECYCLE_VALUES values between them: a positive case is made to say so (an id of the
      catalog in place of the generated string, as a client that read `first_id` / `last_id`
      sends). A negative case
      keeps its values: the 400 it gets is what the check asks for.
    - The coverage phase mutates one parameter at a time on a base that fills every optional
      one, the header included, so without this every such case would be Anthropic's: the
      mutation of a query parameter both dialects share is sent without the header, in the
      OpenAI dialect, as before the Anthropic one existed (the fuzzing phase sends invalid shared
      values in both dialects); the mutation of an Anthropic-only parameter keeps the header.
    """
    meta = case.meta
    if meta is None:
        return case
    query = case.query or {}
    negative = meta.generation.mode.is_negative
    speaks_anthropic = any(name.lower() == "anthropic-version" for name in case.headers or {})
    if (
        negative
        and speaks_anthropic
        and _mutated_query_parameter(meta) not in (None, *ANTHROPIC_ONLY)
    ):
        case.headers = {
            name: value
            for name, value in case.headers.items()
            if name.lower() != "anthropic-version"
        }
        return case
    if not ANTHROPIC_ONLY & set(query):
        return case
    if not speaks_anthropic:
        if negative:
            case.query = {
                name: value for name, value in query.items() if name not in ANTHROPIC_ONLY
            }
        return case
    if negative:
        return case
    fixed = dict(query)
    for cursor in ("after_id", "before_id"):
        if cursor in fixed:
            fixed[cursor] = _MODEL_IDS[len(str(fixed[cursor])) % len(_MODEL_IDS)]
    if "lifecycle[]" in fixed:
        room = max(MAX_LIFECYCLE_VALUES - len(_as_list(fixed.get("lifecycle"))), 0)
        fixed["lifecycle[]"] = _as_list(fixed["lifecycle[]"])[:room]
    if fixed != query:
        case.query = fixed
    return case


def _mutated_query_parameter(meta: Any) -> str | None:
    """The query parameter a coverage-phase case made invalid, if that is what it did."""
    data = meta.phase.data
    if getattr(data, "parameter_location", None) != "query":
        return None
    parameter: str | None = getattr(data, "parameter", None)
    return parameter


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _schema() -> Any:
    loaded = schemathesis.openapi.from_asgi("/openapi.json", app)
    # An undeclared query parameter is ignored, as HTTP APIs commonly do (clients add their own,
    # e.g. `order`), not refused: do not send them as "invalid data".
    loaded.config.generation.update(allow_extra_parameters=False)
    loaded.hook("map_case")(_anthropic_where_it_applies)
    return loaded


authenticated = _schema()
anonymous = _schema()


@authenticated.auth()
class DevKey:
    """The key, given the way schemathesis knows of, so its negative cases can still drop it."""

    def get(self, case: Any, context: Any) -> str:
        return DEV_KEY

    def set(self, case: Any, data: str, context: Any) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


@pytest.fixture(autouse=True)
def _progress_line(request: pytest.FixtureRequest, capsys: pytest.CaptureFixture[str]) -> None:
    """A line as each operation's run starts: the module takes a minute or more, and pytest's
    own progress cannot show it (schemathesis' items of one test share a node id, so pytest
    prints them under one name and counts them as one)."""
    with capsys.disabled():
        print(f"\n{request.node.name}: generating and sending requests ", end="", flush=True)


@authenticated.parametrize()
@_settings
def test_authenticated_requests_conform(case: Any) -> None:
    case.call_and_validate()


@anonymous.parametrize()
@_settings
def test_anonymous_requests_conform(case: Any) -> None:
    case.call_and_validate()

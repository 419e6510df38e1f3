"""/openapi.json tells the truth: schemathesis sends generated requests, valid and invalid, with
and without a key, and checks every answer against the document (status codes, headers, content
types, bodies, and that schema-valid requests are accepted and invalid ones refused).

Over 1,000 cases in all, against the app with the bundled catalog and a dev key, on a catalog
in the in-memory store too (so the filters meet providers the bundled catalog lacks).
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from handler.app import create_app
from tests.support.factories import model_doc
from tests.support.http import DEV_KEY
from tests.support.services import make_services, memory_catalog

pytestmark = pytest.mark.slow

# Examples per operation and per test below; there are 6 operations (GET and HEAD of list,
# retrieve and health) and 2 tests: over 1,000 generated requests with a key and over 1,000
# without (some operations have fewer distinct cases than the limit: counted, 2,600 or so).
EXAMPLES = 250

_catalog = memory_catalog(
    [
        model_doc("gpt-x"),
        model_doc("meta-llama/llama-3.1-70b-instruct", owned_by="meta"),
        model_doc(
            "vision-free", owned_by="acme", capabilities={"vision": False, "function_calling": True}
        ),
        # Catalog v2: every optional field, aliases, and each lifecycle status with its headers.
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
)
app = create_app(make_services(_catalog, dev_key=DEV_KEY))
_settings = settings(
    max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None
)


def _schema() -> Any:
    loaded = schemathesis.openapi.from_asgi("/openapi.json", app)
    # An undeclared query parameter is ignored, as HTTP APIs commonly do (clients add their own,
    # e.g. `limit`), not refused: do not send them as "invalid data".
    loaded.config.generation.update(allow_extra_parameters=False)
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


@authenticated.parametrize()
@_settings
def test_authenticated_requests_conform(case: Any) -> None:
    case.call_and_validate()


@anonymous.parametrize()
@_settings
def test_anonymous_requests_conform(case: Any) -> None:
    case.call_and_validate()

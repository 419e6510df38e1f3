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

from handler.api import create_app
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

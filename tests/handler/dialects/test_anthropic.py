"""handler/dialects/anthropic.py, the Anthropic dialect over HTTP: negotiation on
`anthropic-version`, ModelInfo pages walked with cursors, Anthropic's lifecycle filter, its
error shape and `request-id`, caching headers.

Authentication in both dialects is tested in tests/handler/test_auth.py; the ModelInfo mapping
and the page arithmetic themselves in tests/catalog.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

from catalog.problems import VALUE_LIMIT
from handler.deps import Services
from handler.dialects import VARY
from tests.support.factories import model_doc
from tests.support.http import DEV_KEY, api_client, assert_anthropic_error, assert_openai_error
from tests.support.services import broken_services, make_services, memory_catalog

if TYPE_CHECKING:
    from fastapi.testclient import TestClient
    from httpx2 import Response

    from catalog.snapshot import CatalogSnapshot

ANTHROPIC = {"anthropic-version": "2023-06-01"}
PAGE_KEYS = {"data", "has_more", "first_id", "last_id"}
DAY = 86400
CREATED = 1_700_000_000

# Curated oldest first, so Anthropic's order (newest first) is the reverse of the OpenAI one.
PAGING_CATALOG = [
    model_doc(f"m{n}", created=CREATED + n * DAY, aliases=[f"m{n}-latest"]) for n in range(1, 8)
]
NEWEST_FIRST = [f"m{n}" for n in range(7, 0, -1)]

# Statuses on the real clock: dates far enough away that no run of the suite sees them change.
LIFECYCLE_CATALOG = [
    model_doc(
        "small",
        created=CREATED,
        context_length=8000,
        capabilities={"vision": False, "function_calling": True},
    ),
    model_doc(
        "gone",
        created=CREATED + DAY,
        owned_by="anthropic",
        context_length=200000,
        capabilities={"vision": False, "function_calling": True},
        lifecycle={"shutdown_at": "2001-01-02", "successor": "live"},
    ),
    model_doc(
        "aging",
        created=CREATED + 2 * DAY,
        owned_by="anthropic",
        context_length=200000,
        capabilities={"vision": True, "function_calling": True},
        lifecycle={"deprecated_at": "2001-01-01", "shutdown_at": "2999-12-31"},
    ),
    model_doc(
        "live",
        created=CREATED + 3 * DAY,
        context_length=128000,
        capabilities={"vision": True, "function_calling": True, "reasoning": True},
    ),
]


def snapshot_of(client: TestClient) -> CatalogSnapshot:
    """The snapshot the client's app serves now."""
    services: Services = client.app.state.services  # type: ignore[attr-defined]
    return services.catalog_cache.current().snapshot


@pytest.fixture
def paging() -> Iterator[TestClient]:
    with api_client(services=make_services(memory_catalog(PAGING_CATALOG))) as client:
        yield client


@pytest.fixture
def lifecycles() -> Iterator[TestClient]:
    with api_client(services=make_services(memory_catalog(LIFECYCLE_CATALOG))) as client:
        yield client


def anthropic_get(client: TestClient, url: str, **headers: str) -> Response:
    return client.get(url, headers={**ANTHROPIC, **headers})


def ids(response: Response) -> list[str]:
    assert response.status_code == 200, response.text
    assert set(response.json()) == PAGE_KEYS
    return [model["id"] for model in response.json()["data"]]


# --- negotiation ------------------------------------------------------------------------------


def test_without_anthropic_version_the_bodies_are_the_openai_ones_byte_for_byte(
    paging: TestClient,
) -> None:
    snapshot = snapshot_of(paging)
    for extra in ({}, {"x-api-key": DEV_KEY}, {"anthropic-beta": "models-2025"}):
        headers = {"Accept-Encoding": "identity", **extra}
        listed = paging.get("/v1/models", headers=headers)
        assert listed.status_code == 200
        assert listed.content == snapshot.list_body.content
        assert listed.headers["etag"] == snapshot.list_body.etag
        one = paging.get("/v1/models/m3-latest", headers=headers)
        assert one.content == snapshot.model_body("m3").content
        assert one.headers["etag"] == snapshot.model_body("m3").etag
        assert "request-id" not in listed.headers
        assert "request-id" not in one.headers
        assert listed.headers["x-request-id"]


@pytest.mark.parametrize("version", ["2023-06-01", "garbage", "2099-01-01"])
def test_any_anthropic_version_gets_the_anthropic_shape(paging: TestClient, version: str) -> None:
    listed = paging.get("/v1/models", headers={"anthropic-version": version})
    assert ids(listed) == NEWEST_FIRST
    body = listed.json()
    assert (body["has_more"], body["first_id"], body["last_id"]) == (False, "m7", "m1")
    assert all(model["type"] == "model" for model in body["data"])
    assert listed.headers["request-id"] == listed.headers["x-request-id"]
    one = paging.get("/v1/models/m3", headers={"anthropic-version": version})
    assert one.status_code == 200
    assert one.json()["type"] == "model"
    assert one.json()["id"] == "m3"
    assert one.json()["created_at"] == "2023-11-17T22:13:20Z"  # CREATED + 3 days
    assert "object" not in one.json()
    assert one.content == snapshot_of(paging).anthropic.model_body("m3").content


@pytest.mark.parametrize("url", ["/v1/models", "/v1/models/m2"])
def test_each_dialect_has_its_own_etag_and_revalidates_with_it(
    paging: TestClient, url: str
) -> None:
    openai = paging.get(url)
    anthropic = anthropic_get(paging, url)
    assert anthropic.headers["etag"] != openai.headers["etag"]
    assert anthropic.headers["etag"] == anthropic_get(paging, url).headers["etag"]
    for response in (openai, anthropic):
        assert response.headers["vary"] == VARY
        assert response.headers["cache-control"] == "private, no-cache"
    revalidated = anthropic_get(paging, url, **{"If-None-Match": anthropic.headers["etag"]})
    assert revalidated.status_code == 304
    assert revalidated.content == b""
    assert revalidated.headers["etag"] == anthropic.headers["etag"]
    assert revalidated.headers["vary"] == VARY
    assert revalidated.headers["request-id"] == revalidated.headers["x-request-id"]
    # A copy of the other dialect's body is not current: the whole body comes back.
    crossed = paging.get(url, headers={"If-None-Match": anthropic.headers["etag"]})
    assert crossed.status_code == 200
    assert crossed.content == openai.content
    crossed = anthropic_get(paging, url, **{"If-None-Match": openai.headers["etag"]})
    assert crossed.status_code == 200
    assert crossed.content == anthropic.content


def test_a_large_anthropic_page_is_gzipped_under_its_own_etag() -> None:
    docs = [model_doc(f"model-{n}", created=CREATED + n) for n in range(40)]
    with api_client(services=make_services(memory_catalog(docs))) as client:
        plain = anthropic_get(client, "/v1/models?limit=1000", **{"Accept-Encoding": "identity"})
        assert "content-encoding" not in plain.headers
        assert len(ids(plain)) == 40
        gzipped = anthropic_get(client, "/v1/models?limit=1000", **{"Accept-Encoding": "gzip"})
        assert gzipped.headers["content-encoding"] == "gzip"
        assert gzipped.json() == plain.json()  # httpx decoded it
        assert int(gzipped.headers["content-length"]) < len(plain.content) / 3
        assert gzipped.headers["etag"] == plain.headers["etag"][:-1] + '-gzip"'
        assert gzipped.headers["vary"] == VARY
        openai = client.get("/v1/models", headers={"Accept-Encoding": "gzip"})
        assert openai.headers["content-encoding"] == "gzip"
        assert openai.headers["etag"] != gzipped.headers["etag"]
        for etag in (gzipped.headers["etag"], plain.headers["etag"]):
            again = anthropic_get(
                client,
                "/v1/models?limit=1000",
                **{"Accept-Encoding": "gzip", "If-None-Match": etag},
            )
            assert again.status_code == 304
            assert again.headers["etag"] == etag
            assert "content-encoding" not in again.headers


@pytest.mark.parametrize("url", ["/v1/models?limit=3", "/v1/models/m5-latest"])
def test_head_answers_like_get_in_the_anthropic_dialect(paging: TestClient, url: str) -> None:
    get = anthropic_get(paging, url)
    head = paging.head(url, headers=ANTHROPIC)
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-length"] == get.headers["content-length"]
    assert head.headers["etag"] == get.headers["etag"]
    assert head.headers["vary"] == VARY
    assert head.headers["request-id"] == head.headers["x-request-id"]


@pytest.mark.parametrize(
    "query",
    [
        "limit=0",
        "limit=abc",
        "limit=5000",
        "after_id=nope",
        "before_id=nope",
        "after_id=m1&before_id=m2",
        "limit=1&after_id=m7",
        "lifecycle=retired",
        "lifecycle[]=sunset",
        "lifecycle=active&lifecycle=active&lifecycle=active&lifecycle=active",
    ],
)
def test_the_openai_dialect_ignores_the_anthropic_parameters(
    lifecycles: TestClient, query: str
) -> None:
    response = lifecycles.get(f"/v1/models?{query}")
    assert response.status_code == 200, response.text
    assert response.content == snapshot_of(lifecycles).list_body.content
    # The default list, as Anthropic's: the retired model only when asked.
    assert [model["id"] for model in response.json()["data"]] == ["small", "aging", "live"]


# --- lifecycle and filters --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["live", "aging", "small"]),  # Anthropic's default: active and deprecated
        ("lifecycle=retired", ["gone"]),
        ("lifecycle=deprecated", ["aging"]),
        ("lifecycle[]=active&lifecycle[]=retired", ["live", "gone", "small"]),  # the SDK's way
        ("lifecycle=deprecated&lifecycle[]=retired", ["aging", "gone"]),
        (
            "lifecycle=active&lifecycle=deprecated&lifecycle=retired",
            ["live", "aging", "gone", "small"],
        ),
        ("status=retired", ["gone"]),
        ("status=active&status=deprecated&status=retired", ["live", "aging", "gone", "small"]),
        ("lifecycle=active&status=retired", []),  # both: the models in both
        ("lifecycle=deprecated&lifecycle=retired&status=retired&status=active", ["gone"]),
        ("lifecycle[]=retired&status=retired", ["gone"]),
        ("owned_by=anthropic", ["aging"]),
        ("owned_by=anthropic&lifecycle=retired", ["gone"]),
        ("owned_by=nobody", []),
        ("capability=vision", ["live", "aging"]),
        ("capability=vision&capability=reasoning", ["live"]),
        ("capability=reasoning&lifecycle=deprecated", []),
        ("min_context_length=100000", ["live", "aging"]),
        ("min_context_length=200000&lifecycle=retired", ["gone"]),
        ("min_context_length=200001", []),
    ],
)
def test_lifecycle_and_filters_in_the_anthropic_list(
    lifecycles: TestClient, query: str, expected: list[str]
) -> None:
    response = anthropic_get(lifecycles, f"/v1/models?{query}")
    assert ids(response) == expected
    body = response.json()
    assert body["has_more"] is False
    assert body["first_id"] == (expected[0] if expected else None)
    assert body["last_id"] == (expected[-1] if expected else None)


def test_the_anthropic_retrieve_states_lifecycle_and_dates(lifecycles: TestClient) -> None:
    expected: dict[str, tuple[Any, ...]] = {
        "live": ("active", None, None),
        "aging": ("deprecated", "2001-01-01T00:00:00Z", "2999-12-31T00:00:00Z"),
        "gone": ("retired", None, "2001-01-02T00:00:00Z"),
    }
    for model_id, (status, deprecated_at, retires_at) in expected.items():
        info = anthropic_get(lifecycles, f"/v1/models/{model_id}").json()
        assert (info["lifecycle"], info["deprecated_at"], info["retires_at"]) == (
            status,
            deprecated_at,
            retires_at,
        ), model_id
    gone = anthropic_get(lifecycles, "/v1/models/gone")
    assert gone.headers["sunset"] == "Tue, 02 Jan 2001 00:00:00 GMT"
    assert gone.headers["link"] == '</v1/models/live>; rel="successor-version"'


# --- paging -----------------------------------------------------------------------------------


def walk(client: TestClient, query: str, cursor: str) -> tuple[list[list[str]], list[bool]]:
    """Follow the pages from `query` by `cursor` (after_id: the last id; before_id: the
    first) until has_more is false: each page's ids and has_more."""
    pages: list[list[str]] = []
    more: list[bool] = []
    while True:
        body = anthropic_get(client, f"/v1/models?{query}").json()
        pages.append([model["id"] for model in body["data"]])
        more.append(body["has_more"])
        assert (body["first_id"], body["last_id"]) == (pages[-1][0], pages[-1][-1])
        if not body["has_more"]:
            return pages, more
        next_id = body["last_id"] if cursor == "after_id" else body["first_id"]
        query = f"limit=2&{cursor}={next_id}"


def test_walking_seven_models_two_at_a_time_forward_and_back(paging: TestClient) -> None:
    pages, more = walk(paging, "limit=2", "after_id")
    assert pages == [["m7", "m6"], ["m5", "m4"], ["m3", "m2"], ["m1"]]
    assert more == [True, True, True, False]

    pages, more = walk(paging, "limit=2&before_id=m1", "before_id")
    assert pages == [["m3", "m2"], ["m5", "m4"], ["m7", "m6"]]
    assert more == [True, True, False]


@pytest.mark.parametrize(
    ("query", "expected", "has_more"),
    [
        ("", NEWEST_FIRST, False),  # the default limit holds them all
        ("limit=1", ["m7"], True),
        ("limit=7", NEWEST_FIRST, False),
        ("limit=1000", NEWEST_FIRST, False),
        ("after_id=m1", [], False),
        ("before_id=m7", [], False),
        ("after_id=m4&limit=10", ["m3", "m2", "m1"], False),
        ("before_id=m4&limit=10", ["m7", "m6", "m5"], False),
        ("before_id=m2&limit=3", ["m5", "m4", "m3"], True),
        ("after_id=m7-latest", None, None),  # a cursor is an id, not an alias
    ],
)
def test_limit_and_cursors_from_the_query_string(
    paging: TestClient, query: str, expected: list[str] | None, has_more: bool | None
) -> None:
    response = anthropic_get(paging, f"/v1/models?{query}")
    if expected is None:
        assert_anthropic_error(response, 400, "invalid_request_error")
        return
    assert ids(response) == expected
    assert response.json()["has_more"] is has_more


def test_both_cursors_are_accepted_as_the_schema_says(paging: TestClient) -> None:
    """Issue 18: `after_id` with `before_id` is a page, as Anthropic's own SDK tests send them
    (the document allows both; the server refused them with a 400)."""
    response = anthropic_get(paging, "/v1/models?after_id=m7&before_id=m3")
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("query", "expected", "has_more"),
    [
        ("after_id=m7&before_id=m3", ["m6", "m5", "m4"], False),
        ("after_id=m6&before_id=m4&limit=5", ["m5"], False),
        ("after_id=m4&before_id=m3", [], False),
    ],
)
def test_both_cursors_are_the_page_between_them(
    paging: TestClient, query: str, expected: list[str], has_more: bool
) -> None:
    response = anthropic_get(paging, f"/v1/models?{query}")
    assert ids(response) == expected
    assert response.json()["has_more"] is has_more


def test_a_cursor_may_name_a_model_the_filter_leaves_out(lifecycles: TestClient) -> None:
    # `gone` is retired: not in the default list, but it still has its place in the order.
    assert ids(anthropic_get(lifecycles, "/v1/models?after_id=gone")) == ["small"]
    assert ids(anthropic_get(lifecycles, "/v1/models?before_id=gone")) == ["live", "aging"]


def test_retrieve_by_alias_answers_the_canonical_model(paging: TestClient) -> None:
    canonical = anthropic_get(paging, "/v1/models/m4")
    alias = anthropic_get(paging, "/v1/models/m4-latest")
    assert alias.status_code == 200
    assert alias.json()["id"] == "m4"
    assert alias.content == canonical.content
    assert alias.headers["etag"] == canonical.headers["etag"]
    assert "m4-latest" not in ids(anthropic_get(paging, "/v1/models"))


# --- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url", "status", "error_type", "message"),
    [
        ("GET", "/v1/models?limit=0", 400, "invalid_request_error", "'limit'"),
        ("GET", "/v1/models?limit=1001", 400, "invalid_request_error", "'limit'"),
        ("GET", "/v1/models?limit=abc", 400, "invalid_request_error", "'limit'"),
        ("GET", "/v1/models?limit=1_000", 400, "invalid_request_error", "'limit'"),
        ("GET", "/v1/models?limit=", 400, "invalid_request_error", "'limit'"),
        # Past 4,300 digits int() raises: a 400, not a 500.
        ("GET", "/v1/models?limit=" + "1" * 5000, 400, "invalid_request_error", "'limit'"),
        ("GET", "/v1/models?after_id=nope", 400, "invalid_request_error", "'after_id'"),
        ("GET", "/v1/models?before_id=nope", 400, "invalid_request_error", "'before_id'"),
        (
            "GET",
            "/v1/models?lifecycle=active&lifecycle=deprecated&lifecycle=retired&lifecycle[]=active",
            400,
            "invalid_request_error",
            "'lifecycle'",
        ),
        ("GET", "/v1/models?lifecycle=sunset", 400, "invalid_request_error", "'lifecycle'"),
        ("GET", "/v1/models?lifecycle[]=Active", 400, "invalid_request_error", "'lifecycle'"),
        ("GET", "/v1/models?status=sunset", 400, "invalid_request_error", "'status'"),
        ("GET", "/v1/models?owned_by=not%20a%20provider", 400, "invalid_request_error", "owned_by"),
        ("GET", "/v1/models?capability=sentience", 400, "invalid_request_error", "capability"),
        ("GET", "/v1/models?min_context_length=0", 400, "invalid_request_error", "min_context"),
        ("GET", "/v1/models/nope", 404, "not_found_error", "'nope'"),
        ("GET", "/v1/models/m1-old", 404, "not_found_error", "'m1-old'"),
        ("GET", "/v2/models", 404, "not_found_error", "/v2/models"),
        ("POST", "/v1/models", 405, "invalid_request_error", "POST"),
        ("DELETE", "/v1/models/m1", 405, "invalid_request_error", "DELETE"),
    ],
)
def test_errors_have_anthropics_shape_and_request_id(
    paging: TestClient, method: str, url: str, status: int, error_type: str, message: str
) -> None:
    response = paging.request(method, url, headers=ANTHROPIC)
    error = assert_anthropic_error(response, status, error_type)
    assert message in error["message"]
    assert response.headers["vary"] == VARY
    if status == 405:
        assert response.headers["allow"] == "GET, HEAD"


def test_a_missing_key_is_an_anthropic_401(paging: TestClient) -> None:
    response = paging.get("/v1/models", headers={**ANTHROPIC, "Authorization": ""})
    assert_anthropic_error(response, 401, "authentication_error")
    assert response.headers["vary"] == VARY


@pytest.mark.parametrize(
    ("method", "url", "status", "key"),
    [
        ("GET", "/v1/models?status=sunset", 400, DEV_KEY),
        ("GET", "/v1/models", 401, None),
        ("GET", "/v1/models/nope", 404, DEV_KEY),
        ("GET", "/v2/models", 404, DEV_KEY),
        ("POST", "/v1/models", 405, DEV_KEY),
    ],
)
def test_openai_errors_never_carry_request_id(
    method: str, url: str, status: int, key: str | None
) -> None:
    with api_client(services=make_services(memory_catalog(PAGING_CATALOG)), key=key) as client:
        response = client.request(method, url)
    assert_openai_error(response, status)
    assert "request-id" not in response.headers
    assert response.headers["x-request-id"]
    assert response.headers["vary"] == VARY


@pytest.mark.parametrize("url", ["/v1/models", "/v1/models/m1"])
def test_an_unexpected_crash_is_an_anthropic_api_error(url: str) -> None:
    with api_client(services=broken_services()) as client:
        anthropic = client.get(url, headers=ANTHROPIC)
        openai = client.get(url)
    error = assert_anthropic_error(anthropic, 500, "api_error")
    assert "boom" not in error["message"]  # internals are logged, not shown
    assert anthropic.headers["vary"] == VARY
    assert_openai_error(openai, 500, type="server_error", code="internal_error")
    assert "request-id" not in openai.headers


# --- no redirects -----------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/v1/models/", "/health/"])
@pytest.mark.parametrize("anthropic", [True, False])
def test_a_trailing_slash_is_answered_never_redirected(
    paging: TestClient, url: str, anthropic: bool
) -> None:
    response = paging.get(url, headers=ANTHROPIC if anthropic else {}, follow_redirects=False)
    assert not 300 <= response.status_code < 400
    assert "location" not in response.headers
    assert response.status_code == 404
    # A URL with no id is an unknown URL, not a model named "".
    if anthropic:
        error = assert_anthropic_error(response, 404, "not_found_error")
        assert error["message"] == f"Invalid URL (GET {url})"
    else:
        assert_openai_error(response, 404, code="unknown_url", message=f"Invalid URL (GET {url})")


@pytest.mark.parametrize(
    ("raw", "expected"), [("5", 5), ("0005", 5), ("0" * 5000 + "3", 3), (" 7 ", 7), ("1000", 1000)]
)
def test_a_limit_in_ascii_digits_is_read(paging: TestClient, raw: str, expected: int) -> None:
    body = anthropic_get(paging, f"/v1/models?limit={raw}").json()
    assert len(body["data"]) == min(expected, len(NEWEST_FIRST))


@pytest.mark.parametrize("anthropic", [False, True], ids=["openai", "anthropic"])
def test_a_rejected_value_is_quoted_only_in_part(paging: TestClient, anthropic: bool) -> None:
    huge = "9" * 5000
    headers = ANTHROPIC if anthropic else {}
    response = paging.get(f"/v1/models?min_context_length={huge}", headers=headers)
    assert response.status_code == 400
    message = response.json()["error"]["message"]
    assert message.startswith("Invalid value for 'min_context_length': '" + "9" * 90)
    assert "9" * (VALUE_LIMIT + 1) not in message

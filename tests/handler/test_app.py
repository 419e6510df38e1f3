"""handler/app.py: the HTTP contract through TestClient: bodies, filters, ids, errors, caching
headers, HEAD, gzip, and the query read once per distinct query string. The OpenAPI document that
describes them is tests/handler/test_openapi.py's."""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from typing import TYPE_CHECKING

import pytest
from fastapi.testclient import TestClient

from catalog.schema import CAPABILITY_NAMES
from handler.app import _accepts_gzip, create_app
from handler.dialects import VARY
from handler.settings import Settings
from tests.support.factories import (
    BUNDLED_IDS,
    CURRENT_IDS,
    CURRENT_MODELS,
    SEED_IDS,
    ids_listed_by_default,
    listed_by_default,
    model_doc,
)
from tests.support.fakes import FakeClock
from tests.support.http import DEV_KEY, api_client, assert_openai_error
from tests.support.services import broken_services, make_services, memory_catalog

if TYPE_CHECKING:
    from awsclients import AwsClients
    from tests.support.memory_store import InMemoryCatalogStore

SLASH_IDS_CATALOG = [
    model_doc("gpt-4o"),
    model_doc("meta-llama/llama-3.1-70b-instruct", owned_by="meta"),
    model_doc("ollama/llama3:8b@q4.k", owned_by="meta"),
]


def test_list_models_matches_the_api_reference(client: TestClient) -> None:
    response = client.get("/v1/models")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["object"] == "list"
    served = [(m["id"], m["owned_by"], m["context_length"]) for m in body["data"]]
    # What can be used today: the seed's models still served by their providers, and the
    # current ones; every seed model stays in the catalog, its retired ones asked for by status.
    assert served == listed_by_default()
    retired = client.get("/v1/models?status=retired").json()["data"]
    everything = client.get("/v1/models?status=active&status=deprecated&status=retired")
    assert [m["id"] for m in everything.json()["data"]] == BUNDLED_IDS
    assert {m["id"] for m in retired} == set(BUNDLED_IDS) - {m[0] for m in listed_by_default()}
    assert set(SEED_IDS) <= {m["id"] for m in everything.json()["data"]}
    for model in body["data"]:
        assert model["object"] == "model"
        assert isinstance(model["created"], int)
        assert model["capabilities"]["vision"] is model["capabilities"]["function_calling"] is True
        assert None not in model.values()  # an unknown field is absent, never null


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("owned_by=anthropic", [m for m, o, _ in listed_by_default() if o == "anthropic"]),
        # Provider names match in any case.
        ("owned_by=Anthropic", [m for m, o, _ in listed_by_default() if o == "anthropic"]),
        ("capability=vision", ids_listed_by_default()),
        (
            "capability=vision&capability=function_calling&owned_by=google",
            ids_listed_by_default(CURRENT_MODELS[-5:]),
        ),
        (
            "capability=vision&owned_by=GOOGLE&status=retired",
            ["gemini-1.5-pro", "gemini-1.5-flash"],
        ),
    ],
)
def test_list_filters(client: TestClient, query: str, expected: list[str]) -> None:
    response = client.get(f"/v1/models?{query}")
    assert response.status_code == 200
    assert [m["id"] for m in response.json()["data"]] == expected


@pytest.mark.parametrize(
    ("query", "param", "mentions"),
    [
        ("capability=telepathy", "capability", "function_calling"),
        ("capability=vision&capability=nope", "capability", "vision"),
        ("capability=", "capability", "function_calling"),
    ],
)
def test_unknown_filter_values_are_400_naming_the_param(
    client: TestClient, query: str, param: str, mentions: str
) -> None:
    error = assert_openai_error(
        client.get(f"/v1/models?{query}"), 400, type="invalid_request_error", param=param
    )
    assert mentions in error["message"]


@pytest.mark.parametrize(
    "owned_by",
    ["", "open%20ai", "open/ai", "%C3%A9lan", "a" * 65, "anthropic%00", "%22%2C"],
)
def test_a_malformed_provider_is_400_invalid_value(client: TestClient, owned_by: str) -> None:
    """What the OpenAPI document says: 1 to 64 letters, digits, `.`, `_` or `-`."""
    assert_openai_error(
        client.get(f"/v1/models?owned_by={owned_by}"),
        400,
        type="invalid_request_error",
        param="owned_by",
        code="invalid_value",
    )


@pytest.mark.parametrize("owned_by", ["nobody", "x", "a" * 64, "Meta.AI_labs-2"])
def test_a_well_formed_provider_the_catalog_lacks_lists_no_model(
    client: TestClient, owned_by: str
) -> None:
    response = client.get("/v1/models", params={"owned_by": owned_by})
    assert response.status_code == 200, response.text
    assert response.json() == {"object": "list", "data": []}


def test_retrieve_model(client: TestClient) -> None:
    response = client.get("/v1/models/claude-3-5-sonnet-20241022")
    assert response.status_code == 200
    assert response.json()["context_length"] == 200000


def test_unknown_model_is_404_model_not_found(client: TestClient) -> None:
    assert_openai_error(
        client.get("/v1/models/gpt-5-ultra"),
        404,
        type="invalid_request_error",
        param="model",
        code="model_not_found",
    )


@pytest.fixture
def slash_ids_client() -> Iterator[TestClient]:
    """Authenticated, on a published catalog whose ids carry `/`, `:` and `@`."""
    with api_client(services=make_services(memory_catalog(SLASH_IDS_CATALOG))) as client:
        yield client


@pytest.mark.parametrize(
    ("path", "model_id"),
    [
        ("/v1/models/meta-llama/llama-3.1-70b-instruct", "meta-llama/llama-3.1-70b-instruct"),
        ("/v1/models/meta-llama%2Fllama-3.1-70b-instruct", "meta-llama/llama-3.1-70b-instruct"),
        ("/v1/models/meta-llama%2fllama-3.1-70b-instruct", "meta-llama/llama-3.1-70b-instruct"),
        ("/v1/models/ollama%2Fllama3%3A8b%40q4.k", "ollama/llama3:8b@q4.k"),
        ("/v1/models/ollama/llama3:8b@q4.k", "ollama/llama3:8b@q4.k"),
    ],
)
def test_ids_with_slashes_raw_or_percent_encoded(
    slash_ids_client: TestClient, path: str, model_id: str
) -> None:
    # Not `%252F` here: Starlette's TestClient percent-decodes the path twice. A double-encoded
    # id is tested through Mangum (test_lambda_adapter.py) and uvicorn (test_openai_sdk.py).
    response = slash_ids_client.get(path)
    assert response.status_code == 200, response.text
    assert response.json()["id"] == model_id


def test_etag_and_if_none_match(client: TestClient) -> None:
    first = client.get("/v1/models")
    etag = first.headers["etag"]
    assert etag.startswith('"')
    assert len(etag) > 2
    assert "private" in first.headers["cache-control"]
    assert client.get("/v1/models").headers["etag"] == etag
    for header in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        again = client.get("/v1/models", headers={"If-None-Match": header})
        assert again.status_code == 304
        assert again.content == b""
        assert again.headers["etag"] == etag
    assert client.get("/v1/models", headers={"If-None-Match": '"stale"'}).status_code == 200
    filtered = client.get("/v1/models?owned_by=openai")
    assert filtered.headers["etag"] != etag
    one = client.get("/v1/models/gpt-4o")
    assert one.headers["etag"] not in (etag, filtered.headers["etag"])
    assert (
        client.get("/v1/models/gpt-4o", headers={"If-None-Match": one.headers["etag"]}).status_code
        == 304
    )


def test_every_response_has_a_request_id(client: TestClient, anonymous: TestClient) -> None:
    responses = [
        client.get("/v1/models"),
        client.get("/v1/models/nope"),
        anonymous.get("/v1/models"),
        anonymous.get("/health"),
        anonymous.get("/not-a-route"),
    ]
    ids = [r.headers["x-request-id"] for r in responses]
    assert all(ids)
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("GET", "/v2/models", 404, "unknown_url"),
        ("GET", "/", 404, "unknown_url"),
        ("POST", "/v1/models", 405, "method_not_allowed"),
        ("DELETE", "/v1/models/gpt-4o", 405, "method_not_allowed"),
    ],
)
def test_unknown_paths_and_methods_have_openai_errors(
    client: TestClient, method: str, path: str, status: int, code: str
) -> None:
    response = client.request(method, path)
    assert_openai_error(response, status, code=code, type="invalid_request_error")
    if status == 405:
        assert response.headers["allow"] == "GET, HEAD"


def test_an_unexpected_crash_is_a_json_500_with_request_id() -> None:
    with api_client(services=broken_services(), key=None) as anonymous:
        response = anonymous.get("/health")
    error = assert_openai_error(response, 500, type="server_error", code="internal_error")
    assert "boom" not in error["message"]  # internals are logged, not shown
    assert response.headers["x-request-id"]


def test_health_reports_bundled_catalog(anonymous: TestClient) -> None:
    response = anonymous.get("/health")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "catalog": {"source": "bundled", "version": 0, "models": len(BUNDLED_IDS)},
    }


def test_health_reports_dynamodb_then_stale() -> None:
    clock = FakeClock()
    store: InMemoryCatalogStore = memory_catalog(SLASH_IDS_CATALOG)
    with api_client(services=make_services(store, ttl=60, clock=clock), key=None) as anonymous:
        assert anonymous.get("/health").json()["catalog"] == {
            "source": "dynamodb",
            "version": 1,
            "models": 3,
        }
        store.unavailable = True
        clock.now = 59  # still fresh: the store is not asked, so its outage does not show
        assert anonymous.get("/health").json()["catalog"]["source"] == "dynamodb"
        clock.now = 60  # revalidation fails: the last good catalog, marked stale
        assert anonymous.get("/health").json()["catalog"] == {
            "source": "stale",
            "version": 1,
            "models": 3,
        }


def test_dynamodb_down_from_the_start_serves_bundled(aws: AwsClients) -> None:
    settings = Settings(models_table="table-that-does-not-exist", dev_api_key=DEV_KEY)
    with api_client(settings, aws=aws) as client:
        response = client.get("/v1/models")
        assert response.status_code == 200
        assert len(response.json()["data"]) == len(listed_by_default())
        assert client.get("/health").json()["catalog"]["source"] == "bundled"


# --- HEAD ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/v1/models", {}),
        ("/v1/models", {"Accept-Encoding": "gzip"}),
        ("/v1/models", {"Accept-Encoding": "identity"}),
        ("/v1/models?owned_by=google&capability=vision", {}),
        ("/v1/models?owned_by=", {}),
        ("/v1/models/gpt-4o", {}),
        ("/v1/models/no-such-model", {}),
        ("/v1/models", {"Authorization": "Bearer ar-wrong-key-0123456789"}),
        ("/health", {}),
        ("/not-a-route", {}),
        ("/openapi.json", {}),
    ],
)
def test_head_answers_like_get_without_the_body(
    client: TestClient, path: str, headers: dict[str, str]
) -> None:
    get = client.get(path, headers=headers)
    head = client.head(path, headers=headers)
    assert head.status_code == get.status_code
    assert head.content == b""

    def comparable(headers: Mapping[str, str]) -> dict[str, str]:
        return {k: v for k, v in headers.items() if k != "x-request-id"}

    # Content-Length of the GET body included.
    assert comparable(head.headers) == comparable(get.headers)
    assert head.headers["x-request-id"]


def test_other_methods_stay_405_naming_get_and_head(client: TestClient) -> None:
    for method in ("POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"):
        response = client.request(method, "/v1/models")
        assert_openai_error(response, 405, code="method_not_allowed")
        assert response.headers["allow"] == "GET, HEAD"


# --- X-Content-Type-Options ------------------------------------------------------------------


def test_every_response_says_nosniff(client: TestClient, anonymous: TestClient) -> None:
    etag = client.get("/v1/models").headers["etag"]
    responses = [
        client.get("/v1/models"),
        client.get("/v1/models", headers={"If-None-Match": etag}),  # 304
        client.get("/v1/models?owned_by="),  # 400
        anonymous.get("/v1/models"),  # 401
        client.get("/v1/models/nope"),  # 404
        client.get("/nope"),  # 404 unknown_url
        client.post("/v1/models"),  # 405
        client.head("/v1/models"),
        anonymous.get("/health"),
        anonymous.get("/openapi.json"),
    ]
    assert [r.status_code for r in responses] == [200, 304, 400, 401, 404, 404, 405, 200, 200, 200]
    for response in responses:
        assert response.headers["x-content-type-options"] == "nosniff", response.status_code
        assert response.headers.get_list("x-content-type-options") == ["nosniff"]


def test_a_crash_is_a_500_with_nosniff_and_one_request_id_and_head_drops_its_body() -> None:
    with api_client(services=broken_services(), key=None) as anonymous:
        get, head = anonymous.get("/health"), anonymous.head("/health")
    assert_openai_error(get, 500, code="internal_error")
    for response in (get, head):
        assert response.status_code == 500
        assert response.headers.get_list("x-content-type-options") == ["nosniff"]
        assert len(response.headers.get_list("x-request-id")) == 1
    assert head.content == b""
    assert head.headers["content-length"] == get.headers["content-length"]


# --- gzip ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept_encoding", "gzip"),
    [
        ("gzip", True),
        ("GZIP", True),
        ("gzip, deflate, br", True),
        ("br;q=1.0, gzip;q=0.8, *;q=0.1", True),
        ("x-gzip", True),
        ("*", True),
        ("deflate, *;q=0.5", True),
        ("gzip;q=0.001", True),
        ("gzip;q=0", False),
        ("gzip; q=0.000", False),
        ("gzip;q=0, *", False),  # explicitly refused: `*` does not bring it back
        ("*;q=0", False),
        ("br, deflate", False),
        ("identity", False),
        ("", False),
        ("gzip;q=0.5, identity;q=1", False),  # the client prefers identity
        ("gzip;q=1, identity;q=0.5", True),
        ("gzip;q=abc", False),  # a malformed weight counts as 0
        ("gzip;q=2", False),
        ("gzip;q=nan", False),
        ("gzipped", False),
        (",,;, gzip ;level=9", True),
    ],
)
def test_accept_encoding_q_values(accept_encoding: str, gzip: bool) -> None:
    assert _accepts_gzip(accept_encoding) is gzip


def big_catalog() -> list[dict[str, object]]:
    """A catalog whose list body is well over the gzip threshold, one model per provider."""
    return [model_doc(f"model-{i}", owned_by=f"provider-{i}") for i in range(20)]


@pytest.fixture
def compressions(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Sizes of every body compressed from now on."""
    sizes: list[int] = []
    compress: Callable[..., bytes] = zlib.compress

    def counting(data: bytes, /, *args: int, **kwargs: int) -> bytes:
        sizes.append(len(data))
        return compress(data, *args, **kwargs)

    monkeypatch.setattr(zlib, "compress", counting)
    return sizes


def test_gzip_when_accepted_with_its_own_etag_compressed_once(compressions: list[int]) -> None:
    with api_client(services=make_services(memory_catalog(big_catalog()))) as client:
        plain = client.get("/v1/models", headers={"Accept-Encoding": "identity"})
        assert "content-encoding" not in plain.headers
        assert len(plain.content) >= 1024
        for _ in range(3):
            gzipped = client.get("/v1/models", headers={"Accept-Encoding": "gzip, br"})
            assert gzipped.headers["content-encoding"] == "gzip"
            assert gzipped.json() == plain.json()  # httpx decoded it
            assert int(gzipped.headers["content-length"]) < len(plain.content) / 3
            assert gzipped.headers["etag"] == plain.headers["etag"][:-1] + '-gzip"'
            assert gzipped.headers["vary"] == plain.headers["vary"] == VARY
            refused = client.get("/v1/models", headers={"Accept-Encoding": "gzip;q=0"})
            assert "content-encoding" not in refused.headers
            assert refused.headers["etag"] == plain.headers["etag"]
    assert compressions == [len(plain.content)]  # once per body of a catalog version


def test_a_small_body_is_never_gzipped(client: TestClient, compressions: list[int]) -> None:
    response = client.get("/v1/models/gpt-4o", headers={"Accept-Encoding": "gzip"})
    assert len(response.content) < 1024
    assert "content-encoding" not in response.headers
    assert not response.headers["etag"].endswith('-gzip"')
    assert response.headers["vary"] == VARY
    assert compressions == []


@pytest.mark.parametrize("accept_encoding", ["gzip", "identity"])
def test_if_none_match_matches_either_encodings_etag(accept_encoding: str) -> None:
    with api_client(services=make_services(memory_catalog(big_catalog()))) as client:
        plain = client.get("/v1/models", headers={"Accept-Encoding": "identity"}).headers["etag"]
        gzip = client.get("/v1/models", headers={"Accept-Encoding": "gzip"}).headers["etag"]
        assert gzip != plain
        sent = gzip if accept_encoding == "gzip" else plain
        for if_none_match, echoed in [
            (plain, plain),
            (gzip, gzip),
            (f"W/{gzip}", gzip),
            (f'"other", {plain}', plain),
            ("*", sent),
        ]:
            response = client.get(
                "/v1/models",
                headers={"Accept-Encoding": accept_encoding, "If-None-Match": if_none_match},
            )
            assert response.status_code == 304, if_none_match
            assert response.content == b""
            # The validator of the copy the client holds; no Content-Encoding on a 304.
            assert response.headers["etag"] == echoed
            assert "content-encoding" not in response.headers
            assert response.headers["vary"] == VARY
        stale = client.get(
            "/v1/models", headers={"Accept-Encoding": accept_encoding, "If-None-Match": '"x"'}
        )
        assert stale.status_code == 200
        assert stale.headers["etag"] == sent


# --- catalog v2: filters, aliases, lifecycle headers -----------------------------------------

NOV_27_2026 = 1795737600.0  # 2026-11-27T00:00:00Z: six retired, gpt-4o and gpt-4o-mini not yet
GPT_4O_SHUTDOWN = 1799884800.0  # 2027-01-14T00:00:00Z

V2_CATALOG = [
    model_doc(
        "old-1",
        context_length=8000,
        capabilities={"vision": False, "function_calling": True, "reasoning": False},
        lifecycle={"deprecated_at": "2026-10-14", "shutdown_at": "2027-01-14", "successor": "new"},
    ),
    model_doc(
        "gone",
        owned_by="acme",
        context_length=32000,
        lifecycle={"shutdown_at": "2025-09-24", "successor": "vendor/new:v2"},
    ),
    model_doc("told", lifecycle={"status": "deprecated"}),
    model_doc(
        "new",
        context_length=200000,
        capabilities={"vision": True, "function_calling": True, "reasoning": True},
        aliases=["new-latest", "new-2026-11-01"],
    ),
]


@pytest.fixture
def wall() -> FakeClock:
    return FakeClock(NOV_27_2026)


@pytest.fixture
def v2_client(wall: FakeClock) -> Iterator[TestClient]:
    services = make_services(memory_catalog(V2_CATALOG), wall_clock=wall)
    with api_client(services=services) as client:
        yield client


@pytest.fixture
def bundled_on_nov_27(wall: FakeClock) -> Iterator[TestClient]:
    with api_client(services=make_services(wall_clock=wall)) as client:
        yield client


def listed(client: TestClient, query: str) -> list[str]:
    response = client.get(f"/v1/models?{query}")
    assert response.status_code == 200, response.text
    return [model["id"] for model in response.json()["data"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["old-1", "told", "new"]),  # what can be used: a retired model only when asked
        ("status=active", ["new"]),
        ("status=deprecated", ["old-1", "told"]),
        ("status=retired", ["gone"]),
        ("status=active&status=retired", ["gone", "new"]),
        ("status=active&status=deprecated&status=retired", ["old-1", "gone", "told", "new"]),
        ("min_context_length=1", ["old-1", "told", "new"]),
        ("min_context_length=8001", ["told", "new"]),
        ("min_context_length=8001&status=retired", ["gone"]),
        ("min_context_length=128000", ["told", "new"]),
        ("min_context_length=200001", []),
        ("min_context_length=99999999999999999999", []),
        ("capability=reasoning", ["new"]),  # an absent (unknown) flag does not match
        ("capability=reasoning&status=active&min_context_length=100000", ["new"]),
        ("owned_by=acme&status=retired", ["gone"]),
    ],
)
def test_status_and_context_length_filters(
    v2_client: TestClient, query: str, expected: list[str]
) -> None:
    assert listed(v2_client, query) == expected


def test_filtered_bodies_are_kept_per_snapshot_with_a_bounded_key_space(
    v2_client: TestClient,
) -> None:
    services = v2_client.app.state.services  # type: ignore[attr-defined]
    for n in range(1, 300):
        v2_client.get(f"/v1/models?min_context_length={n * 1000}")
        v2_client.get("/v1/models?status=deprecated&status=active")
        v2_client.get("/v1/models?status=active&status=deprecated")
    snapshot = services.catalog_cache.current().snapshot
    # 299 values normalised to the 3 context lengths above the smallest, and one status set.
    assert len(snapshot._filtered) <= 4


@pytest.mark.parametrize(
    ("query", "param"),
    [
        ("status=sunset", "status"),
        ("status=", "status"),
        ("status=Active", "status"),
        ("min_context_length=0", "min_context_length"),
        ("min_context_length=-5", "min_context_length"),
        ("min_context_length=1.5", "min_context_length"),
        ("min_context_length=lots", "min_context_length"),
        ("capability=sentience", "capability"),
    ],
)
def test_invalid_v2_filter_values_are_400_invalid_value(
    v2_client: TestClient, query: str, param: str
) -> None:
    assert_openai_error(
        v2_client.get(f"/v1/models?{query}"), 400, param=param, code="invalid_value"
    )


def test_the_new_capability_names_are_filter_values(client: TestClient) -> None:
    for name in CAPABILITY_NAMES:
        assert client.get(f"/v1/models?capability={name}").status_code == 200, name


def test_retrieve_by_alias_answers_the_canonical_model(v2_client: TestClient) -> None:
    canonical = v2_client.get("/v1/models/new")
    for alias in ("new-latest", "new-2026-11-01"):
        response = v2_client.get(f"/v1/models/{alias}")
        assert response.status_code == 200
        assert response.json()["id"] == "new"
        assert response.content == canonical.content
        assert response.headers["etag"] == canonical.headers["etag"]
    assert listed(v2_client, "") == ["old-1", "told", "new"]  # listed once, by its id


def test_retrieve_of_a_deprecated_model_carries_the_lifecycle_headers(
    v2_client: TestClient,
) -> None:
    response = v2_client.get("/v1/models/old-1")
    assert response.json()["lifecycle"] == {
        "status": "deprecated",
        "deprecated_at": "2026-10-14",
        "shutdown_at": "2027-01-14",
        "successor": "new",
    }
    assert response.headers["deprecation"] == "@1791936000"  # 2026-10-14T00:00:00Z
    assert response.headers["sunset"] == "Thu, 14 Jan 2027 00:00:00 GMT"
    assert response.headers["link"] == '</v1/models/new>; rel="successor-version"'
    etag = response.headers["etag"]
    revalidated = v2_client.get("/v1/models/old-1", headers={"If-None-Match": etag})
    assert revalidated.status_code == 304
    assert revalidated.headers["deprecation"] == "@1791936000"
    head = v2_client.head("/v1/models/old-1")
    assert (head.content, head.headers["sunset"]) == (b"", "Thu, 14 Jan 2027 00:00:00 GMT")


def test_retired_with_only_a_shutdown_date_and_stated_without_dates(
    v2_client: TestClient,
) -> None:
    gone = v2_client.get("/v1/models/gone")
    assert gone.json()["lifecycle"]["status"] == "retired"
    assert gone.headers["deprecation"] == "@1758672000"  # 2025-09-24, its shutdown
    assert gone.headers["sunset"] == "Wed, 24 Sep 2025 00:00:00 GMT"
    assert gone.headers["link"] == '</v1/models/vendor/new:v2>; rel="successor-version"'
    told = v2_client.get("/v1/models/told")
    assert told.json()["lifecycle"] == {"status": "deprecated"}
    assert "deprecation" not in told.headers
    assert "sunset" not in told.headers


def test_an_active_model_has_no_lifecycle_header(v2_client: TestClient) -> None:
    response = v2_client.get("/v1/models/new-latest")
    assert not {"deprecation", "sunset", "link"} & set(response.headers)
    assert "lifecycle" not in response.json()


def test_the_status_flips_at_the_date_through_the_api_with_a_new_etag(
    bundled_on_nov_27: TestClient, wall: FakeClock
) -> None:
    client = bundled_on_nov_27
    before = client.get("/v1/models/gpt-4o")
    listing = client.get("/v1/models")
    assert before.json()["lifecycle"]["status"] == "deprecated"
    assert listed(client, "status=deprecated") == ["gpt-4o", "gpt-4o-mini"]
    assert len(listed(client, "status=retired")) == 6
    assert listed(client, "status=active") == CURRENT_IDS
    # What can be used: the two deprecated seed models and the current ones.
    assert listed(client, "") == ids_listed_by_default(on=date(2026, 11, 27))
    assert len(listed(client, "status=active&status=deprecated&status=retired")) == 22
    wall.now = GPT_4O_SHUTDOWN - 0.001
    assert client.get("/v1/models/gpt-4o").headers["etag"] == before.headers["etag"]
    wall.now = GPT_4O_SHUTDOWN
    after = client.get("/v1/models/gpt-4o")
    assert after.json()["lifecycle"]["status"] == "retired"
    assert after.headers["etag"] != before.headers["etag"]
    stale = client.get("/v1/models", headers={"If-None-Match": listing.headers["etag"]})
    assert stale.status_code == 200  # the old list is no longer current
    assert len(listed(client, "status=retired")) == 8
    # Shut down, gpt-4o leaves the default list, and stays retrievable by id.
    assert "gpt-4o" not in listed(client, "")
    assert listed(client, "") == ids_listed_by_default(on=date(2027, 1, 14))


# --- the query, read once per distinct query string ----------------------------------------

QUERIED_DOCS = [model_doc("gpt-x"), model_doc("claude-y", owned_by="anthropic")]


def queried_client() -> TestClient:
    app = create_app(make_services(memory_catalog(QUERIED_DOCS)))
    return TestClient(app, headers={"Authorization": f"Bearer {DEV_KEY}"})


def test_the_same_query_string_gets_the_same_answer_and_a_bad_one_is_refused_each_time() -> None:
    api = queried_client()
    first = api.get("/v1/models?owned_by=anthropic")
    again = api.get("/v1/models?owned_by=anthropic")
    assert [m["id"] for m in first.json()["data"]] == ["claude-y"]
    assert again.content == first.content
    for _ in range(2):
        refused = api.get("/v1/models?min_context_length=0")
        assert refused.status_code == 400
        assert refused.json()["error"]["param"] == "min_context_length"


def test_the_kept_filters_are_bounded_whatever_clients_send() -> None:
    api = queried_client()
    queries = api.app.state.list_queries  # type: ignore[attr-defined]
    for n in range(queries.MAX_ENTRIES + 50):
        assert api.get(f"/v1/models?min_context_length={n + 1}").status_code == 200
    assert len(queries._kept) == queries.MAX_ENTRIES
    long_query = "owned_by=anthropic&" + "x=1&" * queries.MAX_KEY_BYTES
    assert [m["id"] for m in api.get(f"/v1/models?{long_query}").json()["data"]] == ["claude-y"]
    assert long_query.encode() not in queries._kept


def test_a_request_without_a_key_is_refused_before_its_query_is_read() -> None:
    anonymous = TestClient(create_app(make_services(memory_catalog(QUERIED_DOCS))))
    response = anonymous.get("/v1/models?min_context_length=0")
    assert response.status_code == 401

"""Benchmark of the read path: cold start, warm invocation latency, DynamoDB calls per request,
in both dialects (OpenAI's, and Anthropic's: a request with `anthropic-version`).

Run: .venv/bin/python -m bench.bench_api   (from the repository root; offline: moto stands in
for DynamoDB). The speed targets are bench/bench_targets.py.
Figures go in README's "Performance" section. Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import functools
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.support import LambdaContext

ROOT = Path(__file__).resolve().parents[1]
EVENTS = ROOT / "events"
DEV_KEY = "ar-dev-local-key"

if TYPE_CHECKING:
    from catalog.snapshot import CatalogSnapshot

CONTEXT = LambdaContext()
# What Claude Code sends to discover models (CLAUDE_CODE_ENABLE_GATEWAY_MODEL_DISCOVERY=1).
ANTHROPIC_VERSION = "2023-06-01"
DISCOVERY_QUERY = "limit=1000"


def anthropic_event(event: dict[str, Any], query: str = "") -> dict[str, Any]:
    """`event` as an Anthropic client sends it: `anthropic-version`, the key in `x-api-key`
    (no Authorization), and the query string `query`."""
    copy: dict[str, Any] = json.loads(json.dumps(event))
    headers = copy["headers"]
    headers.pop("authorization", None)
    headers["x-api-key"] = DEV_KEY
    headers["anthropic-version"] = ANTHROPIC_VERSION
    copy["rawQueryString"] = query
    params = dict(pair.split("=", 1) for pair in query.split("&") if pair)
    if params:
        copy["queryStringParameters"] = params
    else:
        copy.pop("queryStringParameters", None)
    return copy


def _cold(code: str, runs: int = 11) -> float:
    """Fastest wall time (ms) of a fresh interpreter running `code`, interpreter start excluded.

    The fastest, not the median: on a shared machine the noise only ever adds time, so the
    minimum of several runs is the steadiest estimate of the code's own cost.
    """
    return _fastest_run(code, runs) - _fastest_run("pass", runs)


def _fastest_run(code: str, runs: int) -> float:
    times = []
    env = {**os.environ, "DEV_API_KEY": DEV_KEY, "PYTHONPATH": str(ROOT)}
    # Bytecode written and read, as the artifact ships it: compiling our modules again in every
    # process would be a cost Lambda does not pay.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, env=env, cwd=ROOT)
        times.append((time.perf_counter() - start) * 1000)
    return min(times)


def _warm(handler: Any, event: dict[str, Any], n: int) -> tuple[float, float]:
    """Median and p99 (us) of one invocation through the Lambda handler."""
    for _ in range(50):
        handler(event, CONTEXT)
    samples = []
    for _ in range(n):
        start = time.perf_counter_ns()
        handler(event, CONTEXT)
        samples.append((time.perf_counter_ns() - start) / 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.99)]


def main() -> None:
    load_event = "import json; event = json.load(open('events/list-models.json'))"
    print("cold start (ms, fresh process, fastest of 11):")
    print(f"  import fastapi, mangum (the floor)        {_cold('import fastapi, mangum'):7.1f}")
    print(f"  import handler.api                      {_cold('import handler.api'):7.1f}")
    first = f"{load_event}; from handler.api import lambda_handler; lambda_handler(event, None)"
    print(f"  import + first list (bundled catalog)   {_cold(first):7.1f}")
    # The event as Claude Code sends it, made in the child (importing this module there would
    # import the test helpers too).
    discovery = (
        f"{load_event}; headers = event['headers']; del headers['authorization']; "
        f"headers['x-api-key'] = {DEV_KEY!r}; "
        f"headers['anthropic-version'] = {ANTHROPIC_VERSION!r}; "
        f"event.update(rawQueryString='limit=1000', queryStringParameters={{'limit': '1000'}}); "
        "from handler.api import lambda_handler; "
        "assert lambda_handler(event, None)['statusCode'] == 200"
    )
    print(f"  import + first Anthropic list (limit=1000) {_cold(discovery):4.1f}")
    print(f"  import boto3 + DynamoDB client          {_cold(_BOTO3):7.1f}")

    from handler.app import create_app
    from handler.compose import build_api
    from handler.lambda_adapter import build_lambda_handler
    from handler.settings import Settings

    # The deployed wiring, with the key the sample events send and the bundled catalog.
    app = create_app(build_api(Settings(dev_api_key=DEV_KEY)))
    lambda_handler = build_lambda_handler(app)

    list_event = json.loads((EVENTS / "list-models.json").read_text())
    retrieve_event = json.loads((EVENTS / "retrieve-model.json").read_text())
    filtered = json.loads(json.dumps(list_event))
    filtered["rawQueryString"] = "owned_by=anthropic&capability=vision"
    filtered["queryStringParameters"] = {"owned_by": "anthropic", "capability": "vision"}
    etag = next(
        v for k, v in lambda_handler(list_event, CONTEXT)["headers"].items() if k.lower() == "etag"
    )
    not_modified = json.loads(json.dumps(list_event))
    not_modified["headers"]["if-none-match"] = etag
    unauthorized = json.loads((EVENTS / "unauthorized.json").read_text())
    discovery_event = anthropic_event(list_event, DISCOVERY_QUERY)
    discovered = json.loads(lambda_handler(discovery_event, CONTEXT)["body"])["data"]
    cursor = discovered[0]["id"]  # an id of the list the bundled catalog serves by default

    print("\nwarm invocation through lambda_handler (us, n=3000): median / p99")
    for name, event in [
        ("GET /v1/models", list_event),
        ("GET /v1/models/gpt-4o", retrieve_event),
        ("GET /v1/models?owned_by&capability", filtered),
        ("GET /v1/models, If-None-Match -> 304", not_modified),
        ("GET /v1/models, no key -> 401", unauthorized),
        ("Anthropic: GET /v1/models?limit=1000", discovery_event),
        (
            f"Anthropic: ?limit=2&after_id={cursor}",
            anthropic_event(list_event, f"limit=2&after_id={cursor}"),
        ),
        ("Anthropic: GET /v1/models/gpt-4o", anthropic_event(retrieve_event)),
    ]:
        median, p99 = _warm(lambda_handler, event, 3000)
        print(f"  {name:<40}{median:8.0f} / {p99:6.0f}")

    _dialects_side_by_side(lambda_handler, list_event, retrieve_event, cursor)
    _first_anthropic_request(list_event)
    _dynamodb_calls({"OpenAI": list_event, "Anthropic": discovery_event})


_BOTO3 = (
    "import boto3; from botocore.config import Config; "
    "boto3.client('dynamodb', region_name='us-east-1', config=Config(connect_timeout=1))"
)


def _dialects_side_by_side(
    lambda_handler: Any,
    list_event: dict[str, Any],
    retrieve_event: dict[str, Any],
    cursor: str,
    n: int = 3000,
) -> None:
    """The same request in both dialects, calls interleaved: what the Anthropic one costs more,
    with the machine's load shared equally between the two."""
    print(f"\nOpenAI vs Anthropic, calls interleaved (us, median of {n} each):")
    for name, openai, anthropic in [
        ("list vs limit=1000", list_event, anthropic_event(list_event, DISCOVERY_QUERY)),
        (
            "list vs limit=2&after_id",
            list_event,
            anthropic_event(list_event, f"limit=2&after_id={cursor}"),
        ),
        ("retrieve gpt-4o", retrieve_event, anthropic_event(retrieve_event)),
    ]:
        samples: dict[int, list[float]] = {0: [], 1: []}
        for _ in range(50):
            lambda_handler(openai, CONTEXT)
            lambda_handler(anthropic, CONTEXT)
        for _ in range(n):
            for index, event in enumerate((openai, anthropic)):
                started = time.perf_counter_ns()
                lambda_handler(event, CONTEXT)
                samples[index].append((time.perf_counter_ns() - started) / 1000)
        first, second = (statistics.median(samples[i]) for i in (0, 1))
        print(f"  {name:<40}{first:8.0f} / {second:6.0f}")


def _first_anthropic_request(list_event: dict[str, Any], runs: int = 200) -> None:
    """What the first Anthropic request costs on a snapshot: its view is built then (lazily,
    once per snapshot: per catalog version and lifecycle date), the bundled one's at init."""
    from apikeys.verifier import KeyVerifier
    from bench.bench_store import realistic_catalog
    from catalog.bundled import bundled_models
    from catalog.cache import CatalogCache
    from catalog.snapshot import CatalogSnapshot
    from handler.app import create_app
    from handler.deps import Services
    from handler.lambda_adapter import build_lambda_handler

    discovery = anthropic_event(list_event, DISCOVERY_QUERY)
    first: list[float] = []
    second: list[float] = []
    for _ in range(runs):
        snapshot = CatalogSnapshot.build(1, bundled_models(), now=time.time())
        cache = CatalogCache(None, bundled_snapshot=functools.partial(_same, snapshot), ttl=60)
        services = Services(cache, KeyVerifier(None, dev_key=DEV_KEY))
        lambda_handler = build_lambda_handler(create_app(services))
        lambda_handler(list_event, CONTEXT)  # FastAPI's own first-use costs, paid by OpenAI
        for samples in (first, second):
            started = time.perf_counter_ns()
            lambda_handler(discovery, CONTEXT)
            samples.append((time.perf_counter_ns() - started) / 1000)
    print(f"\nfirst Anthropic request on a fresh snapshot (us, median of {runs}):")
    print(
        f"  bundled catalog (8 models), limit=1000: first {statistics.median(first):6.0f}, "
        f"next {statistics.median(second):6.0f}"
    )

    models = realistic_catalog(10_000)
    snapshot = CatalogSnapshot.build(1, models, now=time.time())
    statuses = ["active", "deprecated"]
    builds: list[float] = []
    pages: list[float] = []
    cached: list[float] = []
    for _ in range(5):
        snapshot = snapshot.at(snapshot.built_at)  # the same catalog, no view yet
        began = time.perf_counter()
        view = snapshot.anthropic
        builds.append((time.perf_counter() - began) * 1000)
        for samples in (pages, cached):
            began = time.perf_counter()
            body = snapshot.anthropic_page(None, (), statuses, limit=1000)
            samples.append((time.perf_counter() - began) * 1000)
    print("10,000 models (ms, median of 5):")
    print(f"  view built (every ModelInfo serialised)  {statistics.median(builds):7.1f}")
    print(
        f"  first limit=1000 page ({len(body.content) / 1024:,.0f} KB)        "
        f"{statistics.median(pages):7.1f}"
    )
    print(f"  the same page again (kept)               {statistics.median(cached):7.3f}")
    print(
        f"  (view of {len(view.items):,} models, "
        f"{sum(len(item) for item in view.items) / len(view.items):,.0f} bytes a ModelInfo)"
    )


def _same(snapshot: CatalogSnapshot) -> CatalogSnapshot:
    return snapshot


def _dynamodb_calls(events: dict[str, dict[str, Any]]) -> None:
    """Count DynamoDB calls for 1,000 warm requests, a TTL expiry, and a catalog change, for a
    container whose every request is of one dialect."""
    from moto import mock_aws

    from apikeys.verifier import KeyVerifier
    from awsclients import AwsClients
    from bench.support import CallCounter, FakeClock, model_doc, publish
    from catalog.cache import CatalogCache
    from catalog.dynamodb import DynamoDBCatalogStore
    from devtools.template_tables import table_definitions
    from handler.app import create_app
    from handler.deps import Services
    from handler.lambda_adapter import build_lambda_handler

    os.environ.update(
        AWS_ACCESS_KEY_ID="x", AWS_SECRET_ACCESS_KEY="x", AWS_DEFAULT_REGION="us-east-1"
    )
    for dialect, event in events.items():
        with mock_aws():
            aws = AwsClients(region="us-east-1")
            client = aws.dynamodb()
            client.create_table(TableName="models", **table_definitions()["ModelsTable"])
            publish(aws, "models", [model_doc(f"model-{n}") for n in range(8)])
            calls = CallCounter(client).calls
            clock = FakeClock()
            store = DynamoDBCatalogStore("models", dynamodb=aws.dynamodb)
            services = Services(
                CatalogCache(store, ttl=60, clock=clock), KeyVerifier(None, dev_key=DEV_KEY)
            )
            lambda_handler = build_lambda_handler(create_app(services))
            lambda_handler(event, CONTEXT)
            cold = list(calls)
            calls.clear()
            for _ in range(1000):
                lambda_handler(event, CONTEXT)
            warm = len(calls)
            clock.now += 61
            lambda_handler(event, CONTEXT)
            expired = list(calls)
            calls.clear()
            publish(aws, "models", [model_doc(f"model-{n}") for n in range(9)])
            calls.clear()
            clock.now += 61
            lambda_handler(event, CONTEXT)
            changed = list(calls)
        print(f"\nDynamoDB calls, {dialect} requests (counted on the wire, moto):")
        print(f"  first request of a container            {cold}")
        print(f"  1,000 warm requests within the TTL      {warm}")
        print(f"  first request after TTL, no change      {expired}")
        print(f"  first request after TTL, catalog changed {changed}")


if __name__ == "__main__":
    main()

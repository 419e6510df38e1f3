"""Benchmark of the read path: cold start, warm invocation latency, DynamoDB calls per request.

Run: .venv/bin/python bench/bench_api.py   (offline: moto stands in for DynamoDB)
Figures go in README's "Performance" section. Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
EVENTS = ROOT / "events"
DEV_KEY = "ar-dev-local-key"

if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))  # tests.support, when run as a script

from tests.support.http import LambdaContext  # noqa: E402 - needs the path above

CONTEXT = LambdaContext()


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
    print(f"  import handler.api                      {_cold('import handler.api'):7.1f}")
    first = f"{load_event}; from handler.api import lambda_handler; lambda_handler(event, None)"
    print(f"  import + first list (bundled catalog)   {_cold(first):7.1f}")
    print(f"  import boto3 + DynamoDB client          {_cold(_BOTO3):7.1f}")

    from handler.app import create_app
    from handler.deps import Services
    from handler.lambda_adapter import build_lambda_handler
    from handler.settings import Settings

    # The deployed wiring, with the key the sample events send and the bundled catalog.
    app = create_app(Services.from_settings(Settings(dev_api_key=DEV_KEY)))
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

    print("\nwarm invocation through lambda_handler (us, n=3000): median / p99")
    for name, event in [
        ("GET /v1/models", list_event),
        ("GET /v1/models/gpt-4o", retrieve_event),
        ("GET /v1/models?owned_by&capability", filtered),
        ("GET /v1/models, If-None-Match -> 304", not_modified),
        ("GET /v1/models, no key -> 401", unauthorized),
    ]:
        median, p99 = _warm(lambda_handler, event, 3000)
        print(f"  {name:<40}{median:8.0f} / {p99:6.0f}")

    _dynamodb_calls(list_event)


_BOTO3 = (
    "import boto3; from botocore.config import Config; "
    "boto3.client('dynamodb', region_name='us-east-1', config=Config(connect_timeout=1))"
)


def _dynamodb_calls(list_event: dict[str, Any]) -> None:
    """Count DynamoDB calls for 1,000 warm requests, a TTL expiry, and a catalog change."""
    from moto import mock_aws

    from apikeys.verifier import KeyVerifier
    from awsclients import AwsClients
    from catalog.cache import CatalogCache
    from catalog.dynamodb import DynamoDBCatalogStore
    from devtools.template_tables import table_definitions
    from handler.app import create_app
    from handler.deps import Services
    from handler.lambda_adapter import build_lambda_handler
    from tests.support.factories import model_doc, publish
    from tests.support.fakes import CallCounter, FakeClock

    os.environ.update(
        AWS_ACCESS_KEY_ID="x", AWS_SECRET_ACCESS_KEY="x", AWS_DEFAULT_REGION="us-east-1"
    )
    with mock_aws():
        aws = AwsClients(region="us-east-1")
        client = aws.dynamodb()
        client.create_table(TableName="models", **table_definitions()["ModelsTable"])
        publish(client, "models", [model_doc(f"model-{n}") for n in range(8)])
        calls = CallCounter(client).calls
        clock = FakeClock()
        store = DynamoDBCatalogStore("models", dynamodb=aws.dynamodb)
        services = Services(
            CatalogCache(store, ttl=60, clock=clock), KeyVerifier(None, dev_key=DEV_KEY)
        )
        lambda_handler = build_lambda_handler(create_app(services))
        lambda_handler(list_event, CONTEXT)
        cold = list(calls)
        calls.clear()
        for _ in range(1000):
            lambda_handler(list_event, CONTEXT)
        warm = len(calls)
        clock.now += 61
        lambda_handler(list_event, CONTEXT)
        expired = list(calls)
        calls.clear()
        publish(client, "models", [model_doc(f"model-{n}") for n in range(9)])
        calls.clear()
        clock.now += 61
        lambda_handler(list_event, CONTEXT)
        changed = list(calls)
    print("\nDynamoDB calls (counted on the wire, moto):")
    print(f"  first request of a container            {cold}")
    print(f"  1,000 warm requests within the TTL      {warm}")
    print(f"  first request after TTL, no change      {expired}")
    print(f"  first request after TTL, catalog changed {changed}")


if __name__ == "__main__":
    main()

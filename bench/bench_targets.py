"""The read path's speed targets (issue 14), each against its own yardstick, in one process:

1. warm `GET /v1/models` at least 5x faster than the naive FastAPI + Mangum design (a sync
   route returning the models as dicts), the two run in alternating blocks of 100 requests so
   the machine's load falls on both alike;
2. the p99 of `GET /v1/models` with 10,000 models under 1 ms;
3. a cold start (import, then the first list read from DynamoDB) at most 1.2x the floor: a
   fresh process importing fastapi, mangum and boto3, building one DynamoDB client and making
   one read, against the same local DynamoDB (a moto server on 127.0.0.1).

Run: .venv/bin/python -m bench.bench_targets   (from the repository root). Not a test: it prints
the figures and whether each target is met; nothing here fails a build.
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

from bench.support import LambdaContext, model_doc, publish

ROOT = Path(__file__).resolve().parents[1]
DEV_KEY = "ar-dev-local-key"
CONTEXT = LambdaContext()
LIST_EVENT: dict[str, Any] = json.loads((ROOT / "events" / "list-models.json").read_text())
BLOCK = 100
BLOCKS = 30


def naive_handler(models: list[dict[str, Any]]) -> Any:
    """The naive design: FastAPI + Mangum, a sync route returning the models as dicts."""
    from fastapi import FastAPI
    from mangum import Mangum

    naive = FastAPI()

    @naive.get("/v1/models")
    def list_models() -> dict[str, Any]:
        return {"object": "list", "data": models}

    return Mangum(naive, lifespan="off")


def our_handler(snapshot: Any = None) -> Any:
    """The deployed design (handler/compose.py, create_app, the Lambda adapter), on the bundled
    catalog or on `snapshot`."""
    from apikeys.verifier import KeyVerifier
    from catalog.cache import CatalogCache
    from handler.app import create_app
    from handler.compose import build_api
    from handler.deps import Services
    from handler.lambda_adapter import build_lambda_handler
    from handler.settings import Settings

    if snapshot is None:
        services = build_api(Settings(dev_api_key=DEV_KEY))
    else:
        cache = CatalogCache(None, bundled_snapshot=lambda: snapshot, ttl=3600)
        services = Services(cache, KeyVerifier(None, dev_key=DEV_KEY))
    return build_lambda_handler(create_app(services))


def _block(handler: Any, event: dict[str, Any], samples: list[float]) -> None:
    for _ in range(BLOCK):
        started = time.perf_counter_ns()
        response = handler(event, CONTEXT)
        samples.append((time.perf_counter_ns() - started) / 1000)
    assert response["statusCode"] == 200, response


def warm_ratio() -> tuple[float, float, float]:
    """Medians (µs) of ours and of the naive design, alternating blocks; and their ratio."""
    from catalog.bundled import bundled_models

    ours = our_handler()
    naive = naive_handler([model.to_wire() for model in bundled_models()])
    samples: dict[str, list[float]] = {"ours": [], "naive": []}
    for handler in (ours, naive):  # warm-up, not counted
        _block(handler, LIST_EVENT, [])
    for _ in range(BLOCKS):
        _block(ours, LIST_EVENT, samples["ours"])
        _block(naive, LIST_EVENT, samples["naive"])
    mine, theirs = statistics.median(samples["ours"]), statistics.median(samples["naive"])
    return mine, theirs, theirs / mine


def p99_at_10000() -> tuple[float, float, int]:
    """Median and p99 (ms) of the list with 10,000 models; the body's size."""
    from bench.bench_store import realistic_catalog
    from catalog.snapshot import CatalogSnapshot

    snapshot = CatalogSnapshot.build(1, realistic_catalog(10_000), now=time.time())
    handler = our_handler(snapshot)
    samples: list[float] = []
    _block(handler, LIST_EVENT, [])
    for _ in range(BLOCKS):
        _block(handler, LIST_EVENT, samples)
    samples.sort()
    size = len(snapshot.list_body.content)
    return statistics.median(samples) / 1000, samples[int(len(samples) * 0.99)] / 1000, size


_FLOOR = """
import fastapi, mangum, boto3
client = boto3.client("dynamodb")
client.get_item(TableName="models", Key={"pk": {"S": "catalog"}, "sk": {"S": "meta"}})
"""
_OURS = """
import json
from handler.api import lambda_handler
event = json.load(open("events/list-models.json"))
assert lambda_handler(event, None)["statusCode"] == 200
"""


def cold_ratio(runs: int = 11) -> tuple[float, float, float]:
    """Fastest (ms) of `runs` fresh processes: the floor, ours (import + first list from the
    table), interpreter start excluded; and their ratio."""
    import logging

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise

    from awsclients import AwsClients, Credentials
    from devtools.template_tables import table_definitions

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        aws = AwsClients(
            endpoint_url=endpoint, region="us-east-1", credentials=Credentials("x", "x")
        )
        aws.dynamodb().create_table(TableName="models", **table_definitions()["ModelsTable"])
        publish(aws, "models", [model_doc(f"model-{n}") for n in range(8)])
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "AWS_ENDPOINT_URL_DYNAMODB": endpoint,
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "x",
            "AWS_SECRET_ACCESS_KEY": "x",
            "MODELS_TABLE": "models",
            "DEV_API_KEY": DEV_KEY,
        }
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # bytecode kept, as the artifact ships it
        start = _fastest("pass", env, runs)
        floor = _fastest(_FLOOR, env, runs) - start
        ours = _fastest(_OURS, env, runs) - start
    finally:
        server.stop()
    return floor, ours, ours / floor


def _fastest(code: str, env: dict[str, str], runs: int) -> float:
    """The fastest of `runs`: on a shared machine noise only ever adds time."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, env=env, cwd=ROOT)
        times.append((time.perf_counter() - started) * 1000)
    return min(times)


def main() -> None:
    mine, theirs, ratio = warm_ratio()
    print(f"warm GET /v1/models, alternating blocks of {BLOCK} ({BLOCKS} each), median µs:")
    print(f"  ours {mine:.0f}, naive FastAPI + Mangum {theirs:.0f}: {ratio:.2f}x (target >= 5x)")
    median, p99, size = p99_at_10000()
    print(f"GET /v1/models at 10,000 models ({size / 2**20:.1f} MiB), ms:")
    print(f"  median {median:.3f}, p99 {p99:.3f} (target p99 < 1 ms)")
    floor, ours, cold = cold_ratio()
    print("cold start, fastest of 11 fresh processes, ms:")
    print(f"  floor {floor:.0f}, ours {ours:.0f}: {cold:.2f}x (target <= 1.2x)")


if __name__ == "__main__":
    main()

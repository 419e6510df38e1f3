"""Benchmark of the catalog table's layout: what publishing costs in writes, what a cold read
costs in calls and time, at 8 and at 10,000 models, against the alternative layout.

Run: .venv/bin/python bench/bench_store.py   (offline: moto, in process, stands in for DynamoDB)

Chunks (the layout in use, catalog/dynamodb.py): the whole catalog as one canonical JSON
document, zlib-compressed, in items of at most 350,000 bytes under its digest, and a pointer.
Versioned items (the alternative of ../shared/DESIGN.md, copy-on-write): one item per model
and version written (`model#<id>#v<n>`, tombstones for removals), the pointer holds the
version. Its writes are counted from the layout (25 items a BatchWriteItem); its cold read is
measured: every model item is written in the old one-item-per-model shape and read back as it
must be (a paginated Query, each item deserialised and validated). That is a lower bound for
the alternative, which also reads the versions and tombstones not yet cleaned up.

Figures go in README's "Tables" section. Not a test: nothing here asserts a time. moto answers
in process, so a "fetch" figure is moto's parsing and botocore's, not a network's; the rest
(decompress, parse, validate) is what a Lambda container pays on top of the network.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
import zlib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

ROOT = Path(__file__).resolve().parents[1]
if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))  # catalog, devtools, when run as a script

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

    from catalog.schema import Model

SIZES = (8, 10_000)
READS = 15  # cold reads timed per size; the median is printed
PROVIDERS = ["openai", "anthropic", "google", "meta", "mistral", "cohere", "xai", "deepseek"]
WRITES = frozenset({"BatchWriteItem", "PutItem", "UpdateItem", "DeleteItem"})


def realistic_catalog(n: int) -> list[Model]:
    """`n` models the size of the bundled ones (about 170 bytes of JSON each), varied."""
    from catalog.schema import Model

    rng = random.Random(n)  # noqa: S311 - test data, not a secret
    models = []
    for i in range(n):
        provider = rng.choice(PROVIDERS)
        models.append(
            Model.model_validate(
                {
                    "id": f"{provider}/model-{i:05}-{rng.choice(['mini', 'pro', 'large'])}",
                    "object": "model",
                    "created": rng.randrange(1_600_000_000, 1_760_000_000),
                    "owned_by": provider,
                    "context_length": rng.choice([8192, 32768, 128000, 200000, 1000000]),
                    "capabilities": {
                        "vision": rng.random() < 0.5,
                        "function_calling": rng.random() < 0.7,
                    },
                }
            )
        )
    return models


def changed_by_1_percent(models: list[Model], mark: int) -> list[Model]:
    """1% of the models (at least one) with a new context length."""
    changed = list(models)
    for i in range(mark, len(changed), 100):  # every 100th model
        wire = changed[i].to_wire()
        changed[i] = type(changed[i]).model_validate({**wire, "context_length": 1000 + mark})
    return changed


@dataclass
class Wire:
    """What one client sends and receives, by operation, counted on the wire."""

    calls: list[str] = field(default_factory=list)
    sent: int = 0
    received: int = 0

    def attach(self, client: DynamoDBClient) -> None:
        events = client.meta.events
        events.register("before-call.dynamodb", self._call)
        events.register("request-created.dynamodb", self._request)
        events.register("after-call.dynamodb", self._response)

    def _call(self, model: Any, **_: Any) -> None:
        self.calls.append(model.name)

    def _request(self, request: Any, **_: Any) -> None:
        body = request.body or b""
        self.sent += len(body if isinstance(body, bytes) else body.encode())

    def _response(self, http_response: Any, **_: Any) -> None:
        self.received += len(http_response.content or b"")

    def reset(self) -> None:
        self.calls.clear()
        self.sent = self.received = 0

    @property
    def writes(self) -> list[str]:
        return [name for name in self.calls if name in WRITES]


@dataclass
class Row:
    label: str
    figures: dict[int, str] = field(default_factory=dict)


def _fresh_table(client: DynamoDBClient, name: str) -> None:
    from devtools.template_tables import table_definitions

    client.create_table(TableName=name, **table_definitions()["ModelsTable"])


def _calls(names: list[str]) -> str:
    counted: dict[str, int] = {}
    for name in names:
        counted[name] = counted.get(name, 0) + 1
    return " + ".join(f"{n} {name}" for name, n in counted.items()) or "none"


def _kb(size: int) -> str:
    return f"{size / 1024:,.1f} KB"


def measure_chunks(client: DynamoDBClient, n: int, rows: dict[str, Row]) -> None:
    from catalog.document import document_entries, document_of, valid_models, verified_document
    from catalog.dynamodb import DynamoDBCatalogStore
    from catalog.sync import CatalogSync

    table = f"chunks-{n}"
    _fresh_table(client, table)
    wire = Wire()
    wire.attach(client)
    store = DynamoDBCatalogStore(table, dynamodb=lambda: client)
    sync = CatalogSync(store, max_remove_fraction=1.0)
    models = realistic_catalog(n)
    document = document_of([m.to_wire() for m in models])
    compressed = zlib.compress(document.body, 9)

    def row(label: str, figure: str) -> None:
        rows.setdefault(label, Row(label)).figures[n] = figure

    row("catalog document (JSON)", _kb(len(document.body)))
    row("compressed (zlib 9): chunks", f"{_kb(len(compressed))}: {-(-len(compressed) // 350_000)}")

    wire.reset()
    started = time.perf_counter()
    report = sync.run(models, source="bench")
    row("first publish: write calls", _calls(wire.writes))
    row("first publish: items written, bytes sent", f"{report.writes}, {_kb(wire.sent)}")
    row("first publish: sync run (ms)", f"{(time.perf_counter() - started) * 1000:,.0f}")

    wire.reset()
    started = time.perf_counter()
    report = sync.run(models, source="bench")
    row("unchanged run: write calls", _calls(wire.writes))
    row("unchanged run: calls", _calls(wire.calls))
    row("unchanged run: sync run (ms)", f"{(time.perf_counter() - started) * 1000:,.0f}")

    for mark in (1, 2):  # the second change also deletes the first version's chunks
        models = changed_by_1_percent(models, mark)
        wire.reset()
        started = time.perf_counter()
        report = sync.run(models, source="bench")
    row("1% change (steady state): write calls", f"{_calls(wire.writes)} = {len(wire.writes)}")
    row(
        "1% change: items written + deleted, bytes sent",
        f"{report.writes}, {_kb(wire.sent)} ({len(report.updated)} models changed)",
    )
    row("1% change: sync run (ms)", f"{(time.perf_counter() - started) * 1000:,.0f}")

    wire.reset()
    DynamoDBCatalogStore(table, dynamodb=lambda: client).read_version()
    row("revalidation: calls, bytes received", f"{_calls(wire.calls)}, {wire.received} B")

    times = []
    for _ in range(READS):
        cold = DynamoDBCatalogStore(table, dynamodb=lambda: client)  # a new container's store
        wire.reset()
        started = time.perf_counter()
        contents = cold.read_catalog()
        times.append((time.perf_counter() - started) * 1000)
        assert contents is not None
        assert len(contents.models) == n
    row("cold read: calls", _calls(wire.calls))
    row("cold read: bytes received", _kb(wire.received))
    row("cold read, whole (ms, median)", f"{statistics.median(times):,.1f}")

    cpu = []
    for _ in range(READS):
        started = time.perf_counter()
        body = zlib.decompress(compressed)
        verified = verified_document(body, document.digest, count=n)
        valid_models(document_entries(verified), origin="bench")
        cpu.append((time.perf_counter() - started) * 1000)
    row("  of which decompress+verify+parse+validate", f"{statistics.median(cpu):,.1f}")


def measure_items(client: DynamoDBClient, n: int, rows: dict[str, Row]) -> None:
    """The alternative: one item per model (as versioned items are when freshly cleaned up)."""
    from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

    from catalog.document import valid_models

    table = f"items-{n}"
    _fresh_table(client, table)
    wire = Wire()
    wire.attach(client)
    models = realistic_catalog(n)
    serializer = TypeSerializer()
    requests: list[Any] = [
        {
            "PutRequest": {
                "Item": {
                    "pk": {"S": "catalog"},
                    "sk": {"S": f"model#{model.id}#v1"},
                    "position": {"N": str(position)},
                    "model": serializer.serialize(model.to_wire()),
                }
            }
        }
        for position, model in enumerate(models)
    ]
    for start in range(0, len(requests), 25):
        client.batch_write_item(RequestItems={table: requests[start : start + 25]})
    changed = max(1, n // 100)

    def row(label: str, figure: str) -> None:
        rows.setdefault(label, Row(label)).figures[n] = figure

    batches = -(-changed // 25)
    row("first publish: write calls", f"{-(-n // 25)} BatchWriteItem + 1 UpdateItem")
    row("first publish: items written, bytes sent", f"{n}, {_kb(wire.sent)}")
    row(
        "1% change (steady state): write calls",
        f"{batches} + 1 UpdateItem + {batches} (clean-up) = {2 * batches + 1}",
    )
    row("1% change: items written + deleted", f"{changed} + {changed}")

    deserializer = TypeDeserializer()

    def plain(value: Any) -> Any:
        if isinstance(value, Decimal):
            return int(value) if value == value.to_integral_value() else float(value)
        if isinstance(value, dict):
            return {key: plain(inner) for key, inner in value.items()}
        if isinstance(value, list):
            return [plain(inner) for inner in value]
        return value

    kwargs: dict[str, Any] = {
        "TableName": table,
        "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
        "ExpressionAttributeValues": {":pk": {"S": "catalog"}, ":prefix": {"S": "model#"}},
    }
    fetched: list[Any] = []
    wire.reset()
    started = time.perf_counter()
    while True:  # moto's Query over 10,000 items is slow: timed once, reported apart
        page = client.query(**kwargs)
        fetched.extend(page["Items"])
        if "LastEvaluatedKey" not in page:
            break
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    fetch_ms = (time.perf_counter() - started) * 1000

    def parse() -> int:
        rows_read = sorted(
            (
                (int(item["position"]["N"]), plain(deserializer.deserialize(item["model"])))
                for item in fetched
            ),
            key=lambda row: row[0],
        )
        return len(valid_models([document for _, document in rows_read], origin="bench"))

    cpu = []
    for _ in range(READS):
        started = time.perf_counter()
        assert parse() == n
        cpu.append((time.perf_counter() - started) * 1000)
    row("cold read: calls", f"{_calls(wire.calls)} (+ 1 GetItem)")
    row("cold read: bytes received", _kb(wire.received))
    row("cold read: moto fetch, once (ms)", f"{fetch_ms:,.0f}")
    row("  deserialize+validate (ms, median)", f"{statistics.median(cpu):,.1f}")


def print_table(title: str, rows: dict[str, Row]) -> None:
    width = max(len(label) for label in rows) + 2
    print(f"\n{title}")
    print(f"  {'':<{width}}" + "".join(f"{f'{n:,} models':<48}" for n in SIZES))
    for row in rows.values():
        cells = "".join(f"{row.figures.get(n, ''):<48}" for n in SIZES)
        print(f"  {row.label:<{width}}{cells}")


def main() -> None:
    import logging

    from moto import mock_aws

    logging.disable(logging.WARNING)
    os.environ.update(
        AWS_ACCESS_KEY_ID="x", AWS_SECRET_ACCESS_KEY="x", AWS_DEFAULT_REGION="us-east-1"
    )
    with mock_aws():
        from awsclients import AwsClients

        client = AwsClients(region="us-east-1").dynamodb()
        chunks: dict[str, Row] = {}
        items: dict[str, Row] = {}
        for n in SIZES:
            measure_chunks(client, n, chunks)
            measure_items(client, n, items)
    print(f"moto in process, Python {sys.version.split()[0]}; times are medians of {READS}")
    print_table("chunks + pointer (in use)", chunks)
    print_table("versioned items, copy-on-write (the alternative)", items)


if __name__ == "__main__":
    main()

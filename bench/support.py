"""What the benchmarks share: a Lambda context, a clock moved by hand, a counter of the calls a
botocore client makes, and a catalog published the way the sync publishes it. Product code
only (no import of tests/): the benchmarks run from the repository root, `python -m bench.X`.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from awsclients import AwsClients


class LambdaContext:
    """What the Lambda runtime passes as `context` (handler.lambda_types.LambdaContext)."""

    function_name = "ModelsApiFunction"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:ModelsApiFunction"
    memory_limit_in_mb = 512
    aws_request_id = "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"
    log_group_name = "/aws/lambda/ModelsApiFunction"
    log_stream_name = "2026/11/24/[$LATEST]abcdef"
    identity = None
    client_context = None

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


class FakeClock:
    """A monotonic clock moved by hand (`clock.now += ttl`)."""

    def __init__(self, now: float = 0.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class CallCounter:
    """The API calls a botocore client really makes, by operation name (on the wire)."""

    def __init__(self, client: Any) -> None:
        self.calls: list[str] = []
        client.meta.events.register("before-call", self._record)

    def _record(self, model: Any, **_: Any) -> None:
        self.calls.append(model.name)


def model_doc(model_id: str, **overrides: Any) -> dict[str, Any]:
    """A minimal valid catalog entry."""
    return {
        "id": model_id,
        "object": "model",
        "created": 1_700_000_000,
        "owned_by": "openai",
        "context_length": 128_000,
        "capabilities": {"vision": True, "function_calling": True},
        **overrides,
    }


def publish(aws: AwsClients, table: str, docs: list[dict[str, Any]]) -> int | None:
    """Publish `docs` into `table` as the sync does (its own code, from a file source); returns
    the version published."""
    from handler.compose import run_sync
    from handler.settings import Settings

    with tempfile.TemporaryDirectory() as directory:
        source = Path(directory) / "models.json"
        source.write_text(json.dumps({"object": "list", "data": docs}))
        report = run_sync(
            Settings(models_table=table, sync_max_remove_fraction=1.0),
            aws=aws,
            source=str(source),
            allow_files=True,
        )
    return report.version

"""Typing for the Lambda context object (the runtime's class is not importable)."""

from __future__ import annotations

from typing import Any, Protocol


class LambdaContext(Protocol):
    function_name: str
    function_version: str
    invoked_function_arn: str
    memory_limit_in_mb: int
    aws_request_id: str
    log_group_name: str
    log_stream_name: str
    identity: Any
    client_context: Any

    def get_remaining_time_in_millis(self) -> int: ...

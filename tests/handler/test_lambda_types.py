"""handler/lambda_types.py: the Lambda context the handlers are typed with. The context the
tests and benchmarks pass (bench.support.LambdaContext, what the runtime passes) satisfies it,
statically (mypy checks the assignment below) and member by member at run time."""

from __future__ import annotations

from typing import Protocol, get_type_hints, runtime_checkable

from bench.support import LambdaContext as RuntimeLikeContext
from handler.lambda_types import LambdaContext


@runtime_checkable
class _CheckedContext(LambdaContext, Protocol):
    """The same protocol, checkable with isinstance (it checks every member is present)."""


def test_the_runtime_like_context_satisfies_the_protocol() -> None:
    context: LambdaContext = RuntimeLikeContext()  # mypy: the protocol is satisfied

    assert isinstance(context, _CheckedContext)
    for name, declared in get_type_hints(LambdaContext).items():
        if declared in (str, int):
            assert isinstance(getattr(context, name), declared), name
    assert isinstance(context.get_remaining_time_in_millis(), int)


def test_an_object_missing_a_member_does_not() -> None:
    class NoClock:
        function_name = "f"

    assert not isinstance(NoClock(), _CheckedContext)
    assert not isinstance(object(), _CheckedContext)

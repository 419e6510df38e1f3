"""The audit's fixtures: the agreeing fakes, served, and an auditor that runs against them.

The helpers themselves are in tests/support/audit.py; this module holds fixtures only.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.audit import Auditor, agreeing_fakes
from tests.support.fake_providers import FakeProvider, serving


@pytest.fixture
def fakes() -> list[FakeProvider]:
    return agreeing_fakes()


@pytest.fixture
def auditor(fakes: list[FakeProvider]) -> Iterator[Auditor]:
    with serving(*fakes) as served:
        yield Auditor(served)

"""The audit's fixtures: the agreeing fakes, served, and an auditor that runs against them.

The helpers themselves are in tests/support/audit.py; they are re-exported here for the modules
that still import them from this conftest (tests/handler/test_audit_job.py,
tests/devtools/test_cli_audit.py).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.audit import KEYS, NOW, Auditor, agreeing_fakes, catalog_docs
from tests.support.fake_providers import FakeProvider, serving

__all__ = ["KEYS", "NOW", "agreeing_fakes", "catalog_docs"]


@pytest.fixture
def fakes() -> list[FakeProvider]:
    return agreeing_fakes()


@pytest.fixture
def auditor(fakes: list[FakeProvider]) -> Iterator[Auditor]:
    with serving(*fakes) as served:
        yield Auditor(served)

"""audit/__init__.py: the audit's public names, each the object of the module that owns it."""

from __future__ import annotations

import audit
from audit import core, errors, report


def test_the_public_names_are_those_of_their_home_modules() -> None:
    homes = {
        "AuditRun": core,
        "ProviderSetup": core,
        "run_audit": core,
        "ProviderFailed": errors,
        "AuditReport": report,
        "DriftEntry": report,
        "ProviderOutcome": report,
    }
    assert sorted(audit.__all__) == sorted(homes)
    for name, module in homes.items():
        assert getattr(audit, name) is getattr(module, name)

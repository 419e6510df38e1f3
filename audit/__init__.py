"""The provider drift audit: each provider's own model list compared with our catalog.

A domain of its own, like `apikeys/`: no HTTP framework, no environment, no AWS. The job that
runs it (keys, catalog, report in S3, event, metrics) is composed in `handler/audit_job.py`.
"""

from audit.core import AuditRun, ProviderSetup, run_audit
from audit.errors import ProviderFailed
from audit.report import AuditReport, DriftEntry, ProviderOutcome

__all__ = [
    "AuditReport",
    "AuditRun",
    "DriftEntry",
    "ProviderFailed",
    "ProviderOutcome",
    "ProviderSetup",
    "run_audit",
]

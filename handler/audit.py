"""Entry point of AuditFunction (template.yaml: handler.audit.lambda_handler), built at init.

The daily schedule invokes it; `{"providers": ["anthropic"]}` audits some providers only. The
job itself is composed in handler/audit_job.py, which `ar-models audit` runs too.
"""

from handler.audit_job import deployed_handler

lambda_handler = deployed_handler()

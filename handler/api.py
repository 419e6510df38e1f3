"""The deployed API: `handler.api:app` (ASGI) and `handler.api.lambda_handler` (template.yaml).

Both are built when this module is imported, at the container's init: settings read and checked
once (a bad one fails the init with one log line), services built (handler/compose.py), the
bundled catalog serialised; SnapStart keeps all of it. The app itself is handler/app.py; the
Lambda side (every event answered) is handler/lambda_adapter.py.
"""

from __future__ import annotations

from handler.app import create_app
from handler.compose import api_at_init
from handler.lambda_adapter import LambdaHandler, build_lambda_handler

__all__ = ["app", "create_app", "lambda_handler"]

app = create_app(api_at_init())
lambda_handler: LambdaHandler = build_lambda_handler(app)

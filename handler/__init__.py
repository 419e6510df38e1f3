"""Delivery: everything that knows HTTP or Lambda. The API (app.py, its dialects in dialects/,
errors, auth, middleware, the OpenAPI document), the Lambda side (lambda_adapter.py), each
job's wiring (compose.py) and entry point (api.py, sync.py), and the settings. The command line
is devtools/."""

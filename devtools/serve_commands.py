"""`ar-models serve` and `ar-models dev`: the banner that says where the API is and with which
key, then the API served until interrupted (devtools.serve; the stack from devtools.devstack)."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace

from devtools.output import fail
from handler.settings import Settings


def serve_locally(args: argparse.Namespace, settings: Settings) -> int:
    # Imported when the command runs, so `ar-models --help` starts in 0.4 s, not 1-2 s.
    from apikeys.material import generate_key
    from devtools.serve import serve_api
    from handler.compose import build_api

    key = settings.dev_api_key
    if not key and not settings.api_keys_table:
        # Fail closed stays true locally: a fresh key per run, never a well-known default.
        key = generate_key()
        settings = replace(settings, dev_api_key=key)
    url = f"http://{args.host}:{args.port}"
    table = settings.models_table or "bundled catalog"
    print(f"AssistantRouter models API on {url}/v1 ({table})")
    if key:
        print(f"API key: {key}")
        print(f'Try: curl -H "Authorization: Bearer {key}" {url}/v1/models')
    else:
        print("API key: create one with `ar-models keys create --name NAME`")
    sys.stdout.flush()
    serve_api(build_api(settings), host=args.host, port=args.port)
    return 0


def serve_dev_stack(args: argparse.Namespace, settings: Settings) -> int:
    # Imported when the command runs, so `ar-models --help` starts in 0.4 s, not 1-2 s.
    import signal

    from catalog.errors import CatalogError
    from devtools.devstack import LOOPBACK, DevStackError, dev_stack
    from devtools.serve import serve_api
    from handler.compose import build_api

    # SIGTERM, and SIGHUP when the terminal closes, must unwind like Ctrl-C, so the local AWS
    # server is stopped in every case (it also exits by itself if this process is killed).
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, lambda received, _: sys.exit(128 + received))
    url = f"http://{LOOPBACK}:{args.port}"
    try:
        with dev_stack(cache_ttl=settings.catalog_cache_ttl, aws_port=args.aws_port) as stack:
            report = stack.sync_report
            source = stack.settings.catalog_source
            print(f"Local AWS (moto: DynamoDB, S3) on {stack.endpoint}")
            print(
                f"Catalog {source} published: version {report.version}, "
                f"{len(report.added) + report.unchanged} models"
            )
            print(f"AssistantRouter models API on {url}/v1")
            print(f"API key: {stack.api_key}")
            print(f'Try: curl -H "Authorization: Bearer {stack.api_key}" {url}/v1/models')
            print("To change the catalog from another shell, export these, upload and sync:")
            for name, value in stack.environment.items():
                print(f"  export {name}={value}")
            print(f"  aws s3 cp my-models.json {source} && ar-models sync")
            print("Ctrl-C stops everything.")
            sys.stdout.flush()
            services = build_api(stack.settings, aws=stack.aws)
            serve_api(services, host=LOOPBACK, port=args.port)
    except (DevStackError, CatalogError) as exc:
        return fail(str(exc))
    return 0

"""`ar-models`: run the API locally, publish and export the catalog, report model lifecycles,
audit it against the providers, manage API keys."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from devtools import audit_commands, catalog_commands, key_commands, serve_commands
from devtools.devstack import DEV_CACHE_TTL
from devtools.local_state import DEFAULT_STATE_DIR
from devtools.output import fail
from handler import settings as env
from handler.settings import Settings, SettingsError, load_settings

Command = Callable[[argparse.Namespace, Settings], int]


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    # Warnings only: what a command has to say it prints itself (the sync's report once, not
    # again as its log line), and botocore's INFO lines about credentials are noise here.
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        # A command may bring its own defaults (`dev`: a short cache TTL); the others use ours.
        settings = load_settings(defaults=getattr(args, "defaults", None))
    except SettingsError as exc:
        return fail(str(exc))
    command: Command = args.command
    try:
        return command(args, settings)
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ar-models", description=__doc__)
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    serve = commands.add_parser(
        "serve",
        help="serve the API locally (bundled catalog, or MODELS_TABLE)",
        description="Serve the API on this machine until Ctrl-C, on the bundled catalog (or the "
        f"one published in {env.MODELS_TABLE}). The API key is {env.DEV_API_KEY} when it is set; "
        f"else, unless {env.API_KEYS_TABLE} is set, the key kept in the state directory, made "
        "on the first run and the same on every later one. Exits 1 at once, before printing "
        "anything else, when the port is in use.",
    )
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: %(default)s)"
    )
    serve.add_argument(
        "--port",
        type=int,
        default=3000,
        help="port to listen on (default: %(default)s; `make serve PORT=...`); 0: any free one",
    )
    _state_dir_option(serve)
    serve.set_defaults(command=serve_commands.serve_locally)

    dev = commands.add_parser(
        "dev",
        help="full local stack without Docker: moto DynamoDB + S3, synced catalog, the API",
        description="The whole stack on this machine until Ctrl-C: a local AWS endpoint (moto) "
        "with the tables of template.yaml, the bundled catalog uploaded to S3 and published by "
        f"the sync job, and the API on 127.0.0.1. The API key is {env.DEV_API_KEY} when it is "
        "set; else the key kept in the state directory, made on the first run and the same on "
        "every later one. The stack's environment (AWS endpoint, credentials, tables, catalog "
        "source) is written to the state directory's `env` file, which `. .dev/env` loads into "
        "another shell. Exits 1 at once, before printing anything else, when a port is in use.",
    )
    dev.add_argument(
        "--port",
        type=int,
        default=3000,
        help="port of the API (default: %(default)s; `make dev PORT=...`); 0: any free one",
    )
    dev.add_argument(
        "--fake-providers",
        action="store_true",
        help="also start fake OpenAI, Anthropic and Gemini model lists on loopback (the bundled "
        "catalog's models) and put their URLs and keys in the environment file: a local demo "
        "of `ar-models audit`",
    )
    dev.add_argument(
        "--aws-port", type=int, default=0, help="port of the local AWS endpoint (default: any free)"
    )
    _state_dir_option(dev)
    # The stack's short cache TTL, unless CATALOG_CACHE_TTL says otherwise.
    dev.set_defaults(
        command=serve_commands.serve_dev_stack, defaults=Settings(catalog_cache_ttl=DEV_CACHE_TTL)
    )

    sync = commands.add_parser(
        "sync", help="publish the curated catalog into MODELS_TABLE; prints the report (JSON)"
    )
    sync.add_argument(
        "--source",
        metavar="SOURCE",
        help="'bundled', s3://bucket/key or a local file (./models.json, file:///abs/models.json);"
        " default: CATALOG_SOURCE, else bundled",
    )
    sync.add_argument("--dry-run", action="store_true", help="compute the change, write nothing")
    sync.add_argument("--force", action="store_true", help="lift the removal guard")
    sync.add_argument(
        "--temporary",
        action="store_true",
        help="publish a --source other than CATALOG_SOURCE anyway, until the next scheduled "
        "sync reverts it (which it lists); to make an edit last, use `publish`",
    )
    sync.set_defaults(command=catalog_commands.sync_catalog)

    publish = commands.add_parser(
        "publish",
        help="validate FILE, write it to the stack's CATALOG_SOURCE (s3://...), then sync; "
        "prints the report (JSON). The edit lasts: later scheduled runs read the same object",
    )
    publish.add_argument("file", metavar="FILE", help="a catalog file (./models.json)")
    publish.add_argument(
        "--dry-run", action="store_true", help="compute the change, upload and write nothing"
    )
    publish.add_argument("--force", action="store_true", help="lift the removal guard")
    publish.set_defaults(command=catalog_commands.publish_catalog)

    export = commands.add_parser(
        "export",
        help="write the catalog published in MODELS_TABLE as a catalog file `sync` accepts",
    )
    export.add_argument(
        "--output",
        "-o",
        metavar="FILE",
        help="write it to FILE, atomically (default, or '-': stdout)",
    )
    export.add_argument(
        "--skip-invalid",
        action="store_true",
        help="leave out the published models the current schema refuses (listed on stderr) "
        "instead of failing",
    )
    export.set_defaults(command=catalog_commands.export_catalog)

    validate = commands.add_parser(
        "validate", help="check a catalog file; exits 1 listing every problem"
    )
    validate.add_argument("file", metavar="FILE")
    validate.set_defaults(command=catalog_commands.validate_catalog)

    lifecycle = commands.add_parser(
        "lifecycle",
        help="list every model that is not active: status, dates, days left, successor",
        description="Every deprecated or retired model of the catalog, retired first, then "
        "deprecated, each by shutdown date (unknown last), then in curated order. A report: it "
        "exits 0 whether or not any model is deprecated (1 only when the catalog cannot be "
        "read or is invalid). The catalog it reads is said on stderr.",
    )
    lifecycle.add_argument(
        "--source",
        metavar="SOURCE",
        help="inspect a catalog document before publishing it: 'bundled', s3://bucket/key or a "
        "local file (./models.json), validated as `sync` validates it; default: the catalog "
        f"published in {env.MODELS_TABLE}, or the bundled one when {env.MODELS_TABLE} is unset",
    )
    lifecycle.add_argument(
        "--at",
        metavar="YYYY-MM-DD",
        type=_iso_date,
        help="evaluate the statuses on that date, 00:00 UTC (default: today, UTC)",
    )
    lifecycle.add_argument(
        "--json",
        action="store_true",
        help='print a JSON array of {"id", "status", "deprecated_at", "shutdown_at", '
        '"days_left", "successor"} (null where unknown) instead of the table',
    )
    lifecycle.set_defaults(command=catalog_commands.report_lifecycle)

    audit = commands.add_parser(
        "audit",
        help="compare each provider's own model list with the catalog; exit 0 no drift, "
        "2 drift, 1 a provider failed",
        description="Reads each provider's model list (keys from OPENAI_API_KEY, "
        "ANTHROPIC_API_KEY, GEMINI_API_KEY; a provider without one is skipped) and reports the "
        "drift: missing_upstream, new_upstream, lifecycle, limits. Writes nothing to any table. "
        "Exit 0: no drift; 2: drift found; 1: a provider failed.",
    )
    audit.add_argument(
        "--provider",
        action="append",
        metavar="NAME",
        help="audit only this provider (openai, anthropic, gemini); repeatable; default: all",
    )
    audit.add_argument(
        "--source",
        metavar="SOURCE",
        help="audit a catalog document instead of the published one: 'bundled', "
        "s3://bucket/key or a local file",
    )
    audit.add_argument(
        "--include",
        action="append",
        metavar="NAME=PATTERN",
        help="report an upstream model we lack as new_upstream only if its id matches PATTERN "
        "(fnmatch); repeatable, replaces the provider's default filter (openai: gpt-*, o[0-9]*; "
        "anthropic: claude-*; gemini: gemini-* serving generateContent)",
    )
    audit.add_argument("--json", action="store_true", help="print the report as JSON")
    audit.add_argument(
        "--propose",
        metavar="OUT",
        help="write the catalog with the providers' authoritative values applied to OUT "
        "(a file `ar-models validate` accepts); the changes are listed on stderr",
    )
    audit.add_argument(
        "--timeout",
        type=float,
        metavar="SECONDS",
        help="time budget of each provider, retries included (default: AUDIT_PROVIDER_TIMEOUT, "
        "else 60)",
    )
    audit.set_defaults(command=audit_commands.audit_catalog)

    keys = commands.add_parser("keys", help="manage API keys in API_KEYS_TABLE")
    key_actions = keys.add_subparsers(required=True, metavar="ACTION")
    create = key_actions.add_parser("create", help="create a key; prints it alone on the last line")
    create.add_argument("--name", required=True)
    create.add_argument("--tier", default="default")
    create.set_defaults(command=key_commands.create_key)
    key_actions.add_parser("list", help="list keys (prefixes only)").set_defaults(
        command=key_commands.list_keys
    )
    revoke = key_actions.add_parser("revoke", help="revoke a key by full key or unique prefix")
    revoke.add_argument("key_or_prefix", metavar="KEY_OR_PREFIX")
    revoke.set_defaults(command=key_commands.revoke_key)
    return parser


def _state_dir_option(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--state-dir",
        metavar="DIR",
        type=Path,
        default=DEFAULT_STATE_DIR,
        help="where the local API key and the dev stack's environment file are kept "
        "(default: .dev in the clone, gitignored)",
    )


def _iso_date(text: str) -> date:
    """A `YYYY-MM-DD` argument (argparse type)."""
    try:
        if len(text) != len("YYYY-MM-DD"):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date YYYY-MM-DD: {text!r}") from None


if __name__ == "__main__":
    sys.exit(main())

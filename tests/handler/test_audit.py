"""handler/audit.py, AuditFunction's entry: built at import from this process's environment, it
is the audit job's deployed handler (handler/audit_job.py), and it builds nothing else."""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Iterator
from types import ModuleType

import pytest

from awsclients import AwsClients
from handler import settings as env
from handler.audit_job import AuditHandler
from handler.settings import SettingsError
from tests.support.audit import KEYS, agreeing_fakes, catalog_docs
from tests.support.factories import publish
from tests.support.fake_providers import openai_model, serving
from tests.support.probe import probe_json

BUCKET = "audit-reports"


def fresh_entry() -> ModuleType:
    """handler.audit imported anew, as a Lambda container's init does."""
    sys.modules.pop("handler.audit", None)
    return importlib.import_module("handler.audit")


@pytest.fixture(autouse=True)
def forget_the_entry() -> Iterator[None]:
    yield
    sys.modules.pop("handler.audit", None)


def test_the_deployed_entry_builds_at_import_and_a_bad_setting_fails_the_init(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    module = fresh_entry()
    assert callable(module.lambda_handler)
    monkeypatch.setenv(env.AUDIT_PROVIDER_TIMEOUT, "-1")
    with pytest.raises(SettingsError):
        fresh_entry()
    assert "the audit cannot start" in caplog.text


def test_the_entry_runs_the_audit_job_with_the_functions_settings(
    aws: AwsClients,
    models_table: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    publish(aws.dynamodb(), models_table, catalog_docs())
    aws.s3().create_bucket(Bucket=BUCKET)
    with serving(*agreeing_fakes()) as served:
        served["openai"].provider.models.append(openai_model("gpt-6-luna"))
        for name, value in {
            env.MODELS_TABLE: models_table,
            env.AUDIT_REPORT_BUCKET: BUCKET,
            env.FUNCTION_NAME: "assistantrouter-AuditFunction",
            env.OPENAI_BASE_URL: served["openai"].base_url,
            env.OPENAI_API_KEY: KEYS["openai"],
        }.items():
            monkeypatch.setenv(name, value)
        handler = fresh_entry().lambda_handler
        assert isinstance(handler, AuditHandler)

        result = handler({"providers": ["openai"]}, None)

    assert (result["drift"], result["exit_code"]) == (1, 2)
    bucket, key = result["report"].removeprefix("s3://").split("/", 1)
    report = json.loads(aws.s3().get_object(Bucket=bucket, Key=key)["Body"].read())
    assert bucket == BUCKET
    assert report["catalog"]["origin"] == f"catalog version 1 ({models_table})"
    assert [p["provider"] for p in report["providers"]] == ["openai"]
    assert [d["model"] for d in report["drift"]] == ["gpt-6-luna"]
    emf = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert {line.get("Provider") for line in emf} == {"openai", None}


def test_importing_the_entry_builds_no_other_job_and_no_web_app() -> None:
    probe = (
        "import json, sys, handler.audit\n"
        "watched = ('handler.api', 'handler.sync', 'handler.app', 'fastapi', 'mangum')\n"
        "print(json.dumps(sorted(m for m in watched if m in sys.modules)))\n"
    )
    assert probe_json(probe, env={"AWS_DEFAULT_REGION": "us-east-1"}) == []

"""devtools/audit_commands.py, `ar-models audit`: exit 0 / 2 / 1, the table and the JSON,
`--propose` (a file `validate` accepts, and no table write on the wire), and keys never in any
output, log or error."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from devtools.cli import main
from tests.support.audit import KEYS, NOW, agreeing_fakes, catalog_docs
from tests.support.environment import REGION
from tests.support.factories import publish, write_catalog
from tests.support.fake_providers import (
    Fault,
    Served,
    anthropic_model,
    gemini_model,
    openai_model,
    serving,
)

WRITES = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Served]]:
    """The fakes, and the shell of an operator whose variables point at them."""
    with serving(*agreeing_fakes()) as served:
        for name, fake in served.items():
            monkeypatch.setenv(f"{name.upper()}_BASE_URL", fake.base_url)
            monkeypatch.setenv(f"{name.upper()}_API_KEY", KEYS[name])
        yield served


@pytest.fixture
def catalog_file(tmp_path: Path) -> Path:
    return write_catalog(tmp_path / "models.json", catalog_docs())


@pytest.fixture(autouse=True)
def today(monkeypatch: pytest.MonkeyPatch) -> None:
    """The audit evaluates our statuses at 2026-12-01, as the fakes' lists assume."""
    monkeypatch.setattr("devtools.audit_commands.wall_clock", lambda: NOW)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(["audit", *args])
    out, err = capsys.readouterr()
    return status, out, err


def drift(served: dict[str, Served]) -> None:
    served["openai"].provider.models.append(openai_model("gpt-6-luna"))
    served["openai"].provider.models[0]["shutdown_date"] = "2027-02-01"
    served["anthropic"].provider.models[0] = anthropic_model(
        "claude-opus-5-5",
        lifecycle="deprecated",
        deprecated_at="2026-11-20T00:00:00Z",
        retires_at="2027-05-20T09:30:00Z",
        max_input_tokens=1000000,
        max_tokens=128000,
    )
    served["gemini"].provider.models[0] = gemini_model("gemini-2.5-flash", output_tokens=32768)


def test_no_drift_exits_0_with_a_table(
    served: dict[str, Served], catalog_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(capsys, "--source", str(catalog_file))
    assert status == 0, err
    lines = out.splitlines()
    assert lines[0] == f"catalog: {catalog_file} (6 models)"
    assert [line.split()[:2] for line in lines[1:4]] == [
        ["openai", "ok"],
        ["anthropic", "ok"],
        ["gemini", "ok"],
    ]
    assert lines[-1] == "no drift"


def test_drift_exits_2_and_lists_each_difference(
    served: dict[str, Served], catalog_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    drift(served)
    status, out, _ = run(capsys, "--source", str(catalog_file))
    assert status == 2
    table = out.split("\n\n", 1)[1].splitlines()
    assert table[0].split() == ["PROVIDER", "MODEL", "KIND", "FIELD", "OURS", "THEIRS"]
    assert table[1].split() == [
        "openai",
        "gpt-6-luna",
        "new_upstream",
        "id",
        "\u2014",
        "gpt-6-luna",
    ]


def test_a_failed_provider_exits_1_whatever_the_others_found(
    served: dict[str, Served], catalog_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    drift(served)
    served["gemini"].provider.fail(Fault(status=503, times=99))
    status, out, _ = run(capsys, "--source", str(catalog_file), "--json", "--timeout", "5")
    assert status == 1
    report = json.loads(out)
    assert report["summary"]["failed"] == ["gemini"]
    assert report["summary"]["exit_code"] == 1
    [gemini] = [p for p in report["providers"] if p["provider"] == "gemini"]
    assert gemini["status"] == "failed"
    assert gemini["reason"].startswith("HTTP 503: UNAVAILABLE")
    assert all(d["provider"] != "gemini" for d in report["drift"])


def test_json_report_schema(
    served: dict[str, Served], catalog_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    drift(served)
    status, out, _ = run(capsys, "--source", str(catalog_file), "--json", "--provider", "gemini")
    assert status == 2
    report = json.loads(out)
    assert set(report) == {"schema", "started_at", "catalog", "summary", "providers", "drift"}
    assert report["schema"] == "assistantrouter.audit/1"
    assert report["started_at"] == "2026-12-01T00:00:00Z"
    assert report["catalog"] == {"origin": str(catalog_file), "version": None, "models": 6}
    assert report["summary"] == {
        "drift": 1,
        "by_kind": {"missing_upstream": 0, "new_upstream": 0, "lifecycle": 0, "limits": 1},
        "failed": [],
        "skipped": [],
        "exit_code": 2,
    }
    [provider] = report["providers"]
    assert set(provider) == {
        "provider",
        "status",
        "reason",
        "upstream_models",
        "compared_models",
        "requests",
        "seconds",
        "drift",
    }
    assert report["drift"] == [
        {
            "provider": "gemini",
            "model": "gemini-2.5-flash",
            "kind": "limits",
            "field": "max_output_tokens",
            "ours": 65536,
            "theirs": 32768,
        }
    ]
    assert served["openai"].provider.requests == []


def test_include_replaces_a_providers_new_upstream_filter(
    served: dict[str, Served], catalog_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--source", str(catalog_file), "--json", "--provider", "openai"]
    status, out, _ = run(capsys, *args, "--include", "openai=dall-e-*", "--include", "openai=x*")
    assert status == 2
    assert [d["model"] for d in json.loads(out)["drift"]] == ["dall-e-3"]


def test_a_provider_without_a_key_is_skipped(
    served: dict[str, Served],
    catalog_file: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY")
    status, out, _ = run(capsys, "--source", str(catalog_file))
    assert status == 0
    assert "openai     skipped  no API key" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--provider", "mistral"], "unknown provider(s) mistral"),
        (["--timeout", "0"], "--timeout must be a number of seconds > 0"),
        (["--include", "gpt-*"], "--include must be NAME=PATTERN"),
        (["--include", "mistral=m*"], "unknown provider(s) mistral"),
        (["--source", "/nowhere/models.json"], "/nowhere/models.json does not exist"),
    ],
)
def test_a_bad_invocation_exits_1_saying_why(
    served: dict[str, Served], capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    status, _, err = run(capsys, *args)
    assert status == 1
    assert message in err


def test_propose_writes_a_catalog_validate_accepts_and_writes_no_table(
    served: dict[str, Served],
    mocked_aws: None,
    models_table: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    publish(boto3.client("dynamodb", region_name=REGION), models_table, catalog_docs())
    monkeypatch.setenv("MODELS_TABLE", models_table)
    drift(served)
    calls: list[str] = []
    boto3.setup_default_session(region_name=REGION)
    assert boto3.DEFAULT_SESSION is not None
    boto3.DEFAULT_SESSION.events.register(
        "before-call.dynamodb", lambda model, **_: calls.append(model.name)
    )
    out = tmp_path / "proposed.json"

    status, report, err = run(capsys, "--propose", str(out))

    assert status == 2
    assert calls  # it read the published catalog...
    assert WRITES.isdisjoint(calls), calls  # ...and wrote nothing
    assert f"catalog version 1 ({models_table})" in report
    assert main(["validate", str(out)]) == 0
    capsys.readouterr()
    proposed = {m["id"]: m for m in json.loads(out.read_text())["data"]}
    assert proposed["gpt-4o"]["lifecycle"]["shutdown_at"] == "2027-02-01"
    opus = proposed["claude-opus-5-5"]
    assert opus["lifecycle"] == {
        "status": "deprecated",
        "deprecated_at": "2026-11-20",
        "shutdown_at": "2027-05-20",
    }
    assert (opus["context_length"], opus["max_output_tokens"]) == (1000000, 128000)
    assert proposed["gemini-2.5-flash"]["max_output_tokens"] == 32768
    assert "gpt-6-luna" not in proposed  # adding a model is a person's decision
    # Everything else as published.
    docs = {d["id"]: d for d in catalog_docs()}
    assert proposed["gpt-5"] == docs["gpt-5"]
    assert list(proposed) == list(docs)
    assert err.splitlines()[0] == f"{out}: 7 change(s) proposed, review then `ar-models sync`"
    assert "left     openai gpt-6-luna new_upstream id: adding or removing a model" in err


def test_propose_leaves_out_a_change_that_would_make_the_model_invalid(
    served: dict[str, Served],
    catalog_file: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Anthropic says the output limit is over the context window we keep: refused by validate.
    served["anthropic"].provider.models[0] = anthropic_model(
        "claude-opus-5-5", max_input_tokens=None, max_tokens=300000
    )
    out = tmp_path / "proposed.json"
    status, _, err = run(capsys, "--source", str(catalog_file), "--propose", str(out))
    assert status == 2
    assert main(["validate", str(out)]) == 0
    proposed = {m["id"]: m for m in json.loads(out.read_text())["data"]}
    assert proposed["claude-opus-5-5"]["max_output_tokens"] == 64000
    assert "max_output_tokens: would make the model invalid" in err


def test_keys_never_appear_in_any_output_log_or_error(
    served: dict[str, Served],
    catalog_file: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every path a key could take: a provider echoing a wrong one, failures, retries, drift."""
    wrong = "sk-proj-WRONG-KEY-5e6f7a8b9c0d"
    monkeypatch.setenv("OPENAI_API_KEY", wrong)  # OpenAI quotes it back in its 401
    drift(served)
    served["anthropic"].provider.fail(Fault(status=429, retry_after="0"), Fault(status=529))
    served["gemini"].provider.fail(Fault(body=b"not json"))
    caplog.set_level(logging.DEBUG)
    outputs: list[str] = []
    for args in ([], ["--json"], ["--propose", str(tmp_path / "p.json")]):
        status, out, err = run(capsys, "--source", str(catalog_file), *args)
        assert status == 1
        outputs += [out, err]
        served["anthropic"].provider.fail(Fault(status=429, retry_after="0"))
        served["gemini"].provider.fail(Fault(body=b"not json"))
    outputs += [(tmp_path / "p.json").read_text()]
    outputs += [record.getMessage() for record in caplog.records]
    outputs += [str(record.exc_info) for record in caplog.records if record.exc_info]
    assert "[redacted]" in "".join(outputs)  # the 401's quote, redacted
    for key in [wrong, *KEYS.values()]:
        leaks = [text for text in outputs if key in text]
        assert leaks == [], key

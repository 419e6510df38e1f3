"""The audit's settings: the variable names of the contract, their defaults, their checks."""

from __future__ import annotations

import pytest

from handler import settings as env
from handler.settings import AuditSettings, SettingsError


def test_unset_means_the_providers_own_urls_no_keys_and_a_60_s_budget() -> None:
    audit = AuditSettings.from_environ({})
    assert audit == AuditSettings()
    assert audit.base_urls == {"openai": None, "anthropic": None, "gemini": None}
    assert audit.api_keys == {"openai": None, "anthropic": None, "gemini": None}
    assert audit.provider_timeout == 60.0
    from audit.providers import build_providers

    assert [p.base_url for p in build_providers(dict(audit.base_urls))] == [  # type: ignore[attr-defined]
        "https://api.openai.com/v1",
        "https://api.anthropic.com",
        "https://generativelanguage.googleapis.com",
    ]


def test_every_variable_is_read_and_keys_stay_out_of_the_repr() -> None:
    audit = AuditSettings.from_environ(
        {
            env.OPENAI_BASE_URL: "http://127.0.0.1:9/v1",
            env.ANTHROPIC_BASE_URL: "http://127.0.0.1:9",
            env.GEMINI_BASE_URL: "http://127.0.0.1:9/",
            env.OPENAI_API_KEY: "sk-secret-openai",
            env.ANTHROPIC_API_KEY: "sk-secret-anthropic",
            env.GEMINI_API_KEY: "secret-gemini",
            env.PROVIDER_KEYS_SECRET_ARN: "arn:aws:secretsmanager:us-east-1:1:secret:k",
            env.AUDIT_REPORT_BUCKET: "bucket",
            env.AUDIT_PROVIDER_TIMEOUT: "12.5",
        }
    )
    assert audit.base_urls["gemini"] == "http://127.0.0.1:9/"
    assert audit.api_keys["anthropic"] == "sk-secret-anthropic"
    assert (audit.report_bucket, audit.provider_timeout) == ("bucket", 12.5)
    for key in ("sk-secret-openai", "sk-secret-anthropic", "secret-gemini"):
        assert key not in repr(audit)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        (env.OPENAI_BASE_URL, "api.openai.com/v1"),
        (env.GEMINI_BASE_URL, "ftp://example.com"),
        (env.AUDIT_PROVIDER_TIMEOUT, "0"),
        (env.AUDIT_PROVIDER_TIMEOUT, "soon"),
    ],
)
def test_a_bad_value_is_refused_by_name(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        AuditSettings.from_environ({name: value})

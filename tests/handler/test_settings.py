"""Settings from an environment mapping: names of template.yaml, defaults, refusal of bad values."""

from __future__ import annotations

import pytest

from handler.settings import Settings, SettingsError, load_settings

EVERY_VARIABLE = {
    "MODELS_TABLE": "models",
    "API_KEYS_TABLE": "keys",
    "DEV_API_KEY": "ar-dev",
    "CATALOG_CACHE_TTL": "30",
    "CATALOG_SOURCE": "s3://bucket/models.json",
    "SYNC_MAX_REMOVE_FRACTION": "0.5",
    "CATALOG_EVENT_BUS": "bus",
    "LIFECYCLE_WARNING_DAYS": "14",
    "CATALOG_CLEANUP_GRACE_MINUTES": "15",
}
EVERY_SETTING = Settings(
    models_table="models",
    api_keys_table="keys",
    dev_api_key="ar-dev",
    catalog_cache_ttl=30.0,
    catalog_source="s3://bucket/models.json",
    sync_max_remove_fraction=0.5,
    catalog_event_bus="bus",
    lifecycle_warning_days=14,
    cleanup_grace_minutes=15.0,
)
OTHER_DEFAULTS = Settings(
    models_table="default-models",
    api_keys_table="default-keys",
    dev_api_key="ar-default-dev",
    catalog_cache_ttl=5.0,
    catalog_source="s3://default/models.json",
    sync_max_remove_fraction=0.1,
    catalog_event_bus="default-bus",
    lifecycle_warning_days=7,
    cleanup_grace_minutes=30.0,
)


def test_defaults_mean_bundled_catalog_and_no_keys() -> None:
    settings = Settings.from_environ({})
    assert settings == Settings()
    assert settings.models_table is None
    assert settings.api_keys_table is None
    assert settings.dev_api_key is None
    assert settings.catalog_cache_ttl == 60
    assert settings.catalog_source == "bundled"
    assert settings.sync_max_remove_fraction == 0.2
    assert settings.catalog_event_bus is None
    assert settings.lifecycle_warning_days == 30
    assert settings.cleanup_grace_minutes == 0  # one region: the template passes none


def test_every_variable_is_read_by_its_template_name() -> None:
    assert Settings.from_environ(EVERY_VARIABLE) == EVERY_SETTING


def test_values_are_stripped() -> None:
    padded = {name: f"  {value}\n" for name, value in EVERY_VARIABLE.items()}
    assert Settings.from_environ(padded) == EVERY_SETTING


def test_empty_strings_count_as_unset_as_sam_passes_them() -> None:
    blank = {name: "" for name in EVERY_VARIABLE} | {"DEV_API_KEY": "  "}
    assert Settings.from_environ(blank) == Settings()


def test_unset_variables_keep_the_given_defaults() -> None:
    assert Settings.from_environ({}, defaults=OTHER_DEFAULTS) == OTHER_DEFAULTS
    blank = {name: "" for name in EVERY_VARIABLE}
    assert Settings.from_environ(blank, defaults=OTHER_DEFAULTS) == OTHER_DEFAULTS


def test_set_variables_override_the_given_defaults() -> None:
    assert Settings.from_environ(EVERY_VARIABLE, defaults=OTHER_DEFAULTS) == EVERY_SETTING
    some = Settings.from_environ(
        {"MODELS_TABLE": "models", "CATALOG_CACHE_TTL": "0"}, defaults=OTHER_DEFAULTS
    )
    assert (some.models_table, some.catalog_cache_ttl) == ("models", 0.0)
    assert (some.api_keys_table, some.catalog_source) == (
        "default-keys",
        OTHER_DEFAULTS.catalog_source,
    )
    assert some.sync_max_remove_fraction == OTHER_DEFAULTS.sync_max_remove_fraction


def test_unknown_variables_are_ignored() -> None:
    assert Settings.from_environ({"PATH": "/usr/bin", "models_table": "lowercase"}) == Settings()


def test_the_dev_key_never_shows_in_repr() -> None:
    assert "s3cret" not in repr(Settings.from_environ({"DEV_API_KEY": "s3cret"}))


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("CATALOG_CACHE_TTL", "soon"),
        ("CATALOG_CACHE_TTL", "-1"),
        ("CATALOG_CACHE_TTL", "nan"),
        ("SYNC_MAX_REMOVE_FRACTION", "1.5"),
        ("SYNC_MAX_REMOVE_FRACTION", "-0.1"),
        ("SYNC_MAX_REMOVE_FRACTION", "20%"),
        ("SYNC_MAX_REMOVE_FRACTION", "nan"),
        ("LIFECYCLE_WARNING_DAYS", "soon"),
        ("LIFECYCLE_WARNING_DAYS", "-1"),
        ("LIFECYCLE_WARNING_DAYS", "7.5"),
        ("LIFECYCLE_WARNING_DAYS", "1e2"),
        ("LIFECYCLE_WARNING_DAYS", "+7"),
        ("LIFECYCLE_WARNING_DAYS", "\u0663"),  # a digit, but not an ASCII one
        ("LIFECYCLE_WARNING_DAYS", "3651"),
        ("CATALOG_CLEANUP_GRACE_MINUTES", "-1"),
        ("CATALOG_CLEANUP_GRACE_MINUTES", "1441"),
        ("CATALOG_CLEANUP_GRACE_MINUTES", "15m"),
    ],
)
def test_bad_numbers_are_refused_naming_the_variable(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name) as refused:
        Settings.from_environ({name: value})
    assert repr(value) in str(refused.value)
    with pytest.raises(SettingsError, match=name):  # defaults do not excuse a bad value
        Settings.from_environ({name: value}, defaults=OTHER_DEFAULTS)


@pytest.mark.parametrize(
    ("name", "value", "field", "expected"),
    [
        ("CATALOG_CACHE_TTL", "0", "catalog_cache_ttl", 0.0),
        ("CATALOG_CACHE_TTL", "1e3", "catalog_cache_ttl", 1000.0),
        ("SYNC_MAX_REMOVE_FRACTION", "0", "sync_max_remove_fraction", 0.0),
        ("SYNC_MAX_REMOVE_FRACTION", "1", "sync_max_remove_fraction", 1.0),
        ("LIFECYCLE_WARNING_DAYS", "0", "lifecycle_warning_days", 0),
        ("LIFECYCLE_WARNING_DAYS", "030", "lifecycle_warning_days", 30),
        ("LIFECYCLE_WARNING_DAYS", "3650", "lifecycle_warning_days", 3650),
    ],
)
def test_numbers_at_their_bounds_are_accepted(
    name: str, value: str, field: str, expected: float
) -> None:
    assert getattr(Settings.from_environ({name: value}), field) == expected


def test_settings_error_is_a_value_error() -> None:
    assert issubclass(SettingsError, ValueError)


def test_load_settings_reads_this_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The composition roots' reader: the only code that looks at os.environ."""
    assert load_settings() == Settings()
    monkeypatch.setenv("MODELS_TABLE", "from-the-environment")
    loaded = load_settings(defaults=OTHER_DEFAULTS)
    assert loaded.models_table == "from-the-environment"
    assert loaded.api_keys_table == OTHER_DEFAULTS.api_keys_table


def test_every_setting_has_its_variable_and_each_is_read() -> None:
    """ENV_NAMES (which the tests clear) names exactly the Settings fields, and each variable
    really sets its field."""
    import dataclasses

    from handler import settings as env

    fields = [field.name for field in dataclasses.fields(env.Settings)]
    assert list(env.ENV_NAMES) == fields
    samples = {"catalog_cache_ttl": "7", "sync_max_remove_fraction": "0.5"}
    samples["lifecycle_warning_days"] = "9"
    samples["cleanup_grace_minutes"] = "15"
    for field, variable in env.ENV_NAMES.items():
        value = samples.get(field, "x-value")
        read = getattr(env.Settings.from_environ({variable: value}), field)
        assert read == (type(read)(value) if field in samples else value)


def test_the_variables_the_tests_clean_are_those_the_settings_read() -> None:
    """tests/support/environment.py finds them by asking `from_environ`: every Settings
    variable, and the audit's (its provider keys above all: a developer's real OPENAI_API_KEY
    must never reach a test)."""
    from handler import settings as env
    from tests.support.environment import SETTINGS_VARIABLES, names_read_by

    assert names_read_by(env.Settings.from_environ) == tuple(env.ENV_NAMES.values())
    audit_keys = {env.OPENAI_API_KEY, env.ANTHROPIC_API_KEY, env.GEMINI_API_KEY}
    assert {*env.ENV_NAMES.values(), *audit_keys, env.PROVIDER_KEYS_SECRET_ARN} <= set(
        SETTINGS_VARIABLES
    )


def test_no_test_sees_a_variable_of_the_developers_shell() -> None:
    import os

    from tests.support.environment import SETTINGS_VARIABLES

    assert [name for name in SETTINGS_VARIABLES if name in os.environ] == []

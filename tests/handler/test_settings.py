from __future__ import annotations

import pytest

from handler.settings import Settings, SettingsError


def test_defaults_mean_bundled_catalog_and_no_keys() -> None:
    settings = Settings.from_environ({})
    assert settings.models_table is None
    assert settings.api_keys_table is None
    assert settings.dev_api_key is None
    assert settings.catalog_cache_ttl == 60
    assert settings.catalog_source == "bundled"


def test_empty_strings_count_as_unset_as_sam_passes_them() -> None:
    settings = Settings.from_environ(
        {"MODELS_TABLE": "", "DEV_API_KEY": "  ", "CATALOG_CACHE_TTL": ""}
    )
    assert settings.models_table is None
    assert settings.dev_api_key is None
    assert settings.catalog_cache_ttl == 60


def test_the_dev_key_never_shows_in_repr() -> None:
    assert "s3cret" not in repr(Settings.from_environ({"DEV_API_KEY": "s3cret"}))


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("CATALOG_CACHE_TTL", "soon"),
        ("CATALOG_CACHE_TTL", "-1"),
        ("CATALOG_CACHE_TTL", "nan"),
        ("SYNC_MAX_REMOVE_FRACTION", "1.5"),
    ],
)
def test_bad_numbers_are_refused_naming_the_variable(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        Settings.from_environ({name: value})

"""apikeys/__init__.py: the keys domain's public names, each the very object of the domain
module that defines it (no copy, no wrapper)."""

from __future__ import annotations

import importlib

import apikeys


def test_every_public_name_is_the_object_of_its_home_module() -> None:
    assert apikeys.__all__
    for name in apikeys.__all__:
        value = getattr(apikeys, name)
        home = value.__module__
        assert home.startswith("apikeys."), (name, home)
        assert getattr(importlib.import_module(home), name) is value

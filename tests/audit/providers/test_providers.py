"""audit/providers/__init__.py: the providers the audit reads, in our order, each built once
from a base URL (None: the provider's own) and an optional `new_upstream` filter."""

from __future__ import annotations

import pytest

from audit.providers import PROVIDER_NAMES, PROVIDERS, build_providers
from audit.providers.anthropic import AnthropicProvider
from audit.providers.base import ProviderBase
from audit.providers.gemini import GeminiProvider
from audit.providers.openai import OpenAIProvider


def test_the_three_providers_in_our_order_each_with_a_name_of_its_own() -> None:
    assert (OpenAIProvider, AnthropicProvider, GeminiProvider) == PROVIDERS
    assert PROVIDER_NAMES == ("openai", "anthropic", "gemini")


def test_providers_are_built_in_our_order_whatever_the_order_asked() -> None:
    built = build_providers({"gemini": None, "openai": "http://127.0.0.1:1/v1"})
    assert [type(p) for p in built] == [OpenAIProvider, GeminiProvider]
    openai, gemini = built
    assert isinstance(openai, ProviderBase)
    assert isinstance(gemini, ProviderBase)
    assert openai.base_url == "http://127.0.0.1:1/v1"
    assert gemini.base_url == GeminiProvider.default_base_url


def test_an_include_filter_is_given_to_its_provider_only() -> None:
    anthropic, gemini = build_providers(
        {"anthropic": None, "gemini": None}, include={"anthropic": ["claude-opus-*"]}
    )
    assert anthropic.include == ("claude-opus-*",)
    assert gemini.include == GeminiProvider.default_include


def test_an_unknown_provider_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match=r"^unknown provider\(s\): bedrock, mistral$"):
        build_providers({"openai": None, "mistral": None, "bedrock": None})


def test_no_provider_asked_is_none_built() -> None:
    assert build_providers({}) == []

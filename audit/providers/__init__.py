"""The providers the audit reads, one module each. A new provider is a module and a line here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from audit.providers.anthropic import AnthropicProvider
from audit.providers.base import Provider, ProviderBase, UpstreamModel
from audit.providers.gemini import GeminiProvider
from audit.providers.openai import OpenAIProvider

PROVIDERS: tuple[type[ProviderBase], ...] = (OpenAIProvider, AnthropicProvider, GeminiProvider)
PROVIDER_NAMES: tuple[str, ...] = tuple(provider.name for provider in PROVIDERS)

__all__ = ["PROVIDERS", "PROVIDER_NAMES", "Provider", "UpstreamModel", "build_providers"]


def build_providers(
    base_urls: Mapping[str, str | None],
    *,
    include: Mapping[str, Sequence[str]] | None = None,
) -> list[Provider]:
    """One provider per name of `base_urls` (name -> base URL, None for the provider's own),
    in our order; `include` overrides a provider's `new_upstream` filter."""
    unknown = set(base_urls) - set(PROVIDER_NAMES)
    if unknown:
        raise ValueError(f"unknown provider(s): {', '.join(sorted(unknown))}")
    include = include or {}
    return [
        provider(base_urls[provider.name], include=include.get(provider.name))
        for provider in PROVIDERS
        if provider.name in base_urls
    ]

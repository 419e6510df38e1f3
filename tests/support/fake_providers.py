"""The fake provider servers the audit's tests run against: devtools/fake_providers.py, where
`ar-models dev --fake-providers` starts them for a local demo too."""

from devtools.fake_providers import (
    Endless,
    FakeAnthropic,
    FakeGemini,
    FakeOpenAI,
    FakeProvider,
    Fault,
    Recorded,
    Served,
    anthropic_model,
    gemini_model,
    openai_model,
    serving,
)

__all__ = [
    "Endless",
    "FakeAnthropic",
    "FakeGemini",
    "FakeOpenAI",
    "FakeProvider",
    "Fault",
    "Recorded",
    "Served",
    "anthropic_model",
    "gemini_model",
    "openai_model",
    "serving",
]

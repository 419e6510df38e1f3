"""What every provider module gives the audit: its list, mapped to the fields we compare.

A provider is one module here with one class fitting `Provider`; `audit.providers.PROVIDERS`
lists them, and nothing outside this package branches on which provider it is.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from fnmatch import fnmatchcase
from typing import Any, ClassVar, Literal, Protocol

from audit.errors import ProviderFailed
from audit.http import JsonFetcher

# What drift a provider's values may be applied for by `--propose`.
Authority = Literal["lifecycle", "limits"]
UpstreamStatus = Literal["active", "deprecated", "retired"]


@dataclass(frozen=True, slots=True)
class UpstreamModel:
    """One model of a provider's list, in our terms. None: the provider does not say."""

    id: str
    status: UpstreamStatus | None = None
    deprecated_at: str | None = None  # ISO dates (UTC)
    shutdown_at: str | None = None
    context_length: int | None = None
    max_output_tokens: int | None = None
    generates: bool = True  # serves generation (Gemini: `generateContent`), not only embeddings


class Provider(Protocol):
    """One provider's model list. `list_models` raises ProviderFailed when it cannot be read."""

    name: ClassVar[str]  # as `--provider` and the report name it
    owned_by: ClassVar[str]  # our catalog's `owned_by` for its models
    authoritative_for: ClassVar[frozenset[Authority]]
    default_include: ClassVar[tuple[str, ...]]

    @property
    def include(self) -> tuple[str, ...]:
        """Patterns (fnmatch, case-sensitive) an upstream id must match to be `new_upstream`."""
        ...

    def list_models(self, fetcher: JsonFetcher, key: str) -> list[UpstreamModel]: ...

    def describe_error(self, status: int, body: Any) -> str:
        """A short reason for an error answer (the body decoded, or None)."""
        ...

    def is_candidate(self, model: UpstreamModel) -> bool:
        """Whether an upstream model we lack is worth reporting as `new_upstream`."""
        ...


class ProviderBase(ABC):
    """What the three providers share: a base URL and the include filter."""

    name: ClassVar[str]
    owned_by: ClassVar[str]
    authoritative_for: ClassVar[frozenset[Authority]]
    default_include: ClassVar[tuple[str, ...]]
    default_base_url: ClassVar[str]

    def __init__(
        self, base_url: str | None = None, *, include: Sequence[str] | None = None
    ) -> None:
        """`base_url`: None for the provider's own; `include`: None for `default_include`."""
        self.base_url = (base_url or self.default_base_url).rstrip("/")
        self._include = tuple(include) if include is not None else self.default_include

    @property
    def include(self) -> tuple[str, ...]:
        return self._include

    @abstractmethod
    def list_models(self, fetcher: JsonFetcher, key: str) -> list[UpstreamModel]: ...

    @abstractmethod
    def describe_error(self, status: int, body: Any) -> str: ...

    def is_candidate(self, model: UpstreamModel) -> bool:
        return model.generates and any(fnmatchcase(model.id, pattern) for pattern in self.include)


def malformed(what: str) -> ProviderFailed:
    return ProviderFailed(f"malformed body: {what}")


def field_of(entry: Any, name: str, kinds: type | tuple[type, ...], *, where: str) -> Any:
    """`entry[name]` if it is of `kinds` (None allowed when `kinds` includes NoneType)."""
    if not isinstance(entry, dict):
        raise malformed(f"{where} is not an object")
    value = entry.get(name)
    # bool is an int to isinstance; a token count is never true or false.
    if isinstance(value, bool) and bool not in (kinds if isinstance(kinds, tuple) else (kinds,)):
        raise malformed(f"{where}.{name} is not of the documented type")
    if not isinstance(value, kinds):
        raise malformed(f"{where}.{name} is not of the documented type")
    return value


def positive_or_none(value: int | None, *, where: str) -> int | None:
    if value is not None and value < 1:
        raise malformed(f"{where} is {value}, not a token count")
    return value


def iso_date(value: str | None, *, where: str) -> str | None:
    """The UTC date of an ISO date or RFC 3339 datetime, as YYYY-MM-DD; None stays None."""
    if value is None:
        return None
    try:
        if len(value) == len("YYYY-MM-DD"):
            return date.fromisoformat(value).isoformat()
        instant = datetime.fromisoformat(value)
    except ValueError:
        raise malformed(f"{where} is not a date") from None
    if instant.tzinfo is not None:
        instant = instant.astimezone(UTC)
    return instant.date().isoformat()

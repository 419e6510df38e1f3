"""Domain errors. The HTTP layer maps each to a status in one table (handler/errors.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from catalog.problems import quoted

if TYPE_CHECKING:
    from catalog.store import CatalogContents


class CatalogError(Exception):
    """Base class of every error the catalog domain raises on purpose."""


class CatalogUnavailable(CatalogError):
    """The catalog store could not be read (unreachable, throttled, denied or misconfigured)."""


class ModelNotFound(CatalogError):
    """No model with this id is in the catalog."""

    def __init__(self, model_id: str) -> None:
        super().__init__(f"The model {quoted(model_id)} does not exist")
        self.model_id = model_id


class InvalidFilter(CatalogError):
    """A list filter names a value the catalog does not know."""

    def __init__(self, param: str, value: str, allowed: list[str]) -> None:
        super().__init__(
            f"Invalid value for '{param}': {quoted(value)}. Expected one of: {', '.join(allowed)}."
        )
        self.param = param
        self.value = value
        self.allowed = allowed


class InvalidCatalog(CatalogError):
    """A catalog document failed validation; `problems` lists every problem found."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(f"{len(problems)} problem(s) in catalog: " + "; ".join(problems))
        self.problems = problems


class VersionConflict(CatalogError):
    """Another writer advanced the catalog version first; this run must not overwrite it."""

    def __init__(self, expected: int | None) -> None:
        super().__init__(
            f"catalog version changed under us (expected {expected}); another sync won the race"
        )
        self.expected = expected


class InvalidSource(CatalogError):
    """A catalog source is none this caller may read: `bundled`, `s3://bucket/key`, or (from a
    shell only) a local file."""


class SourceUnavailable(CatalogError):
    """The catalog source could not be read (missing object, denied, unreachable)."""


class RemovalRefused(CatalogError):
    """A sync would remove too much of the published catalog; it needs `force` to proceed.

    The message says what and why; the caller adds how to force it (an event field, a flag).
    """

    def __init__(self, message: str, *, removed: list[str], published: int) -> None:
        super().__init__(message)
        self.removed = removed
        self.published = published


class EventPublishFailed(CatalogError):
    """An event (CatalogChanged, CatalogDrift) could not be delivered; what it announces stands."""


class CatalogCorrupt(CatalogUnavailable):
    """The published catalog cannot be read back whole: a chunk is missing, or the bytes do not
    match the digest the pointer names. Never served in part; readers treat it as unavailable,
    and the next sync publishes over it."""


class CatalogIncomplete(CatalogCorrupt):
    """The pointer names chunks this table does not hold (yet): in a replica of a global
    table, a version still arriving. Transient, unlike bad content: never remembered as a
    version that cannot be served. `read_previous`, when set, reads the version before it
    (None if there is none, CatalogUnavailable if that one cannot be read either)."""

    def __init__(
        self, message: str, *, read_previous: Callable[[], CatalogContents | None] | None = None
    ) -> None:
        super().__init__(message)
        self.read_previous = read_previous


class CatalogUnreadable(CatalogCorrupt):
    """What a published version stores breaks the rules a source keeps (a pointer of the wrong
    types, too many chunks, a document over the size cap, nested too deeply, not a catalog, a
    wrong digest, too many models). Its bytes never change, so readers remember the version and
    never read it again; the next sync publishes over it."""

    def __init__(self, version: int, reason: str) -> None:
        super().__init__(f"catalog version {version} cannot be read: {reason}")
        self.version = version
        self.reason = reason


class CatalogUnservable(CatalogUnavailable):
    """A catalog was read but cannot be served: the cache treats it as unavailable and keeps
    serving the previous (or the bundled) catalog; `version`, when known, is remembered."""

    def __init__(self, message: str, *, version: int | None = None) -> None:
        super().__init__(message)
        self.version = version


class CatalogTooLarge(CatalogUnservable):
    """The catalog's list body would be over the cap (`catalog.limits.MAX_LIST_BYTES`)."""

    def __init__(self, version: int, size: int, limit: int) -> None:
        super().__init__(
            f"catalog version {version} serialises to {size:,} bytes as GET /v1/models, "
            f"over the cap of {limit:,}",
            version=version,
        )
        self.size = size
        self.limit = limit


class InvalidCursor(CatalogError):
    """A paging cursor (`after_id`, `before_id`) names no model of the catalog."""

    def __init__(self, param: str, value: str) -> None:
        super().__init__(
            f"Invalid value for '{param}': {quoted(value)} is not a model id of this list."
        )
        self.param = param
        self.value = value

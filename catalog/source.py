"""Where the sync reads the curated catalog from: the bundled file, a JSON document in S3, or a
local file (from a shell only).

`CATALOG_SOURCE` is `bundled` or `s3://bucket/key`. `ar-models sync --source` also takes a path
(`./models.json`, `/abs/models.json`, `models.json`, `file:///abs/models.json`): the operator's
own file, which a deployed function does not have, so only a caller that says so
(`allow_files=True`) accepts one. All hold the same format as `catalog/models.json`, capped at
the same size and read by the same parser; each is validated completely before the sync writes
anything.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from catalog.bundled import BUNDLED_CATALOG_PATH
from catalog.document import parse_catalog_json
from catalog.errors import InvalidCatalog, InvalidSource, SourceUnavailable
from catalog.limits import MAX_DOCUMENT_BYTES
from catalog.schema import Model

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

BUNDLED = "bundled"
_S3_SCHEME = "s3://"
_FILE_SCHEME = "file://"
# A catalog is a few hundred models, a few hundred KB. Anything far larger is not a catalog,
# and reading it whole into a 512 MB function would be the failure, not the validation.
# The same cap as any catalog document (the bundled one, `ar-models validate`).
MAX_SOURCE_BYTES = MAX_DOCUMENT_BYTES


@dataclass(frozen=True, slots=True)
class SourceLocation:
    """A parsed catalog source: the bundled file, one S3 object, or one local file (`path`,
    absolute and resolved)."""

    bucket: str | None = None
    key: str | None = None
    path: Path | None = None

    @classmethod
    def parse(cls, source: str, *, allow_files: bool = False) -> SourceLocation:
        """`bundled` or `s3://bucket/key`; with `allow_files`, also a local path or a
        `file:///` URL. InvalidSource otherwise (a path too, without `allow_files`)."""
        text = source.strip()
        if text == BUNDLED:
            return cls()
        if text.startswith(_S3_SCHEME):
            bucket, _, key = text.removeprefix(_S3_SCHEME).partition("/")
            if bucket and key:
                return cls(bucket, key)
            path = None
        else:
            path = _local_path(text)
        if path is None:
            expected = (
                "'bundled', 's3://bucket/key' or a file path"
                if allow_files
                else "'bundled' or 's3://bucket/key'"
            )
            raise InvalidSource(f"catalog source must be {expected}, got {text!r}")
        if not allow_files:
            raise InvalidSource(
                f"catalog source must be 'bundled' or 's3://bucket/key', got {text!r}: a local "
                "file is only read from a shell (`ar-models sync --source FILE`); a deployed "
                "function has no such file"
            )
        path = path.expanduser()
        try:
            return cls(path=path.resolve())
        except (OSError, RuntimeError):  # a symlink loop: the error is the read's to report
            return cls(path=path.absolute())

    def __str__(self) -> str:
        if self.path is not None:
            return str(self.path)
        return BUNDLED if self.bucket is None else f"{_S3_SCHEME}{self.bucket}/{self.key}"


def _local_path(text: str) -> Path | None:
    """The path `text` names (`file:///abs` or a plain path), or None if it is not one: empty,
    another URL scheme, or a `file://` URL naming another host."""
    if not text:
        return None
    if text.startswith(_FILE_SCHEME):
        url = urlsplit(text)
        if url.netloc not in ("", "localhost") or not url.path.startswith("/"):
            return None
        return Path(unquote(url.path))
    if "://" in text or "\0" in text:
        return None
    return Path(text)


class CatalogSourceReader:
    """Reads and validates the curated catalog at a location."""

    def __init__(self, *, s3: Callable[[], S3Client]) -> None:
        """`s3` gives the client, built on first use (e.g. `AwsClients().s3`)."""
        self._s3 = s3

    def read(self, location: SourceLocation) -> list[Model]:
        """Every model of the source, validated. InvalidCatalog lists every problem found."""
        return parse_catalog_json(self.read_bytes(location), origin=str(location))

    def read_bytes(self, location: SourceLocation) -> bytes:
        """The raw document at `location`, bounded as every source is, not yet validated."""
        if location.path is not None:
            return _read_file(location.path)
        if location.bucket is None or location.key is None:
            return BUNDLED_CATALOG_PATH.read_bytes()
        # botocore comes with boto3: loaded when awsclients builds a client, never at import.
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            response = self._s3().get_object(Bucket=location.bucket, Key=location.key)
            size = response.get("ContentLength", 0)
            if size > MAX_SOURCE_BYTES:
                raise InvalidCatalog(
                    [f"{location} is {size} bytes; a catalog is at most {MAX_SOURCE_BYTES}"]
                )
            # At most one byte past the cap, whatever ContentLength said: enough to refuse it.
            raw = response["Body"].read(MAX_SOURCE_BYTES + 1)
            if len(raw) > MAX_SOURCE_BYTES:
                raise InvalidCatalog(
                    [f"{location} is over {MAX_SOURCE_BYTES} bytes; a catalog is at most that"]
                )
            return raw
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code in {"NoSuchKey", "NoSuchBucket", "404"}:
                raise SourceUnavailable(f"{location} does not exist ({code})") from exc
            raise SourceUnavailable(f"cannot read {location}: {exc}") from exc
        except BotoCoreError as exc:
            raise SourceUnavailable(f"cannot read {location}: {exc}") from exc


def write_source(location: SourceLocation, body: bytes, *, s3: Callable[[], S3Client]) -> None:
    """Store `body` (a catalog document, already validated) as the S3 object of `location`, the
    stack's own source: what `ar-models publish` does, so that every later run reads it.
    InvalidSource for a location that is not an S3 object; SourceUnavailable if S3 refuses."""
    if location.bucket is None or location.key is None:
        raise InvalidSource(f"{location} is not an S3 object: only an S3 source can be written")
    # botocore comes with boto3: loaded when awsclients builds a client, never at import.
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        s3().put_object(
            Bucket=location.bucket, Key=location.key, Body=body, ContentType="application/json"
        )
    except (ClientError, BotoCoreError) as exc:
        raise SourceUnavailable(f"cannot write {location}: {exc}") from exc


def _read_file(path: Path) -> bytes:
    """The file's bytes, at most one past the cap (enough to refuse it, never a huge file
    whole). SourceUnavailable if it cannot be read."""
    try:
        with path.open("rb") as file:
            raw = file.read(MAX_SOURCE_BYTES + 1)
    except FileNotFoundError as exc:
        raise SourceUnavailable(f"{path} does not exist") from exc
    except IsADirectoryError as exc:
        raise SourceUnavailable(f"{path} is a directory, not a catalog file") from exc
    except OSError as exc:
        raise SourceUnavailable(f"cannot read {path}: {exc.strerror or exc}") from exc
    if len(raw) > MAX_SOURCE_BYTES:
        raise InvalidCatalog(
            [f"{path} is over {MAX_SOURCE_BYTES} bytes; a catalog is at most that"]
        )
    return raw

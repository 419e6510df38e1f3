"""Where the sync reads the curated catalog from: the bundled file or a JSON document in S3.

`CATALOG_SOURCE` is `bundled` or `s3://bucket/key`. Both hold the same format as
`catalog/models.json`; either is validated completely before the sync writes anything.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from catalog.bundled import BUNDLED_CATALOG_PATH
from catalog.errors import InvalidCatalog, InvalidSource, SourceUnavailable
from catalog.schema import MAX_DOCUMENT_BYTES, Model, parse_catalog_json

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

BUNDLED = "bundled"
_S3_SCHEME = "s3://"
# A catalog is a few hundred models, a few hundred KB. Anything far larger is not a catalog,
# and reading it whole into a 512 MB function would be the failure, not the validation.
# The same cap as any catalog document (the bundled one, `ar-models validate`).
MAX_SOURCE_BYTES = MAX_DOCUMENT_BYTES


@dataclass(frozen=True, slots=True)
class SourceLocation:
    """A parsed CATALOG_SOURCE: the bundled file, or one S3 object."""

    bucket: str | None = None
    key: str | None = None

    @classmethod
    def parse(cls, source: str) -> SourceLocation:
        """`bundled` or `s3://bucket/key`; InvalidSource otherwise."""
        text = source.strip()
        if text == BUNDLED:
            return cls()
        if text.startswith(_S3_SCHEME):
            bucket, _, key = text.removeprefix(_S3_SCHEME).partition("/")
            if bucket and key:
                return cls(bucket, key)
        raise InvalidSource(f"catalog source must be 'bundled' or 's3://bucket/key', got {text!r}")

    def __str__(self) -> str:
        return BUNDLED if self.bucket is None else f"{_S3_SCHEME}{self.bucket}/{self.key}"


class CatalogSourceReader:
    """Reads and validates the curated catalog at a location."""

    def __init__(self, *, s3: Callable[[], S3Client]) -> None:
        """`s3` gives the client, built on first use (e.g. `AwsClients().s3`)."""
        self._s3 = s3

    def read(self, location: SourceLocation) -> list[Model]:
        """Every model of the source, validated. InvalidCatalog lists every problem found."""
        return parse_catalog_json(self._read_bytes(location), origin=str(location))

    def _read_bytes(self, location: SourceLocation) -> bytes:
        if location.bucket is None or location.key is None:
            return BUNDLED_CATALOG_PATH.read_bytes()
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

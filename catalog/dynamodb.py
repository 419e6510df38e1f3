"""The catalog in DynamoDB. The item layout is private to this module.

Layout (one partition, `pk = "catalog"`):
    sk="meta"                       the pointer: version (N), digest (S), chunks (N), count (N),
                                    updated_at (S), previous_digest (S), previous_chunks (N)
    sk="chunk#<digest>#<k:04>"      data (B): piece k of the zlib-compressed document (level 9,
                                    at most 350,000 bytes a piece); for_version (N): the version
                                    the run that wrote it meant to publish (for the clean-up)

A chunk's key and bytes depend on the document only, so the items of a published document never
change: a sync writes the new document's chunks (no reader looks there yet), then moves the
pointer with a condition on the version it read, then deletes chunks no reader can need. The
previous document's chunks stay, for readers that read the pointer a moment before it moved
(`previous_digest`/`previous_chunks` also let an operator point back at them by hand).

`for_version` keeps the clean-up away from a run still in flight: a run that expects version v
writes its chunks for v + 1 and can only publish while the pointer is at v, so a clean-up after
publishing v deletes only chunks written for v or before (their runs can never publish now).

`cleanup_grace` (a global table): a replica may still hold an older pointer, and readers that
serve its document, long after the writer moved on. A document that is neither the published
one nor the previous one stopped being either when the pointer last moved (`updated_at`), so
the clean-up deletes such chunks only once that is `cleanup_grace` seconds ago: a run soon
after a publish deletes nothing, a later one (the next scheduled run) does.

Reads: the API revalidates with one eventually consistent GetItem of the meta item (it is a few
hundred bytes: half a read unit, whatever the projection); reading the catalog is one BatchGetItem
of the pointer's chunks (strongly consistent: every chunk was written before the pointer moved).
A meta item of the legacy layout (one `model#<id>` item per model, no `chunks`) reads as nothing
published; the first sync of this code publishes over it and deletes the `model#` items.
"""

from __future__ import annotations

import logging
import time
import zlib
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from awsclients import retry_transient
from catalog.errors import CatalogCorrupt, CatalogIncomplete, CatalogUnavailable, VersionConflict
from catalog.store import (
    CatalogContents,
    CatalogDocument,
    Pointer,
    WrittenVersion,
    published_contents,
)

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef, WriteRequestTypeDef

logger = logging.getLogger(__name__)

T = TypeVar("T")

PARTITION = "catalog"
META_SK = "meta"
CHUNK_PREFIX = "chunk#"
LEGACY_MODEL_PREFIX = "model#"  # the layout before chunks: deleted by the first clean-up
CHUNK_SIZE = 350_000  # bytes of compressed data per item: well inside DynamoDB's 400 KB
COMPRESSION_LEVEL = 9
BATCH_WRITE_SIZE = 25  # BatchWriteItem's limit
BATCH_GET_SIZE = 100  # BatchGetItem's limit
READ_ROUNDS = 3  # BatchGetItem calls per group of keys while DynamoDB leaves some unprocessed

# The pointer's attributes, named through placeholders (`count` is a reserved word).
_POINTER_NAMES = {
    "#version": "version",
    "#digest": "digest",
    "#chunks": "chunks",
    "#count": "count",
    "#previous": "previous_digest",
    "#previous_chunks": "previous_chunks",
}
_POINTER_PROJECTION = ", ".join(_POINTER_NAMES)


def chunk_sk(digest: str, index: int) -> str:
    return f"{CHUNK_PREFIX}{digest}#{index:04d}"


class DynamoDBCatalogStore:
    """Reads (API) and writes (sync) the published catalog in one DynamoDB table.

    `read_attempts`: calls each read makes in all when it fails for a transient reason (the API
    passes 2: its clients make a single attempt each, see `awsclients`). `chunk_size`: bytes of
    compressed data per chunk item (tests make it small to get many chunks).
    `cleanup_grace`: seconds the clean-up waits after the pointer moved before it deletes old
    documents (see the module's docstring); `wall_clock` times it, in epoch seconds.
    """

    def __init__(
        self,
        table_name: str,
        *,
        dynamodb: Callable[[], DynamoDBClient],
        sleep: Callable[[float], None] = time.sleep,
        max_batch_attempts: int = 8,
        read_attempts: int = 1,
        chunk_size: int = CHUNK_SIZE,
        cleanup_grace: float = 0.0,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        if not table_name:
            raise ValueError("table_name must not be empty")
        if read_attempts < 1 or chunk_size < 1:
            raise ValueError("read_attempts and chunk_size must be >= 1")
        if cleanup_grace < 0:
            raise ValueError("cleanup_grace must be >= 0")
        self.table_name = table_name
        self._dynamodb = dynamodb  # gives the client, built on first use (AwsClients.dynamodb)
        self._sleep = sleep
        self._max_batch_attempts = max_batch_attempts
        self._read_attempts = read_attempts
        self._chunk_size = chunk_size
        self._cleanup_grace = cleanup_grace
        self._wall_clock = wall_clock  # epoch seconds: the pointer's updated_at, the grace
        # The pointer the last read_version saw: read_catalog(version=...) follows it rather
        # than reading the meta item a second time.
        self._seen: Pointer | None = None

    # -- read side (API) ---------------------------------------------------------------------

    def read_version(self) -> int | None:
        """One eventually consistent GetItem of the meta item: half a read unit."""
        self._seen = self._get_pointer(consistent=False)
        return None if self._seen is None else self._seen.version

    def read_catalog(self, *, version: int | None = None) -> CatalogContents | None:
        """The pointer (the one `read_version` just saw, if it is `version`; else one
        GetItem), then its chunks in one BatchGetItem, decompressed, verified, parsed. Models
        that are not valid are skipped with a warning; a document that is not whole raises
        CatalogCorrupt: never a part of a catalog.
        """
        seen = self._seen
        if version is not None and seen is not None and seen.version == version:
            pointer: Pointer | None = seen
        else:
            pointer = self._get_pointer(consistent=True)
        try:
            return self._contents(pointer)
        except CatalogCorrupt:
            # Its chunks may be gone because the pointer moved on twice since it was read (two
            # syncs within one read): follow the pointer as it is now, once.
            current = self._get_pointer(consistent=True)
            if current == pointer:
                raise
            return self._contents(current)

    def _contents(self, pointer: Pointer | None) -> CatalogContents | None:
        try:
            return published_contents(pointer, self.read_document, where=self.table_name)
        except CatalogIncomplete as exc:
            # A global table replicates item by item, in any order: in a replica the pointer
            # can arrive before its chunks. The version it replaced may be whole here; a reader
            # with nothing better to serve can read it (the cache decides).
            assert pointer is not None
            previous = _previous_of(pointer)
            raise CatalogIncomplete(
                str(exc),
                read_previous=None if previous is None else partial(self._contents, previous),
            ) from exc

    # -- write side (sync) -------------------------------------------------------------------

    def read_pointer(self) -> Pointer | None:
        """The meta item, strongly consistent: what a writer compares and conditions on."""
        return self._get_pointer(consistent=True)

    def read_document(self, pointer: Pointer) -> CatalogDocument:
        """Every chunk of the pointer's document (BatchGetItem, strongly consistent), joined in
        order, decompressed and checked against the digest."""
        if pointer.digest is None:
            raise CatalogCorrupt(f"catalog version {pointer.version} has no document to read")
        digest = pointer.digest
        sks = [chunk_sk(digest, index) for index in range(pointer.chunks)]
        found = self._batch_get(sks)
        pieces: list[bytes] = []
        for sk in sks:
            data = found.get(sk, {}).get("data", {}).get("B")
            if not isinstance(data, bytes):
                raise CatalogIncomplete(
                    f"catalog version {pointer.version}: chunk {sk} is missing from "
                    f"{self.table_name}; refusing the catalog whole"
                )
            pieces.append(data)
        try:
            body = zlib.decompress(b"".join(pieces))
        except zlib.error as exc:
            raise CatalogCorrupt(
                f"catalog version {pointer.version}: its chunks do not decompress: {exc}"
            ) from exc
        return CatalogDocument.verified(body, digest, count=pointer.count)

    def write_version(self, document: CatalogDocument, *, version: int) -> WrittenVersion:
        """Put the document's chunks (BatchWriteItem, 25 a call) tagged for `version`.

        Unprocessed items are retried with exponential backoff; if some remain after the last
        attempt this raises CatalogUnavailable. The pointer is untouched either way.
        """
        pieces = self._pack(document)
        requests: list[WriteRequestTypeDef] = [
            {
                "PutRequest": {
                    "Item": {
                        **_key(chunk_sk(document.digest, index)),
                        "data": {"B": piece},
                        "for_version": {"N": str(version)},
                    }
                }
            }
            for index, piece in enumerate(pieces)
        ]
        self._write_all(requests)
        return WrittenVersion(
            version=version,
            digest=document.digest,
            chunks=len(pieces),
            count=document.count,
            writes=len(requests),
        )

    def move_pointer(self, expected: Pointer | None, written: WrittenVersion) -> Pointer:
        """One conditional UpdateItem of the meta item: `version = :expected`, or no version
        yet. Raises VersionConflict if another writer moved it first."""
        expected_version = None if expected is None else expected.version
        if written.version != (expected_version or 0) + 1:
            raise ValueError(
                f"version {written.version} cannot follow {expected_version}: write it for "
                f"{(expected_version or 0) + 1}"
            )
        previous = expected if expected is not None and expected.readable else None
        values: dict[str, AttributeValueTypeDef] = {
            ":version": {"N": str(written.version)},
            ":digest": {"S": written.digest},
            ":chunks": {"N": str(written.chunks)},
            ":count": {"N": str(written.count)},
            ":now": {
                "S": datetime.fromtimestamp(self._wall_clock(), UTC).isoformat(timespec="seconds")
            },
        }
        update = (
            "SET #version = :version, #digest = :digest, #chunks = :chunks, #count = :count, "
            "updated_at = :now"
        )
        if previous is not None:
            assert previous.digest is not None
            values[":previous"] = {"S": previous.digest}
            values[":previous_chunks"] = {"N": str(previous.chunks)}
            update += ", #previous = :previous, #previous_chunks = :previous_chunks"
        else:
            update += " REMOVE #previous, #previous_chunks"
        if expected_version is None:
            condition = "attribute_not_exists(#version)"
        else:
            condition = "#version = :expected"
            values[":expected"] = {"N": str(expected_version)}
        from botocore.exceptions import ClientError

        try:
            with _unavailable_on_error(self.table_name):
                self._dynamodb().update_item(
                    TableName=self.table_name,
                    Key=_key(META_SK),
                    UpdateExpression=update,
                    ConditionExpression=condition,
                    ExpressionAttributeNames=_POINTER_NAMES,
                    ExpressionAttributeValues=values,
                )
        except CatalogUnavailable as exc:
            cause = exc.__cause__
            if isinstance(cause, ClientError) and (
                cause.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"
            ):
                raise VersionConflict(expected_version) from cause
            raise
        return Pointer(
            version=written.version,
            digest=written.digest,
            chunks=written.chunks,
            count=written.count,
            previous_digest=None if previous is None else previous.digest,
            previous_chunks=0 if previous is None else previous.chunks,
        )

    def clean_up(self, published: Pointer) -> int:
        """One Query of the partition's keys (strongly consistent, paginated), then deletes in
        batches of 25 of what no reader can need (see `CatalogWriter.clean_up`)."""
        keep = {published.digest, published.previous_digest} - {None}
        deletes: list[WriteRequestTypeDef] = []
        items = list(self._query_keys())
        if self._cleanup_grace and not self._grace_is_over(items, published):
            return 0
        for item in items:
            sk = item.get("sk", {}).get("S", "")
            if sk.startswith(LEGACY_MODEL_PREFIX):
                deletes.append({"DeleteRequest": {"Key": _key(sk)}})
            elif sk.startswith(CHUNK_PREFIX):
                digest = sk[len(CHUNK_PREFIX) :].split("#", 1)[0]
                written_for = _whole_number(item.get("for_version", {}).get("N")) or 0
                if digest not in keep and written_for <= published.version:
                    deletes.append({"DeleteRequest": {"Key": _key(sk)}})
        self._write_all(deletes)
        return len(deletes)

    def _grace_is_over(self, items: list[dict[str, Any]], published: Pointer) -> bool:
        """Whether `published` moved at least `cleanup_grace` ago (by the meta item's
        `updated_at`). Unknown (no such time, or the pointer moved on since): not over."""
        for item in items:
            if item.get("sk", {}).get("S") != META_SK:
                continue
            if _whole_number(item.get("version", {}).get("N")) != published.version:
                return False
            try:
                moved = datetime.fromisoformat(item.get("updated_at", {}).get("S", ""))
            except ValueError:
                return False
            return self._wall_clock() - moved.timestamp() >= self._cleanup_grace
        return False

    # -- DynamoDB calls ----------------------------------------------------------------------

    def _read(self, call: Callable[[], T]) -> T:
        """A read: SDK errors become CatalogUnavailable, transient ones are tried again first."""
        with _unavailable_on_error(self.table_name):
            return retry_transient(call, attempts=self._read_attempts)

    def _get_pointer(self, *, consistent: bool) -> Pointer | None:
        client = self._dynamodb()
        response = self._read(
            lambda: client.get_item(
                TableName=self.table_name,
                Key=_key(META_SK),
                ProjectionExpression=_POINTER_PROJECTION,
                ExpressionAttributeNames=_POINTER_NAMES,
                ConsistentRead=consistent,
            )
        )
        return _pointer_of(response.get("Item"))

    def _batch_get(self, sks: list[str]) -> dict[str, dict[str, Any]]:
        """The items of these sort keys that exist, by sort key (BatchGetItem, strongly
        consistent, 100 keys a call; UnprocessedKeys asked again after a short backoff)."""
        client = self._dynamodb()
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(sks), BATCH_GET_SIZE):
            pending: Mapping[str, Any] = {
                self.table_name: {
                    "Keys": [_key(sk) for sk in sks[start : start + BATCH_GET_SIZE]],
                    "ConsistentRead": True,
                }
            }
            for attempt in range(READ_ROUNDS):
                if attempt:
                    self._sleep(0.05 * 2**attempt)
                response = self._read(partial(client.batch_get_item, RequestItems=pending))
                for item in response.get("Responses", {}).get(self.table_name, []):
                    found[item["sk"]["S"]] = dict(item)
                pending = response.get("UnprocessedKeys") or {}
                if not pending:
                    break
            else:
                raise CatalogUnavailable(
                    f"reads from {self.table_name} still unprocessed after {READ_ROUNDS} attempts"
                )
        return found

    def _query_keys(self) -> Iterator[dict[str, Any]]:
        """Every item's sort key and chunk tag in the partition, and the meta item's version and
        time (strongly consistent)."""
        kwargs: dict[str, Any] = {
            "TableName": self.table_name,
            "ConsistentRead": True,
            "KeyConditionExpression": "pk = :pk",
            "ProjectionExpression": "sk, for_version, updated_at, #version",
            "ExpressionAttributeNames": {"#version": "version"},
            "ExpressionAttributeValues": {":pk": {"S": PARTITION}},
        }
        client = self._dynamodb()
        while True:
            page = self._read(partial(client.query, **kwargs))
            yield from page.get("Items", [])
            last_key = page.get("LastEvaluatedKey")
            if not last_key:
                return
            kwargs["ExclusiveStartKey"] = last_key

    def _write_all(self, requests: list[WriteRequestTypeDef]) -> None:
        for start in range(0, len(requests), BATCH_WRITE_SIZE):
            self._write_batch(requests[start : start + BATCH_WRITE_SIZE])

    def _write_batch(self, batch: list[WriteRequestTypeDef]) -> None:
        pending = batch
        for attempt in range(self._max_batch_attempts):
            if attempt:
                self._sleep(min(0.05 * 2**attempt, 2.0))
            with _unavailable_on_error(self.table_name):
                response = self._dynamodb().batch_write_item(
                    RequestItems={self.table_name: pending}
                )
            pending = response.get("UnprocessedItems", {}).get(self.table_name, [])  # type: ignore[assignment]
            if not pending:
                return
            logger.warning("DynamoDB left %d write(s) unprocessed; retrying", len(pending))
        raise CatalogUnavailable(
            f"{len(pending)} write(s) to {self.table_name} still unprocessed after "
            f"{self._max_batch_attempts} attempts"
        )

    def _pack(self, document: CatalogDocument) -> list[bytes]:
        """The document compressed and cut into chunks: the same document, the same chunks."""
        data = zlib.compress(document.body, COMPRESSION_LEVEL)
        size = self._chunk_size
        return [data[start : start + size] for start in range(0, len(data), size)]


@contextmanager
def _unavailable_on_error(table_name: str) -> Iterator[None]:
    """Translate SDK errors into the domain's CatalogUnavailable at the boundary."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        yield
    except (ClientError, BotoCoreError) as exc:
        raise CatalogUnavailable(f"DynamoDB table {table_name}: {exc}") from exc


def _key(sk: str) -> dict[str, AttributeValueTypeDef]:
    return {"pk": {"S": PARTITION}, "sk": {"S": sk}}


def _pointer_of(item: Mapping[str, Any] | None) -> Pointer | None:
    """The meta item as a pointer; None if there is none, legacy (digest None) if it has no
    chunks (the layout before this one)."""
    if item is None or "N" not in item.get("version", {}):
        return None
    version = _whole_number(item["version"]["N"])
    if version is None:
        # Only a hand edit makes this; readers must not crash on it, nor guess a version.
        raise CatalogCorrupt(f"the pointer's version is not a whole number: {item['version']}")
    digest = item.get("digest", {}).get("S")
    chunks = _whole_number(item.get("chunks", {}).get("N"))
    if digest is None or chunks is None:
        return Pointer(version=version, digest=None, chunks=0, count=0)
    return Pointer(
        version=version,
        digest=digest,
        chunks=chunks,
        count=_whole_number(item.get("count", {}).get("N", "0")) or 0,
        previous_digest=item.get("previous_digest", {}).get("S"),
        previous_chunks=_whole_number(item.get("previous_chunks", {}).get("N", "0")) or 0,
    )


def _previous_of(pointer: Pointer) -> Pointer | None:
    """The pointer as it was before `pointer` (version - 1: a move is always by one), with no
    previous of its own; None if it names none."""
    if pointer.previous_digest is None or pointer.previous_chunks < 1:
        return None
    return Pointer(
        version=pointer.version - 1,
        digest=pointer.previous_digest,
        chunks=pointer.previous_chunks,
        count=0,  # not stored; only the models matter to a reader
    )


def _whole_number(text: str | None) -> int | None:
    """A DynamoDB number as an int; None if absent or not whole ("1.5", "1E+400")."""
    if text is None:
        return None
    try:
        value = Decimal(text)
    except ArithmeticError:
        return None
    if not value.is_finite() or value != value.to_integral_value():
        return None
    return int(value)

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

import hashlib
import logging
import math
import re
import time
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from awsclients import retry_transient
from catalog.document import published_contents
from catalog.errors import (
    CatalogCorrupt,
    CatalogIncomplete,
    CatalogUnavailable,
    CatalogUnreadable,
    VersionConflict,
)
from catalog.limits import MAX_DOCUMENT_BYTES, MAX_MODELS, MAX_SAFE_INTEGER
from catalog.problems import VALUE_LIMIT, printable
from catalog.store import CatalogContents, CatalogDocument, Pointer, WrittenVersion

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
# Bytes inflated a step: a chunk is decompressed in steps of this size, so a document that would
# inflate past the cap is refused having kept none of it (never a gigabyte in memory).
INFLATE_STEP = 64 * 2**10
DIGEST = re.compile(r"[0-9a-f]{64}")

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


def max_chunks(chunk_size: int) -> int:
    """The most chunks a publishable document can take: the document cap, compressed at worst
    (zlib's `compressBound`: incompressible bytes grow a little), cut in `chunk_size` pieces.
    A pointer naming more is refused before anything is read."""
    size = MAX_DOCUMENT_BYTES
    worst = size + (size >> 12) + (size >> 14) + (size >> 25) + 13
    return math.ceil(worst / chunk_size)


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
        self._max_chunks = max_chunks(chunk_size)
        # The `version` attribute of the meta item as last read, whatever its type: what a
        # pointer move over an unreadable pointer conditions on.
        self._raw_version: AttributeValueTypeDef | None = None
        self._cleanup_grace = cleanup_grace
        self._wall_clock = wall_clock  # epoch seconds: the pointer's updated_at, the grace
        # The pointer the last read_version saw: read_catalog(version=...) follows it rather
        # than reading the meta item a second time.
        self._seen: Pointer | None = None

    # -- read side (API) ---------------------------------------------------------------------

    def read_version(self) -> int | None:
        """One eventually consistent GetItem of the meta item: half a read unit. Raises
        CatalogUnreadable if the pointer cannot be followed (nothing else is read for it)."""
        self._seen = self._get_pointer(consistent=False)
        if self._seen is not None and self._seen.unreadable is not None:
            raise CatalogUnreadable(self._seen.version, self._seen.unreadable)
        return None if self._seen is None else self._seen.version

    def read_catalog(self, *, version: int | None = None) -> CatalogContents | None:
        """The pointer (the one `read_version` just saw, if it is `version`; else one
        GetItem), then its chunks in one BatchGetItem, decompressed, verified, parsed. Models
        that are not valid are skipped with a warning; a document that is not whole raises
        CatalogIncomplete, one that breaks a rule CatalogUnreadable: never a part of a catalog.
        """
        seen = self._seen
        if version is not None and seen is not None and seen.version == version:
            pointer: Pointer | None = seen
        else:
            pointer = self._get_pointer(consistent=True)
        try:
            return self._contents(pointer)
        except CatalogIncomplete:
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
        """Every chunk of the pointer's document (BatchGetItem, strongly consistent), in order,
        decompressed within the document cap and checked against the digest.

        Raises CatalogIncomplete if a chunk is missing, CatalogUnreadable if the pointer or the
        chunks break a rule (checked while inflating: a bomb is refused with none of it kept).
        """
        if pointer.unreadable is not None:
            raise CatalogUnreadable(pointer.version, pointer.unreadable)
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
        del found
        try:
            # First measured and hashed, keeping nothing; inflated again only if it is the
            # document the pointer names and within the cap (it then inflates the same).
            hasher = hashlib.sha256()
            _inflate(pieces, limit=MAX_DOCUMENT_BYTES, sink=hasher.update)
            if hasher.hexdigest() != digest:
                raise ValueError(f"read back as {hasher.hexdigest()[:12]}, not {digest[:12]}")
            parts: list[bytes] = []
            _inflate(pieces, limit=MAX_DOCUMENT_BYTES, sink=parts.append)
        except ValueError as exc:
            raise CatalogUnreadable(pointer.version, f"its chunks {exc}") from None
        return CatalogDocument(b"".join(parts), digest, pointer.count)

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
        # Over a pointer that cannot be read, the condition is on its version attribute as it
        # was read, whatever its type: a hand edit is published over, a racing run still loses.
        raw_version = self._raw_version if expected is not None and expected.unreadable else None
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
        if expected_version is None or (
            expected is not None and expected.unreadable and not raw_version
        ):
            condition = "attribute_not_exists(#version)"
        elif raw_version:
            condition = "#version = :expected"
            values[":expected"] = raw_version
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
        """One Query of the partition's keys (strongly consistent, paginated), then deletes of
        what no reader can need (see `CatalogWriter.clean_up`): legacy items in batches of 25,
        chunks one conditional DeleteItem each.

        Chunk keys are content-addressed: a run that publishes a document again (a revert to an
        older one) rewrites the very items this clean-up read as doomed, tagged for a later
        version, and may move the pointer to them before these deletes run. So each delete
        holds the Query's reason as its condition (`for_version` still at most the published
        version), checked by DynamoDB at the delete itself: a chunk rewritten in between is
        kept, whatever happens between the read and the deletes. (A re-check of the pointer
        before each batch would still leave that window open; keys never reused would grow
        the table's key space with every republish.) A few deletes a run: one call each.
        Returns the number of items deleted.
        """
        keep = {published.digest, published.previous_digest} - {None}
        legacy: list[WriteRequestTypeDef] = []
        doomed: list[str] = []
        items = list(self._query_keys())
        if self._cleanup_grace and not self._grace_is_over(items, published):
            return 0
        for item in items:
            sk = item.get("sk", {}).get("S", "")
            if sk.startswith(LEGACY_MODEL_PREFIX):
                legacy.append({"DeleteRequest": {"Key": _key(sk)}})
            elif sk.startswith(CHUNK_PREFIX):
                digest = sk[len(CHUNK_PREFIX) :].split("#", 1)[0]
                written_for = _whole_number(item.get("for_version", {}).get("N")) or 0
                if digest not in keep and written_for <= published.version:
                    doomed.append(sk)
        self._write_all(legacy)
        return len(legacy) + sum(self._delete_chunk(sk, published.version) for sk in doomed)

    def _delete_chunk(self, sk: str, published_version: int) -> bool:
        """Delete one chunk if it is still tagged for `published_version` or before (or has no
        usable tag, as the Query read it); False if a run rewrote it since."""
        from botocore.exceptions import ClientError

        try:
            with _unavailable_on_error(self.table_name):
                self._dynamodb().delete_item(
                    TableName=self.table_name,
                    Key=_key(sk),
                    ConditionExpression=(
                        "attribute_not_exists(for_version) "
                        "OR NOT attribute_type(for_version, :number) "
                        "OR for_version <= :published"
                    ),
                    ExpressionAttributeValues={
                        ":number": {"S": "N"},
                        ":published": {"N": str(published_version)},
                    },
                )
        except CatalogUnavailable as exc:
            cause = exc.__cause__
            if isinstance(cause, ClientError) and (
                cause.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"
            ):
                return False
            raise
        return True

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
        item = response.get("Item")
        self._raw_version = None if item is None else item.get("version")
        return _pointer_of(item, max_chunks=self._max_chunks, where=self.table_name)

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


def _pointer_of(item: Mapping[str, Any] | None, *, max_chunks: int, where: str) -> Pointer | None:
    """The meta item as a pointer; None if there is none, legacy (digest None) if it has no
    chunks (the layout before this one). An attribute of the wrong type or out of bounds (only
    a hand edit or a bug makes one) gives an `unreadable` pointer, never an exception nor an
    allocation the size of a number: its version is the whole part of `version` if it has one
    (else 0), so the next publish is still a new number."""
    if item is None or "version" not in item:
        return None
    problems: list[str] = []

    def number(name: str, low: int, high: int) -> int | None:
        value = _whole_number(item.get(name, {}).get("N"))
        if value is None or not low <= value <= high:
            problems.append(
                f"`{name}` is {_shown(item.get(name))}, not a whole number from {low:,} to {high:,}"
            )
            return None
        return value

    version = number("version", 0, MAX_SAFE_INTEGER)
    if version is not None and "chunks" not in item:
        return Pointer(version=version, digest=None, chunks=0, count=0)
    digest = item.get("digest", {}).get("S")
    if not isinstance(digest, str) or not DIGEST.fullmatch(digest):
        problems.append(f"`digest` is {_shown(item.get('digest'))}, not a sha256 in hex")
        digest = None
    chunks = number("chunks", 1, max_chunks)
    count = number("count", 0, MAX_MODELS) if "count" in item else 0
    previous = item.get("previous_digest", {}).get("S")
    if problems or digest is None or chunks is None or count is None:
        reason = f"its pointer (item sk={META_SK!r} of {where}) cannot be read: " + "; ".join(
            problems
        )
        return Pointer(
            version=_whole_part(item.get("version", {}).get("N")) if version is None else version,
            digest=None,
            chunks=0,
            count=0,
            unreadable=reason,
        )
    return Pointer(
        version=version if version is not None else 0,
        digest=digest,
        chunks=chunks,
        count=count,
        previous_digest=previous
        if isinstance(previous, str) and DIGEST.fullmatch(previous)
        else None,
        previous_chunks=_previous_chunks(item, max_chunks=max_chunks),
    )


def _previous_chunks(item: Mapping[str, Any], *, max_chunks: int) -> int:
    """How many chunks the version before this one has (0: unknown, or out of bounds)."""
    value = _whole_number(item.get("previous_chunks", {}).get("N", "0")) or 0
    return value if 0 <= value <= max_chunks else 0


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


def _shown(value: Any) -> str:
    """An attribute value as a message shows it: its type and at most VALUE_LIMIT characters."""
    return "absent" if value is None else printable(repr(value), limit=VALUE_LIMIT)


def _whole_part(text: Any) -> int:
    """The whole part of a DynamoDB number within 0..2**53 - 1; 0 for anything else."""
    if not isinstance(text, str) or len(text) > 40:
        return 0
    try:
        value = Decimal(text)
    except ArithmeticError:
        return 0
    if not value.is_finite() or not 0 <= value <= MAX_SAFE_INTEGER:
        return 0
    return int(value)  # truncates: the whole part


def _inflate(pieces: Sequence[bytes], *, limit: int, sink: Callable[[bytes], None]) -> int:
    """Decompress the zlib stream `pieces` hold, INFLATE_STEP bytes at a time into `sink`;
    returns its size. Raises ValueError (before handing the step that crosses it to `sink`) as
    soon as it would inflate past `limit`, and if the stream is broken, cut short or followed
    by other bytes."""
    inflater = zlib.decompressobj()
    size = 0
    try:
        for piece in (*pieces, b""):  # the empty piece: what the last one still holds
            data = piece
            while True:
                block = inflater.decompress(data, INFLATE_STEP)
                size += len(block)
                if size > limit:
                    raise ValueError(f"inflate past {limit:,} bytes, the document cap")
                if block:
                    sink(block)
                data = inflater.unconsumed_tail
                if not data and len(block) < INFLATE_STEP:
                    break
    except zlib.error as exc:
        raise ValueError(f"do not decompress: {exc}") from None
    if not inflater.eof:
        raise ValueError("do not decompress: the stream is cut short")
    if inflater.unused_data:
        raise ValueError("do not decompress: bytes follow the end of the stream")
    return size


def _whole_number(text: Any) -> int | None:
    """A DynamoDB number as an int; None if absent, not whole ("1.5") or past 2**63 ("1E+400":
    no int is built of it, whatever its exponent)."""
    if not isinstance(text, str) or len(text) > 40:
        return None
    try:
        value = Decimal(text)
    except ArithmeticError:
        return None
    if not value.is_finite() or value.adjusted() > 18 or value != value.to_integral_value():
        return None
    return int(value)

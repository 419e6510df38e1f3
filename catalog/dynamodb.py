"""The catalog in DynamoDB. The item layout is private to this module.

Layout (one partition, read with one Query, sorted by sort key for free):
    pk="catalog", sk="meta"          version (N), count (N), digest (S), updated_at (S)
    pk="catalog", sk="model#<id>"    model (M): the model document, position (N): curated order

`digest` is the content hash of the published entries (`catalog.store.catalog_digest`): the
sync compares it with its source to tell "already published" from "items written but version
never advanced" (a run that crashed between its writes and its version bump).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from catalog.errors import CatalogUnavailable, VersionConflict
from catalog.schema import Model
from catalog.store import CatalogContents, CatalogMeta, StoredEntry

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef, WriteRequestTypeDef

logger = logging.getLogger(__name__)

PARTITION = "catalog"
META_SK = "meta"
MODEL_SK_PREFIX = "model#"
BATCH_SIZE = 25  # BatchWriteItem's limit


class DynamoDBCatalogStore:
    """Reads (API) and writes (sync) the published catalog in one DynamoDB table."""

    def __init__(
        self,
        table_name: str,
        *,
        dynamodb: Callable[[], DynamoDBClient],
        sleep: Callable[[float], None] = time.sleep,
        max_batch_attempts: int = 8,
    ) -> None:
        if not table_name:
            raise ValueError("table_name must not be empty")
        self.table_name = table_name
        self._dynamodb = dynamodb  # gives the client, built on first use (AwsClients.dynamodb)
        self._sleep = sleep
        self._max_batch_attempts = max_batch_attempts

    # -- read side (API) ---------------------------------------------------------------------

    def read_version(self) -> int | None:
        """One eventually consistent GetItem of the meta item: half a read unit."""
        meta = self._read_meta(consistent=False, projection="version")
        return None if meta is None else meta.version

    def read_meta(self) -> CatalogMeta | None:
        """The meta item, strongly consistent: what a writer compares and conditions on."""
        return self._read_meta(consistent=True, projection="version, digest")

    def _read_meta(self, *, consistent: bool, projection: str) -> CatalogMeta | None:
        with _unavailable_on_error(self.table_name):
            response = self._dynamodb().get_item(
                TableName=self.table_name,
                Key=_key(META_SK),
                ProjectionExpression=projection,
                ConsistentRead=consistent,
            )
        item = response.get("Item")
        if item is None or "N" not in item.get("version", {}):
            return None
        digest = item.get("digest", {}).get("S")
        return CatalogMeta(version=int(item["version"]["N"]), digest=digest)

    def read_catalog(self, *, version: int | None = None) -> CatalogContents | None:
        """The version, then every model item. Malformed items are skipped with a warning.

        The version is read first (or given by a caller that has just read it): if a sync lands
        in between, the models may be newer than the version says, and the next revalidation
        sees the new version and reads again. Never the other way round.
        """
        if version is None:
            version = self.read_version()
        if version is None:
            return None
        ordered: list[tuple[int, str, Model]] = []
        for item in self._query_models():
            parsed = _from_item(item)
            if parsed is not None:
                ordered.append(parsed)
        ordered.sort(key=lambda row: (row[0], row[1]))
        return CatalogContents(version=version, models=[model for _, _, model in ordered])

    def _query_models(
        self, *, consistent: bool = False
    ) -> Iterator[dict[str, AttributeValueTypeDef]]:
        kwargs: dict[str, Any] = {
            "TableName": self.table_name,
            "ConsistentRead": consistent,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
            "ExpressionAttributeValues": {
                ":pk": {"S": PARTITION},
                ":prefix": {"S": MODEL_SK_PREFIX},
            },
        }
        while True:
            with _unavailable_on_error(self.table_name):
                page = self._dynamodb().query(**kwargs)
            yield from page.get("Items", [])
            last_key = page.get("LastEvaluatedKey")
            if not last_key:
                return
            kwargs["ExclusiveStartKey"] = last_key

    # -- write side (sync) -------------------------------------------------------------------

    def read_entries(self) -> dict[str, StoredEntry]:
        """Every model item as stored, valid or not, keyed by id: what the sync diffs against.

        Strongly consistent, so a run never diffs against a table older than the last run's
        writes. An unreadable document reads as {} and a missing position as -1: both differ
        from any valid entry, so the sync rewrites them.
        """
        entries: dict[str, StoredEntry] = {}
        for item in self._query_models(consistent=True):
            model_id = item["sk"].get("S", "")[len(MODEL_SK_PREFIX) :]
            document = _plain(_deserialize(item["model"])) if "model" in item else {}
            position = int(item["position"]["N"]) if "N" in item.get("position", {}) else -1
            entries[model_id] = StoredEntry(
                position, document if isinstance(document, dict) else {}
            )
        return entries

    def write_entries(self, puts: Mapping[str, StoredEntry], deletes: Sequence[str]) -> int:
        """Put and delete model items in batches of 25; returns the number of write requests.

        Unprocessed items are retried with exponential backoff; if some remain after the last
        attempt this raises CatalogUnavailable, leaving a table that the next run repairs.
        """
        requests: list[WriteRequestTypeDef] = [
            {"PutRequest": {"Item": _to_item(model_id, entry)}} for model_id, entry in puts.items()
        ]
        requests += [{"DeleteRequest": {"Key": _key(MODEL_SK_PREFIX + mid)}} for mid in deletes]
        for start in range(0, len(requests), BATCH_SIZE):
            self._write_batch(requests[start : start + BATCH_SIZE])
        return len(requests)

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

    def advance_version(self, expected: int | None, *, count: int, digest: str) -> int:
        """Set version to expected + 1, only if it is still `expected`. Returns the new version.

        Raises VersionConflict if another writer advanced it first.
        """
        new_version = (expected or 0) + 1
        if expected is None:
            condition = "attribute_not_exists(version)"
            values: dict[str, AttributeValueTypeDef] = {}
        else:
            condition = "version = :expected"
            values = {":expected": {"N": str(expected)}}
        from botocore.exceptions import ClientError

        try:
            with _unavailable_on_error(self.table_name):
                self._dynamodb().update_item(
                    TableName=self.table_name,
                    Key=_key(META_SK),
                    UpdateExpression=(
                        "SET version = :new, #count = :count, digest = :digest, updated_at = :now"
                    ),
                    ConditionExpression=condition,
                    ExpressionAttributeNames={"#count": "count"},
                    ExpressionAttributeValues={
                        **values,
                        ":new": {"N": str(new_version)},
                        ":count": {"N": str(count)},
                        ":digest": {"S": digest},
                        ":now": {"S": datetime.now(UTC).isoformat(timespec="seconds")},
                    },
                )
        except CatalogUnavailable as exc:
            cause = exc.__cause__
            if isinstance(cause, ClientError) and (
                cause.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"
            ):
                raise VersionConflict(expected) from cause
            raise
        return new_version


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


def _to_item(model_id: str, entry: StoredEntry) -> dict[str, AttributeValueTypeDef]:
    from boto3.dynamodb.types import TypeSerializer

    document = TypeSerializer().serialize(_dynamo_safe(entry.document))
    return {
        **_key(MODEL_SK_PREFIX + model_id),
        "position": {"N": str(entry.position)},
        "model": document,
    }


def _from_item(item: Mapping[str, Any]) -> tuple[int, str, Model] | None:
    sk = item.get("sk", {}).get("S", "?")
    try:
        document = _plain(_deserialize(item["model"]))
        model = Model.model_validate(document)
        position = int(item["position"]["N"])
    except (KeyError, TypeError, ValueError, ValidationError) as exc:
        logger.warning("skipping malformed catalog item %s: %s", sk, str(exc).splitlines()[0])
        return None
    if MODEL_SK_PREFIX + model.id != sk:
        logger.warning("skipping catalog item %s: its model id is %r", sk, model.id)
        return None
    return position, model.id, model


def _deserialize(value: Any) -> Any:
    from boto3.dynamodb.types import TypeDeserializer

    return TypeDeserializer().deserialize(value)


def _plain(value: Any) -> Any:
    """DynamoDB numbers come back as Decimal; JSON documents want int or float."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {key: _plain(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [_plain(inner) for inner in value]
    return value


def _dynamo_safe(value: Any) -> Any:
    """DynamoDB rejects Python floats; store them as Decimal."""
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, Mapping):
        return {key: _dynamo_safe(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [_dynamo_safe(inner) for inner in value]
    return value

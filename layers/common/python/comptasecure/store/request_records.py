"""Idempotency records of requests sent with an ``Idempotency-Key`` (API.md "Retries"), in the single table.

Powertools Idempotency decides what a record's state means (a completed answer is replayed, a record
in progress is a 409, another payload under the same key a 422); this persistence layer stores the
records the way our transactions can complete them:

- ``IDEMPOTENCY#<Powertools key>`` / ``IDEMPOTENCY``, so records spread over partitions;
- a claim is one conditional UpdateItem that takes the record (new, expired, or in progress past
  its deadline) under a fresh ``claim`` token, and hands back what an earlier attempt committed
  (``committed_at``, ``answer``, written by that attempt's transaction: comptasecure/idempotency.py);
- every later write is conditioned on the claim, so an attempt taken over writes nothing;
- a failed attempt releases its claim (the retry runs at once) instead of deleting the record, which
  would forget a change it had committed;
- what the record keeps of an answer is sealed with a key derived from the client's Idempotency-Key;
- times are the back end's clock (comptasecure.clock), so tests move them without sleeping.
"""

import json
import uuid
from typing import Any

from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyItemAlreadyExistsError,
    IdempotencyValidationError,
)
from aws_lambda_powertools.utilities.idempotency.persistence.datarecord import STATUS_CONSTANTS, DataRecord
from botocore.exceptions import ClientError

from comptasecure import clock, idempotency
from comptasecure.observability import logger
from comptasecure.settings import settings

PK_PREFIX = "IDEMPOTENCY#"
SK = "IDEMPOTENCY"
INPROGRESS = STATUS_CONSTANTS["INPROGRESS"]
COMPLETED = STATUS_CONSTANTS["COMPLETED"]


class RequestRecords(DynamoDBPersistenceLayer):
    def __init__(self) -> None:
        super().__init__(table_name=settings().table_name, key_attr="PK", sort_key_attr="SK", expiry_attr="ttl")
        self._remaining_ms: int | None = None

    def _get_key(self, idempotency_key: str) -> dict[str, Any]:
        return {"PK": {"S": f"{PK_PREFIX}{idempotency_key}"}, "SK": {"S": SK}}

    def save_inprogress(self, data: dict[str, Any], remaining_time_in_millis: int | None = None) -> None:
        self._remaining_ms = remaining_time_in_millis
        super().save_inprogress(data, remaining_time_in_millis)

    def _put_record(self, data_record: DataRecord) -> None:
        """Claim the record for this attempt (see the module docstring)."""
        claim = _held()
        claim.key = {"PK": f"{PK_PREFIX}{data_record.idempotency_key}", "SK": SK}
        now = clock.now()
        now_ms = int(now.timestamp() * 1000)
        names = {
            "#status": self.status_attr,
            "#expiry": self.expiry_attr,
            "#in_progress_expiry": self.in_progress_expiry_attr,
            "#validation": self.validation_key_attr,
        }
        values: dict[str, Any] = {
            ":inprogress": {"S": INPROGRESS},
            ":expiry": {"N": str(int(now.timestamp()) + self.expires_after_seconds)},
            ":deadline": {"N": str(now_ms + (self._remaining_ms or 0))},
            ":hash": {"S": data_record.payload_hash or ""},
            ":claim": {"S": claim.token},
            ":now": {"N": str(int(now.timestamp()))},
            ":now_ms": {"N": str(now_ms)},
        }
        free = "attribute_not_exists(PK) OR #expiry < :now OR (#status = :inprogress AND #in_progress_expiry < :now_ms)"
        same_request = "attribute_not_exists(#validation) OR #validation = :hash OR #expiry < :now"
        try:
            response = self.client.update_item(
                TableName=self.table_name,
                Key=self._get_key(data_record.idempotency_key),
                UpdateExpression="SET #status = :inprogress, #expiry = :expiry, #in_progress_expiry = :deadline, "
                "#validation = :hash, claim = :claim",
                ConditionExpression=f"({free}) AND ({same_request})",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
                ReturnValues="ALL_OLD",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            raise self._taken(data_record, error.response.get("Item")) from error  # type: ignore[arg-type]
        self._take_over(claim, response.get("Attributes") or {}, int(now.timestamp()))

    def _taken(self, data_record: DataRecord, item: dict[str, Any] | None) -> Exception:
        """What a failed claim means: another payload (422), a completed answer, or an attempt running (409)."""
        if item is None:
            return IdempotencyItemAlreadyExistsError()
        old = self._item_to_data_record(item)
        if self.payload_validation_enabled and old.payload_hash != data_record.payload_hash:
            return IdempotencyValidationError("Payload does not match stored record for this event key")
        if old.status == INPROGRESS:
            # Still running by our clock: Powertools must not compare its deadline with the system's.
            old.in_progress_expiry_timestamp = None
        return IdempotencyItemAlreadyExistsError(old_data_record=old)

    def _take_over(self, claim: idempotency.Claim, old: dict[str, Any], now: int) -> None:
        """What an earlier attempt of this request committed, if anything, becomes this attempt's to answer."""
        if not old or int(old.get(self.expiry_attr, {}).get("N", "0")) < now:
            if "committed_at" in old:  # a record of a day ago: a new request under an old key
                self.client.update_item(
                    TableName=self.table_name,
                    Key={"PK": old["PK"], "SK": old["SK"]},
                    UpdateExpression="REMOVE committed_at, answer, #data",
                    ConditionExpression="claim = :claim",
                    ExpressionAttributeNames={"#data": self.data_attr},
                    ExpressionAttributeValues={":claim": {"S": claim.token}},
                )
            return
        if "answer" in old:
            claim.recorded = json.loads(idempotency.unseal(claim.seal_key, old["answer"]["S"]))

    def _update_record(self, data_record: DataRecord) -> None:
        """The answer, completed: sealed, and only while this attempt still holds the record."""
        claim = _held()
        try:
            self.client.update_item(
                TableName=self.table_name,
                Key=self._get_key(data_record.idempotency_key),
                UpdateExpression="SET #data = :data, #expiry = :expiry, #status = :status",
                ConditionExpression="claim = :claim",
                ExpressionAttributeNames={
                    "#data": self.data_attr,
                    "#expiry": self.expiry_attr,
                    "#status": self.status_attr,
                },
                ExpressionAttributeValues={
                    ":data": {"S": idempotency.seal(claim.seal_key, data_record.response_data or "")},
                    ":expiry": {"N": str(int(clock.now().timestamp()) + self.expires_after_seconds)},
                    ":status": {"S": COMPLETED},
                    ":claim": {"S": claim.token},
                },
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            # Another attempt took the request over while this one finished: its answer stands.
            logger.warning("idempotency record taken over before this attempt completed it")

    def _delete_record(self, data_record: DataRecord) -> None:
        """A failed attempt lets the retry run at once; what it committed, if anything, stays recorded."""
        claim = _held()
        try:
            self.client.update_item(
                TableName=self.table_name,
                Key=self._get_key(data_record.idempotency_key),
                UpdateExpression="SET #in_progress_expiry = :released",
                ConditionExpression="claim = :claim",
                ExpressionAttributeNames={"#in_progress_expiry": self.in_progress_expiry_attr},
                ExpressionAttributeValues={":released": {"N": "0"}, ":claim": {"S": claim.token}},
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise

    def _item_to_data_record(self, item: dict[str, Any]) -> DataRecord:
        record = super()._item_to_data_record(item)
        if record.response_data:
            record.response_data = idempotency.unseal(_held().seal_key, record.response_data)
        return record


def new_claim(seal_key: bytes) -> idempotency.Claim:
    """This attempt's claim, before Powertools knows the record's key (filled in at the claim)."""
    return idempotency.Claim(key={}, token=uuid.uuid4().hex, seal_key=seal_key)


def _held() -> idempotency.Claim:
    claim = idempotency.current()
    if claim is None:
        raise RuntimeError("an idempotency record is written only within a request's claim")
    return claim

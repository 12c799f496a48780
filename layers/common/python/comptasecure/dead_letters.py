"""What reached a dead-letter queue, run again once its cause is gone (support's replay, README "Operate").

Each message is re-run according to the kind of record it is, and deleted only once its re-run
succeeded; a message whose re-run fails again stays, visible for the next replay. The kinds:

- ``async invoke``: Lambda's on-failure record of an asynchronous invocation (``requestContext``,
  ``requestPayload``): the function is invoked again with the payload.
- ``undelivered event``: an event the schedule or an EventBridge rule could not deliver (the event as
  body, its ``TARGET_ARN`` as a message attribute): the target is invoked with it.
- ``stream batch``: the on-failure record of the outbox's stream mapping (``DDBStreamBatchInfo``: where
  the failed records are in the table's stream, not the records). They are read again from the stream
  and handed to the function that failed them, as its mapping would; each outbox item already carried
  out is skipped by it. Past the stream's 24 hours the records are gone: the message stays, and the
  cleanup job drives the items still owed again (domain/follow_ups.redrive_overdue).

Another kind is one ``register`` call: how to know it, and how to re-run it.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any, TypedDict

import boto3
from botocore.config import Config

from comptasecure.observability import logger

Message = dict[str, Any]  # an SQS message as ReceiveMessage returns it, its body parsed under "body"
Rerun = Callable[[Message], bool]  # re-runs what the message records; whether that succeeded

# Lambda runs a worker up to 15 minutes: the replay waits for its answer that long, and never retries
# an invoke on its own (a retried Invoke would run the worker twice). It starts no re-run in its last
# minute (a re-run it cannot wait for still ends; its message comes back and is re-run again: the
# workers are idempotent).
INVOKE_TIMEOUT_SECONDS = 900
LAST_SECONDS = 60
BATCH = 10


@dataclass(frozen=True)
class Kind:
    name: str
    matches: Callable[[Message], bool]
    rerun: Rerun


@dataclass
class _Kinds:
    known: list[Kind] = field(default_factory=list)

    def of(self, message: Message) -> Kind | None:
        return next((kind for kind in self.known if kind.matches(message)), None)


KINDS = _Kinds()


def register(name: str, matches: Callable[[Message], bool], rerun: Rerun) -> None:
    """One more kind of dead letter the replay knows how to re-run (checked in registration order)."""
    KINDS.known.append(Kind(name, matches, rerun))


class QueueReplay(TypedDict):
    replayed: int
    failed: int
    unknown: int


@cache
def _lambda() -> Any:
    config = Config(read_timeout=INVOKE_TIMEOUT_SECONDS, retries={"total_max_attempts": 1})
    return boto3.client("lambda", config=config)


@cache
def _sqs() -> Any:
    return boto3.client("sqs")


def invoke(function: str, payload: Any, *, partial: bool = False) -> bool:
    """Run the function synchronously with the payload; whether it succeeded (no function error and, for
    a batch handler (``partial``), no record reported failed)."""
    answer = _lambda().invoke(FunctionName=function, Payload=json.dumps(payload).encode())
    body = answer["Payload"].read()
    if "FunctionError" in answer:
        logger.warning("re-run failed again", extra={"function": function, "error": body[:500]})
        return False
    if partial and (json.loads(body or b"null") or {}).get("batchItemFailures"):
        logger.warning("re-run failed again for some records", extra={"function": function})
        return False
    return True


def _rerun_target(function_arn: str) -> str:
    """What the record says ran: an alias runs again as it is now; $LATEST or a version number (which
    may be gone) runs as the function."""
    head, _, name_and_qualifier = function_arn.partition(":function:")
    name, _, qualifier = name_and_qualifier.partition(":")
    if not head or (qualifier and qualifier != "$LATEST" and not qualifier.isdigit()):
        return function_arn
    return f"{head}:function:{name}"


register(
    "async invoke",
    lambda message: isinstance(message["body"], dict) and {"requestContext", "requestPayload"} <= set(message["body"]),
    lambda message: invoke(
        _rerun_target(message["body"]["requestContext"]["functionArn"]), message["body"]["requestPayload"]
    ),
)
register(
    "undelivered event",
    lambda message: "TARGET_ARN" in message.get("MessageAttributes", {}),
    lambda message: invoke(message["MessageAttributes"]["TARGET_ARN"]["StringValue"], message["body"]),
)


def _stream_records(info: dict[str, Any]) -> list[dict[str, Any]]:
    """The records of a failed stream batch, from its first sequence number to its last, in the shape
    Lambda hands them to a function (a position past the stream's retention raises: the message stays)."""
    streams = boto3.client("dynamodbstreams")
    iterator = streams.get_shard_iterator(
        StreamArn=info["streamArn"],
        ShardId=info["shardId"],
        ShardIteratorType="AT_SEQUENCE_NUMBER",
        SequenceNumber=info["startSequenceNumber"],
    )["ShardIterator"]
    last, found = int(info["endSequenceNumber"]), list[dict[str, Any]]()
    while iterator:
        page = streams.get_records(ShardIterator=iterator, Limit=1000)
        for record in page["Records"]:
            if int(record["dynamodb"]["SequenceNumber"]) > last:
                return found
            dynamodb = {**record["dynamodb"], "ApproximateCreationDateTime": 0}
            found.append(
                {**record, "eventSource": "aws:dynamodb", "eventSourceARN": info["streamArn"], "dynamodb": dynamodb}
            )
        if not page["Records"]:
            return found
        iterator = page.get("NextShardIterator")
    return found


def _rerun_stream_batch(message: Message) -> bool:
    record = message["body"]
    return invoke(
        _rerun_target(record["requestContext"]["functionArn"]),
        {"Records": _stream_records(record["DDBStreamBatchInfo"])},
        partial=True,
    )


register(
    "stream batch",
    lambda message: isinstance(message["body"], dict) and "DDBStreamBatchInfo" in message["body"],
    _rerun_stream_batch,
)


def replay(queue_urls: list[str], seconds_left: Callable[[], float]) -> dict[str, QueueReplay]:
    """Every message of each queue re-run once, until the last minute of the replay's time."""
    return {url.rsplit("/", 1)[-1]: _replay_queue(url, seconds_left) for url in queue_urls if url}


def _replay_queue(url: str, seconds_left: Callable[[], float]) -> QueueReplay:
    done: QueueReplay = {"replayed": 0, "failed": 0, "unknown": 0}
    kept: list[str] = []
    # Received messages stay invisible while this replay runs, so none comes back in this pass.
    while seconds_left() > LAST_SECONDS:
        received = (
            _sqs()
            .receive_message(
                QueueUrl=url,
                MaxNumberOfMessages=BATCH,
                VisibilityTimeout=INVOKE_TIMEOUT_SECONDS,
                MessageAttributeNames=["All"],
            )
            .get("Messages", [])
        )
        if not received:
            break
        for message in received:
            message["body"] = _parsed(message["Body"])
            kind = KINDS.of(message)
            if kind is None:
                done["unknown"] += 1
                kept.append(message["ReceiptHandle"])
                logger.warning("dead letter of no known kind kept", extra={"message_id": message["MessageId"]})
            elif kind.rerun(message):
                _sqs().delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
                done["replayed"] += 1
            else:
                done["failed"] += 1
                kept.append(message["ReceiptHandle"])
    # What failed again is visible at once for the next replay, not in 15 minutes.
    for receipt in kept:
        _sqs().change_message_visibility(QueueUrl=url, ReceiptHandle=receipt, VisibilityTimeout=0)
    logger.info("dead-letter queue replayed", extra={"queue": url.rsplit("/", 1)[-1], **done})
    return done


def _parsed(body: str) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return body

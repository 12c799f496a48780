"""DynamoDB Streams → Lambda event source mappings, run as AWS runs them (moto keeps a table's stream but
never delivers it to a function it cannot run).

Each ``Type: DynamoDB`` event of template.yaml becomes a poller that reads the table's stream (the
shard moto records, see ``Poller._read``), drops the records its
``FilterCriteria`` refuse (they never reach the function, as on AWS), and invokes the function with
batches of ``BatchSize`` records in the event shape Lambda sends. Then Lambda's failure handling:
a partial batch response (``ReportBatchItemFailures``) delivers the batch again from its first failed
record; a function error splits the batch in two when ``BisectBatchOnFunctionError`` is on, and
delivers again; a record still failing after ``MaximumRetryAttempts`` retries is skipped, and the
batch's position in the stream (``DDBStreamBatchInfo``) is sent to the ``OnFailure`` destination
(an SQS queue in moto), which is what AWS sends there.

One shard, one poller: moto keeps one shard per table, and Lambda processes a shard's batches in
order (ParallelizationFactor would only spread other partition keys across batches).
"""

import json
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import boto3
from moto.dynamodb.models import dynamodb_backends
from moto.dynamodb.models.table import StreamShard

from local import iam, template

Invoke = Callable[[str, dict[str, Any]], Any]
# Between deliveries of a failed batch: Lambda retries at once, then backs off; kept short here.
FIRST_BACKOFF_SECONDS = 0.01
MAX_BACKOFF_SECONDS = 1.0
# What stops a poller's thread without catching what a crashing function raises.
_PROCESS_EXITS = (KeyboardInterrupt, SystemExit)

_written = threading.Condition()


def notify_written() -> None:
    """A table's stream got a record: wake the pollers (instead of polling on a timer)."""
    with _written:
        _written.notify_all()


@dataclass(frozen=True)
class Mapping:
    """One ``Type: DynamoDB`` event of a function in template.yaml."""

    function: str
    table: str
    """The table's logical id (from ``Stream: !GetAtt <Table>.StreamArn``)."""
    batch_size: int
    max_retries: int
    """-1: until the record is older than ``max_record_age`` (AWS's default)."""
    max_record_age: int
    bisect: bool
    report_item_failures: bool
    filters: tuple[dict[str, Any], ...]
    on_failure: str | None
    """The logical id of the OnFailure destination queue."""

    @classmethod
    def from_event(cls, function: str, properties: dict[str, Any]) -> "Mapping":
        patterns = properties.get("FilterCriteria", {}).get("Filters", [])
        destination = properties.get("DestinationConfig", {}).get("OnFailure", {}).get("Destination")
        return cls(
            function=function,
            table=properties["Stream"]["Fn::GetAtt"][0],
            batch_size=int(properties.get("BatchSize", 100)),
            max_retries=int(properties.get("MaximumRetryAttempts", -1)),
            max_record_age=int(properties.get("MaximumRecordAgeInSeconds", -1)),
            bisect=bool(properties.get("BisectBatchOnFunctionError", False)),
            report_item_failures="ReportBatchItemFailures" in properties.get("FunctionResponseTypes", []),
            filters=tuple(json.loads(pattern["Pattern"]) for pattern in patterns),
            on_failure=destination["Fn::GetAtt"][0] if destination else None,
        )

    def accepts(self, record: dict[str, Any]) -> bool:
        """Lambda's event filtering: no filter lets every record through; else any one pattern must match."""
        return not self.filters or any(matches(pattern, record) for pattern in self.filters)


def mappings() -> list[Mapping]:
    found = []
    for name, resource in template.resources("AWS::Serverless::Function").items():
        for event in resource["Properties"].get("Events", {}).values():
            if event["Type"] == "DynamoDB":
                found.append(Mapping.from_event(name, event["Properties"]))
    return found


def matches(pattern: dict[str, Any], value: Any) -> bool:
    """An event pattern (the subset of EventBridge's syntax Lambda filters with that this template
    uses: exact values, ``prefix``, ``exists``, ``anything-but``); an unknown rule raises, so a
    filter the emulation cannot honour is never silently ignored."""
    if not isinstance(value, dict):
        return False
    for name, rule in pattern.items():
        present = name in value
        if isinstance(rule, dict):
            if not present or not matches(rule, value[name]):
                return False
        elif not any(_matches_one(option, present, value.get(name)) for option in rule):
            return False
    return True


def _matches_one(option: Any, present: bool, value: Any) -> bool:
    if not isinstance(option, dict):
        return present and value == option
    (operator, operand), *others = option.items()
    if others:
        raise ValueError(f"unsupported filter rule {option}")
    if operator == "exists":
        return present is bool(operand)
    if operator == "prefix":
        return present and isinstance(value, str) and value.startswith(operand)
    if operator == "anything-but":
        return present and value not in (operand if isinstance(operand, list) else [operand])
    raise ValueError(f"unsupported filter rule {option}")


@dataclass
class _Delivery:
    """A record on its way to the function, and how many times it failed."""

    record: dict[str, Any]
    failures: int = 0


@dataclass
class Poller:
    """Reads one table's stream for one mapping and delivers it, in order, until stopped."""

    mapping: Mapping
    resolve: Callable[[str], str]
    """A template name (logical id, ``<id>.Arn``, ``<id>.QueueName``) to this run's concrete one."""
    invoke: Invoke
    stop: threading.Event
    _position: int = 0
    """How many records of the shard were read (delivered, filtered out, or sent to the destination)."""
    _busy: bool = False
    _generation: int = 0
    """Moves on when the table is created again: a read of the old stream then counts for nothing."""
    _stream_arn: str | None = None
    _shard_id: str | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    taken: list[dict[str, Any]] | None = None
    """While set (see ``Streams.taking``): where the records go instead of the function."""

    def start(self) -> "Poller":
        threading.Thread(target=self._run, daemon=True, name=f"stream-{self.mapping.function}").start()
        return self

    def caught_up(self) -> bool:
        """Every record written so far was read and dealt with."""
        with self._lock:
            return not self._busy and self._position >= len(self._shard_items())

    def hand_to(self, taken: list[dict[str, Any]] | None) -> None:
        with self._lock:
            self.taken = taken

    def reset(self) -> None:
        """The table was created again (a new stream): start from its beginning."""
        with self._lock:
            self._position, self._stream_arn = 0, None
            self._generation += 1

    def _shard(self) -> StreamShard | None:
        table = dynamodb_backends[_account()][_region()].tables.get(self.resolve(self.mapping.table))
        return getattr(table, "stream_shard", None)

    def _shard_items(self) -> list[Any]:
        shard = self._shard()
        return shard.items if shard is not None else []

    def _run(self) -> None:
        while not self.stop.is_set():
            with _written:
                if self.caught_up():
                    _written.wait(timeout=0.5)
            if self.stop.is_set():
                return
            with self._lock:
                self._busy = True
            try:
                self._deliver_new_records()
            except Exception:  # the stream read failed (the table is being created again): read again
                logging.getLogger(__name__).exception("stream read failed for %s", self.mapping.function)
                with self._lock:
                    self._stream_arn = None
                self.stop.wait(FIRST_BACKOFF_SECONDS)
            finally:
                with self._lock:
                    self._busy = False

    def _deliver_new_records(self) -> None:
        with self._lock:
            generation = self._generation
        records = self._read()
        accepted = [record for record in records if self.mapping.accepts(record)]
        with self._lock:
            taken = self.taken
        if taken is not None:
            taken.extend(accepted)
            accepted = []
        for start in range(0, len(accepted), self.mapping.batch_size):
            self._deliver([_Delivery(record) for record in accepted[start : start + self.mapping.batch_size]])
        with self._lock:
            if generation == self._generation:
                self._position += len(records)

    def _read(self) -> list[dict[str, Any]]:
        """The records after the position, in Lambda's event shape.

        Read from the shard moto keeps rather than through its Streams API: moto keeps every shard
        iterator it ever handed out (AWS expires them after 15 minutes), each holding its table, so a
        poller reading through the API would keep every table of a test run alive.
        """
        with self._lock:
            position = self._position
            if self._stream_arn is None:
                table = boto3.client("dynamodb").describe_table(TableName=self.resolve(self.mapping.table))
                self._stream_arn = table["Table"]["LatestStreamArn"]
            stream_arn = self._stream_arn
        shard = self._shard()
        if shard is None or position >= len(shard.items):
            return []
        self._shard_id = shard.id
        records = shard.get(shard.starting_sequence_number + position, 1000)
        return [_lambda_record(record, stream_arn) for record in records]

    def _deliver(self, batch: list[_Delivery]) -> None:
        """Invoke the function with this batch until it succeeds, retrying, bisecting and giving up as
        the mapping says."""
        backoff = FIRST_BACKOFF_SECONDS
        while batch and not self.stop.is_set():
            failed_from = self._invoke(batch)
            if failed_from is None:
                return
            failing, batch = batch[failed_from:], batch[:0]
            for delivery in failing:
                delivery.failures += 1
            if self._exhausted(failing):
                self._send_to_destination(failing)
                return
            if failed_from == -1 and self.mapping.bisect and len(failing) > 1:
                half = len(failing) // 2
                self._deliver(failing[:half])
                self._deliver(failing[half:])
                return
            batch = failing
            self.stop.wait(backoff)
            backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)

    def _invoke(self, batch: list[_Delivery]) -> int | None:
        """None when the whole batch succeeded; else the position of its first failed record (-1 for a
        function error, where the whole batch failed)."""
        try:
            response = self.invoke(self.mapping.function, {"Records": [d.record for d in batch]})
        except _PROCESS_EXITS:
            raise
        except BaseException:  # the function crashed (any exception): Lambda answers a function error
            return -1
        failures = (response or {}).get("batchItemFailures") if self.mapping.report_item_failures else None
        if not failures:
            return None
        failed = {str(failure.get("itemIdentifier")) for failure in failures}
        sequence_numbers = [d.record["dynamodb"]["SequenceNumber"] for d in batch]
        if not failed <= set(sequence_numbers):
            return -1  # an identifier that is no record of the batch: Lambda treats the batch as failed
        return min(sequence_numbers.index(number) for number in failed)

    def _exhausted(self, failing: list[_Delivery]) -> bool:
        retries = self.mapping.max_retries
        if retries >= 0 and max(d.failures for d in failing) > retries:
            return True
        age = self.mapping.max_record_age
        oldest = min(d.record["dynamodb"]["ApproximateCreationDateTime"] for d in failing)
        return age >= 0 and time.time() - oldest > age

    def _send_to_destination(self, failing: list[_Delivery]) -> None:
        """What Lambda sends an OnFailure destination for a stream: where the batch is, not its records."""
        if self.mapping.on_failure is None:
            return
        first, last = failing[0].record, failing[-1].record
        message = {
            "requestContext": {
                "requestId": str(uuid.uuid4()),
                # SAM maps the stream to the function's published alias: the record names it.
                "functionArn": self.resolve(f"{self.mapping.function}.Alias"),
                "condition": "RetryAttemptsExhausted",
                "approximateInvokeCount": max(d.failures for d in failing),
            },
            "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
            "version": "1.0",
            "timestamp": datetime.now(UTC).isoformat(),
            "DDBStreamBatchInfo": {
                "shardId": self._shard_id,
                "startSequenceNumber": first["dynamodb"]["SequenceNumber"],
                "endSequenceNumber": last["dynamodb"]["SequenceNumber"],
                "approximateArrivalOfFirstRecord": _iso(first["dynamodb"]["ApproximateCreationDateTime"]),
                "approximateArrivalOfLastRecord": _iso(last["dynamodb"]["ApproximateCreationDateTime"]),
                "batchSize": len(failing),
                "streamArn": first["eventSourceARN"],
            },
        }
        # Lambda sends it with the function's own role (its grant to the queue is what SAM adds).
        with iam.running_as(self.mapping.function):
            sqs = boto3.client("sqs")
            sqs.send_message(QueueUrl=self.resolve(self.mapping.on_failure), MessageBody=json.dumps(message))


def _lambda_record(record: dict[str, Any], stream_arn: str) -> dict[str, Any]:
    """A DynamoDB Streams record as Lambda hands it to a function (event source, ARN, epoch seconds)."""
    dynamodb = dict(record["dynamodb"])
    created = dynamodb["ApproximateCreationDateTime"]
    if isinstance(created, datetime):  # moto's is naive UTC; Lambda sends epoch seconds
        created = (created if created.tzinfo else created.replace(tzinfo=UTC)).timestamp()
    dynamodb["ApproximateCreationDateTime"] = created
    return {
        "eventID": record["eventID"],
        "eventName": record["eventName"],
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": _region(),
        "dynamodb": dynamodb,
        "eventSourceARN": stream_arn,
    }


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat()


def _account() -> str:
    from local.emulator import ACCOUNT

    return ACCOUNT


def _region() -> str:
    from local.emulator import REGION

    return REGION


class Streams:
    """Every stream mapping of the template, polled from threads of this process."""

    def __init__(self, resolve: Callable[[str], str], invoke: Invoke):
        self.stop = threading.Event()
        self.pollers = [Poller(mapping, resolve, invoke, self.stop).start() for mapping in mappings()]

    def reset(self) -> None:
        for poller in self.pollers:
            poller.reset()

    @contextmanager
    def taking(self, function: str) -> Iterator[list[dict[str, Any]]]:
        """The records the function's mappings would deliver meanwhile, handed to the caller instead (in
        Lambda's event shape, filters applied): the fault matrix invokes the function with them itself."""
        taken: list[dict[str, Any]] = []
        own = [poller for poller in self.pollers if poller.mapping.function == function]
        for poller in own:
            poller.hand_to(taken)
        try:
            yield taken
        finally:
            for poller in own:
                poller.hand_to(None)

    def idle(self) -> bool:
        """Every record written so far has been delivered (or filtered out, or sent to its destination)."""
        return all(poller.caught_up() for poller in self.pollers)

    def close(self) -> None:
        self.stop.set()
        notify_written()

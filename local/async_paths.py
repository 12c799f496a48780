"""The asynchronous paths as AWS runs them, where moto runs none: Lambda's asynchronous invocation with its
retries and on-failure destination, and the deliveries of the schedule and the EventBridge rule with
theirs, so that what fails locally ends where it would end on AWS.

- Lambda queues an asynchronous invocation (``InvocationType=Event``), runs it, and retries a run that
  failed ``MaximumRetryAttempts`` times (2 unless the function's ``EventInvokeConfig`` says otherwise;
  AWS waits about 1 then 2 minutes, here the retries follow at once). Once they are exhausted, the
  on-failure destination gets Lambda's invocation record (``requestContext``, ``requestPayload``,
  ``responseContext``, ``responsePayload``), sent with the function's role as Lambda does.
- The schedule and the rule invoke their target asynchronously; a delivery Lambda refuses is retried
  per the target's ``RetryPolicy``, then sent to the target's ``DeadLetterConfig`` queue with the
  event as body and the attributes EventBridge gives it (``ERROR_CODE``, ``ERROR_MESSAGE``,
  ``TARGET_ARN``, and ``RULE_ARN`` or ``SCHEDULE_ARN``). The rule's pattern is matched by moto's
  EventBridge matcher.
"""

import json
import logging
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError
from moto.events.models import EventPattern

from local import iam, template

log = logging.getLogger(__name__)
Resolve = Callable[[Any], str]
Invoke = Callable[[str, dict[str, Any]], Any]


@dataclass(frozen=True)
class InvokeConfig:
    """A function's EventInvokeConfig: Lambda's defaults when it has none."""

    maximum_retry_attempts: int = 2
    on_failure: str | None = None  # an SQS queue ARN


@dataclass(frozen=True)
class Target:
    """A schedule's or a rule's Lambda target and what happens to an event it cannot deliver."""

    function: str  # logical id
    source_arn: str
    source_attribute: str  # RULE_ARN or SCHEDULE_ARN
    maximum_retry_attempts: int
    dead_letter_queue: str | None  # an SQS queue ARN
    pattern: dict[str, Any] | None = None  # a rule's event pattern


def invoke_config(logical_id: str, resolve: Resolve) -> InvokeConfig:
    config = template.load()["Resources"][logical_id]["Properties"].get("EventInvokeConfig") or {}
    destination = config.get("DestinationConfig", {}).get("OnFailure", {}).get("Destination")
    return InvokeConfig(config.get("MaximumRetryAttempts", 2), resolve(destination) if destination else None)


def targets(resolve: Resolve) -> list[Target]:
    """The schedules (ScheduleV2) and EventBridge rules of the template, with their failure handling."""
    found = []
    for logical_id, resource in template.resources("AWS::Serverless::Function").items():
        for name, event in resource["Properties"].get("Events", {}).items():
            kind, properties = event["Type"], event["Properties"]
            if kind not in ("ScheduleV2", "EventBridgeRule"):
                continue
            dead_letter = properties.get("DeadLetterConfig", {}).get("Arn")
            is_rule = kind == "EventBridgeRule"
            service, path = ("events", "rule") if is_rule else ("scheduler", "schedule/default")
            found.append(
                Target(
                    function=logical_id,
                    source_arn=f"arn:aws:{service}:{iam.REGION}:{resolve({'Ref': 'AWS::AccountId'})}:"
                    f"{path}/{logical_id}{name}",
                    source_attribute="RULE_ARN" if is_rule else "SCHEDULE_ARN",
                    # EventBridge retries a failed delivery 185 times by default, the Scheduler likewise.
                    maximum_retry_attempts=properties.get("RetryPolicy", {}).get("MaximumRetryAttempts", 185),
                    dead_letter_queue=resolve(dead_letter) if dead_letter else None,
                    pattern=_resolved(properties["Pattern"], resolve) if is_rule else None,
                )
            )
    return found


def _resolved(value: Any, resolve: Resolve) -> Any:
    """A pattern with its intrinsics (a !Ref of the configuration set) resolved, as CloudFormation would."""
    if isinstance(value, dict):
        if len(value) == 1 and (next(iter(value)) == "Ref" or next(iter(value)).startswith("Fn::")):
            return resolve(value)
        return {key: _resolved(item, resolve) for key, item in value.items()}
    if isinstance(value, list):
        return [_resolved(item, resolve) for item in value]
    return value


def run(logical_id: str, event: dict[str, Any], invoke: Invoke, resolve: Resolve, function_arn: str) -> None:
    """One asynchronous invocation of ``function_arn`` (as invoked: qualified by an alias, or not): the
    run, its retries, then the on-failure destination."""
    config = invoke_config(logical_id, resolve)
    attempts = 1 + config.maximum_retry_attempts
    for attempt in range(1, attempts + 1):
        try:
            invoke(logical_id, event)
            return
        except Exception as error:
            log.warning("asynchronous invocation of %s failed (attempt %d of %d)", logical_id, attempt, attempts)
            failure = error
    if config.on_failure is None:
        log.error("asynchronous invocation of %s dropped after %d attempts: no destination", logical_id, attempts)
        return
    record, url = failure_record(function_arn, event, failure, attempts), queue_url(config.on_failure)
    # Lambda sends to the destination with the function's execution role.
    with iam.running_as(logical_id):
        boto3.client("sqs").send_message(QueueUrl=url, MessageBody=json.dumps(record))


def failure_record(function_arn: str, event: dict[str, Any], error: BaseException, attempts: int) -> dict[str, Any]:
    """Lambda's invocation record for an on-failure destination, as it writes it."""
    return {
        "version": "1.0",
        "timestamp": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "requestContext": {
            "requestId": str(uuid.uuid4()),
            # Lambda names what ran: the alias invoked, or $LATEST for the unqualified function.
            "functionArn": function_arn if function_arn.count(":") > 6 else f"{function_arn}:$LATEST",
            "condition": "RetriesExhausted",
            "approximateInvokeCount": attempts,
        },
        "requestPayload": event,
        "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
        "responsePayload": {
            "errorMessage": str(error),
            "errorType": type(error).__name__,
            "stackTrace": traceback.format_tb(error.__traceback__),
        },
    }


def queue_url(arn: str) -> str:
    """arn:aws:sqs:<region>:<account>:<name> -> the queue's URL on this emulator."""
    name, account = arn.split(":")[5], arn.split(":")[4]
    return str(boto3.client("sqs").get_queue_url(QueueName=name, QueueOwnerAWSAccountId=account)["QueueUrl"])


def deliver(target: Target, event: dict[str, Any], function_arn: str) -> bool:
    """The schedule's or the rule's delivery: Lambda's asynchronous Invoke, retried, then the DLQ.

    Returns whether Lambda accepted the event (what the function then does is the invocation's)."""
    # The target's RetryPolicy is the only retry: the SDK retries nothing on its own.
    client = boto3.client("lambda", config=Config(retries={"total_max_attempts": 1}))
    for _ in range(1 + target.maximum_retry_attempts):
        try:
            client.invoke(FunctionName=function_arn, InvocationType="Event", Payload=json.dumps(event).encode())
            return True
        except ClientError as error:
            refused = error
    if target.dead_letter_queue is None:
        log.error("event for %s dropped: no dead-letter queue", target.function)
        return False
    attributes = {
        "ERROR_CODE": refused.response["Error"]["Code"],
        "ERROR_MESSAGE": refused.response["Error"].get("Message", ""),
        "TARGET_ARN": function_arn,
        target.source_attribute: target.source_arn,
    }
    boto3.client("sqs").send_message(
        QueueUrl=queue_url(target.dead_letter_queue),
        MessageBody=json.dumps(event),
        MessageAttributes={name: {"DataType": "String", "StringValue": value} for name, value in attributes.items()},
    )
    return False


def matches(target: Target, event: dict[str, Any]) -> bool:
    """Whether the rule's pattern matches the event, as EventBridge decides it: moto's matcher, the one its
    rules use (its TestEventPattern API answers nothing)."""
    return bool(EventPattern.load(json.dumps(target.pattern)).matches_event(event))  # type: ignore[arg-type]

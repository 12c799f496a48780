"""Every asynchronous path ends in its dead-letter queue when it fails, as on AWS, and support's replay
re-runs what is there once the cause is gone (issue 19, item 3; README "Operate").

The causes are real ones the test sets up: the bucket or the table gone, Lambda refusing invocations.
"""

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
import stripe

from comptasecure.settings import settings
from comptasecure.store import keys
from local import support
from local.emulator import Emulator, refusing_invocations
from tests.billing_helpers import linked_customer, stripe_client
from tests.helpers import Client, eventually, owner_by_signup, owner_of_new_account, partition
from tests.integration.test_audit_export import seed_events


def depth(emulator: Emulator, queue: str) -> int:
    """Messages in the queue, visible or being handled."""
    attributes = boto3.client("sqs").get_queue_attributes(
        QueueUrl=emulator.values[queue],
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])


def peek(emulator: Emulator, queue: str) -> dict[str, Any]:
    """The queue's one message, left in the queue (visible again at once)."""
    [message] = boto3.client("sqs").receive_message(
        QueueUrl=emulator.values[queue], VisibilityTimeout=0, MessageAttributeNames=["All"]
    )["Messages"]
    return {"body": json.loads(message["Body"]), "attributes": message.get("MessageAttributes", {})}


def replay(emulator: Emulator) -> int:
    """support's command, as README "Operate" gives it."""
    return support.main(["--endpoint", emulator.endpoint, "replay-dead-letters"])


@pytest.fixture
def bucket_gone(emulator: Emulator) -> Iterator[None]:
    """The FEC bucket removed (every object version first, as S3 requires); created again after the test."""
    bucket = boto3.resource("s3").Bucket(settings().fec_bucket)
    bucket.object_versions.delete()
    bucket.delete()
    yield
    emulator.restore_buckets()


@pytest.fixture
def table_gone(emulator: Emulator) -> Iterator[None]:
    boto3.client("dynamodb").delete_table(TableName=settings().table_name)
    yield
    emulator.reset_tables()


def test_a_purge_failing_every_attempt_ends_in_its_queue_and_the_replay_finishes_it(
    client: Client, emulator: Emulator, table: Any, bucket_gone: None
) -> None:
    owner = owner_of_new_account(client)
    customer_id = linked_customer(owner)

    assert owner.client.delete("/account").status == 204

    eventually(lambda: depth(emulator, "PurgeAccountDeadLetterQueue") == 1, "the purge in its dead-letter queue")
    record = peek(emulator, "PurgeAccountDeadLetterQueue")["body"]
    # The template's EventInvokeConfig: 2 retries, so 3 runs, then Lambda's on-failure record.
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 3
    assert record["requestPayload"] == {"account_id": owner.account_id, "stripe_customer_id": customer_id}
    assert record["responsePayload"]["errorType"] == "NoSuchBucket"
    link = keys.key(keys.stripe_customer_pk(customer_id), keys.STRIPE_CUSTOMER_SK)
    assert "Item" in table.get_item(Key=link), "the purge stopped before the Stripe customer"

    # Re-run while the cause is still there: it fails again and stays, visible for the next replay.
    assert replay(emulator) == 1
    assert depth(emulator, "PurgeAccountDeadLetterQueue") == 1
    assert peek(emulator, "PurgeAccountDeadLetterQueue")["body"]["requestPayload"]["account_id"] == owner.account_id

    emulator.restore_buckets()
    assert replay(emulator) == 0

    assert depth(emulator, "PurgeAccountDeadLetterQueue") == 0
    assert "Item" not in table.get_item(Key=link)
    assert not partition(table, owner.account_id)
    with pytest.raises(stripe.InvalidRequestError):
        stripe_client().v1.customers.retrieve(customer_id)


def test_an_export_the_worker_cannot_write_waits_in_its_queue_then_is_written(
    client: Client, emulator: Emulator, configure: Any, bucket_gone: None
) -> None:
    configure(audit_export_sync_bytes=2_000)
    owner = owner_by_signup(client)
    seed_events(owner.account_id, 100)
    started = client.get("/audit/export", token=owner.token)
    assert started.status == 202, started.body
    export = f"/audit/exports/{started.body['export_id']}"

    eventually(lambda: depth(emulator, "AuditExportDeadLetterQueue") == 1, "the export in its dead-letter queue")
    assert client.get(export, token=owner.token).body["status"] == "running"
    assert replay(emulator) == 1, "the bucket is still gone: the re-run fails again and the message stays"
    assert depth(emulator, "AuditExportDeadLetterQueue") == 1

    emulator.restore_buckets()
    assert replay(emulator) == 0

    assert depth(emulator, "AuditExportDeadLetterQueue") == 0
    assert client.get(export, token=owner.token).body["status"] == "ready"


def test_a_scheduled_cleanup_failing_every_attempt_ends_in_its_queue(emulator: Emulator, table_gone: None) -> None:
    assert emulator.fire_schedule("CleanupFunction"), "Lambda took the scheduled event"

    eventually(lambda: depth(emulator, "CleanupDeadLetterQueue") == 1, "the cleanup in its dead-letter queue")
    record = peek(emulator, "CleanupDeadLetterQueue")["body"]
    assert record["requestPayload"]["source"] == "aws.scheduler"
    assert record["responsePayload"]["errorType"] == "ResourceNotFoundException"
    assert replay(emulator) == 1, "the table is still gone: the re-run fails again and the message stays"

    emulator.reset_tables()
    assert replay(emulator) == 0
    assert depth(emulator, "CleanupDeadLetterQueue") == 0


def test_what_the_schedule_cannot_deliver_ends_in_its_queue_with_the_event(emulator: Emulator) -> None:
    with refusing_invocations("CleanupFunction"):
        assert not emulator.fire_schedule("CleanupFunction")

    message = peek(emulator, "CleanupDeadLetterQueue")
    assert message["body"]["source"] == "aws.scheduler"
    attributes = {name: value["StringValue"] for name, value in message["attributes"].items()}
    assert attributes["ERROR_CODE"] == "TooManyRequestsException"
    assert attributes["TARGET_ARN"].endswith(":function:CleanupFunction:live")
    assert ":schedule/" in attributes["SCHEDULE_ARN"]

    assert replay(emulator) == 0
    assert depth(emulator, "CleanupDeadLetterQueue") == 0


def test_a_bounce_the_function_cannot_record_waits_in_its_queue(client: Client, emulator: Emulator, table: Any) -> None:
    from tests.helpers import invite, unique_email
    from tests.integration.test_email_feedback import bounce, delivery_of

    owner = owner_of_new_account(client)
    email = unique_email("bounced")
    invite(owner, {"email": email})
    boto3.client("dynamodb").delete_table(TableName=settings().table_name)
    try:
        assert emulator.publish(bounce(email)) == ["EmailFeedbackFunction"]
        eventually(lambda: depth(emulator, "EmailFeedbackDeadLetterQueue") == 1, "the bounce in its dead-letter queue")
        assert replay(emulator) == 1, "the table is still gone: the re-run fails again and the message stays"
    finally:
        emulator.reset_tables()
    owner = owner_of_new_account(client)
    invite(owner, {"email": email})

    assert replay(emulator) == 0
    assert depth(emulator, "EmailFeedbackDeadLetterQueue") == 0
    assert delivery_of(owner.client, email) == "bounced"

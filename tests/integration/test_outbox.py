"""The transactional outbox (R-REL-1): what a change owes is written with it and carried out from the
table's stream by FollowUpDispatcherFunction, at least once, with its effect once."""

import json
from typing import Any

import boto3

from comptasecure.domain import follow_ups
from comptasecure.store import keys
from comptasecure.store.transaction import Transaction
from local import emails, support
from local.emulator import Emulator
from tests.helpers import (
    Client,
    eventually,
    follow_ups_done,
    invocations_of,
    owner_of_new_account,
    signup,
    unique_email,
    with_faults,
)


def outbox_items(table: Any, account_id: str) -> list[dict[str, Any]]:
    found = table.query(
        KeyConditionExpression="PK = :pk AND begins_with(SK, :outbox)",
        ExpressionAttributeValues={":pk": keys.account_pk(account_id), ":outbox": "OUTBOX#"},
        ConsistentRead=True,
    )
    return list(found["Items"])


def owe_notice(account_id: str, to: str) -> None:
    tx = Transaction()
    follow_ups.email(tx, account_id, to, "password_changed", first_name="Claire")
    tx.commit()


def test_a_follow_up_is_carried_out_and_its_item_goes(client: Client, table: Any) -> None:
    owner = owner_of_new_account(client)
    to = unique_email("notice")
    owe_notice(owner.account_id, to)
    follow_ups_done(client)
    [sent] = emails.sent(to)
    assert sent["subject"] == "Votre mot de passe ComptaSecure a été modifié"
    assert outbox_items(table, owner.account_id) == []


def test_writes_that_owe_nothing_never_invoke_the_dispatcher(client: Client) -> None:
    owner = owner_of_new_account(client)
    follow_ups_done(client)
    with invocations_of("FollowUpDispatcherFunction") as invoked:
        assert owner.client.patch("/me", {"job_title": "Expert-comptable"}).status == 200
        assert owner.client.patch("/cabinet", {"fields": {"identification": "Cabinet Dupont"}}).status == 200
        follow_ups_done(client)
    assert invoked == []


def test_a_delivery_that_fails_is_delivered_again_and_its_effect_happens_once(client: Client, table: Any) -> None:
    owner = owner_of_new_account(client)
    to = unique_email("notice")
    follow_ups_done(client)
    with with_faults("FollowUpDispatcherFunction", "ses.SendEmail", mode="fail", times=2) as injected:
        owe_notice(owner.account_id, to)
        follow_ups_done(client)
    assert len(injected) == 2
    assert len(emails.sent(to)) == 1
    assert outbox_items(table, owner.account_id) == []


def test_a_dispatcher_dying_after_its_effect_does_not_repeat_an_idempotent_one(client: Client, table: Any) -> None:
    """The dispatcher dies right after starting the signup's workflow: delivered again, the start answers
    as the same execution (its name comes from the outbox id), so one code email, one execution."""
    follow_ups_done(client)
    with with_faults("FollowUpDispatcherFunction", "states.StartExecution", mode="die") as injected:
        email, signed_up = signup(client)
        follow_ups_done(client)
    assert signed_up.status == 201 and len(injected) == 1
    eventually(lambda: emails.sent(email), "the code email")
    sfn = boto3.client("stepfunctions")
    from comptasecure.settings import settings

    started = [
        execution
        for execution in sfn.list_executions(stateMachineArn=settings().state_machine_arn)["executions"]
        if signed_up.body["user_id"] in execution["name"]
    ]
    assert len(started) == 1
    assert len(emails.sent(email)) == 1


def test_a_follow_up_failing_past_its_retries_lands_in_the_dead_letter_queue_and_the_replay_carries_it_out(
    client: Client, table: Any, emulator: Emulator
) -> None:
    broken, healthy = owner_of_new_account(client), owner_of_new_account(client)
    follow_ups_done(client)
    to_broken, to_healthy = unique_email("broken"), unique_email("healthy")
    with with_faults("FollowUpDispatcherFunction", "ses.SendEmail", mode="fail", times=100, recipient=to_broken):
        owe_notice(broken.account_id, to_broken)
        owe_notice(healthy.account_id, to_healthy)
        follow_ups_done(client)
    # The healthy account's notice was not held back by the broken one (a failed record is retried
    # alone, the batch split), and the broken one is still owed: its item stays.
    assert len(emails.sent(to_healthy)) == 1
    assert emails.sent(to_broken) == []
    assert len(outbox_items(table, broken.account_id)) == 1
    [message] = dead_letters(emulator)
    info = message["DDBStreamBatchInfo"]
    assert message["requestContext"]["condition"] == "RetryAttemptsExhausted"
    # Where the failed records are in the stream (not the records themselves: AWS sends their position).
    assert int(info["startSequenceNumber"]) <= int(info["endSequenceNumber"])
    assert 1 <= info["batchSize"] <= 2
    # Replayed while SES still refuses: it fails again, and the message stays for the next replay.
    with with_faults("FollowUpDispatcherFunction", "ses.SendEmail", mode="fail", times=100, recipient=to_broken):
        assert support.main(["--endpoint", emulator.endpoint, "replay-dead-letters"]) == 1
    assert len(dead_letters(emulator)) == 1 and emails.sent(to_broken) == []
    # The cause gone (SES answers again), support's replay reads the records again from the stream and
    # hands them to the dispatcher: the notice goes, once; the healthy one is not sent twice.
    assert support.main(["--endpoint", emulator.endpoint, "replay-dead-letters"]) == 0
    assert len(emails.sent(to_broken)) == 1 and len(emails.sent(to_healthy)) == 1
    assert outbox_items(table, broken.account_id) == []
    assert dead_letters(emulator) == []


def test_a_cancelled_transaction_leaves_no_record_in_the_stream(client: Client, table: Any) -> None:
    owner = owner_of_new_account(client)
    follow_ups_done(client)
    tx = Transaction()
    follow_ups.email(tx, owner.account_id, unique_email("never"), "password_changed", first_name=None)
    tx.check(keys.key(keys.account_pk(owner.account_id), "NOPE"), "attribute_exists(PK)", on_condition_failed=None)
    with invocations_of("FollowUpDispatcherFunction") as invoked:
        try:
            tx.commit()
        except Exception as error:
            assert type(error).__name__ == "ConditionFailed"
        follow_ups_done(client)
    assert invoked == []


def dead_letters(emulator: Emulator) -> list[dict[str, Any]]:
    """The queue's messages, left in it (visible again at once)."""
    url = emulator.values["FollowUpDeadLetterQueue"]
    messages = boto3.client("sqs").receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0)
    return [json.loads(message["Body"]) for message in messages.get("Messages", [])]

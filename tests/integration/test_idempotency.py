"""Idempotency-Key (API.md "Retries", SPEC R-REL-2): a client's retry never doubles an effect."""

import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from comptasecure.store import keys
from tests.helpers import (
    PASSWORD,
    Client,
    Member,
    audit_events,
    executions_of,
    follow_ups_done,
    login,
    owner_of_new_account,
    unique_email,
    wait_for_email,
    with_faults,
)

# The function's timeout (template Globals): a claim left by an attempt that died is free after it.
FUNCTION_TIMEOUT_SECONDS = 10


def key() -> str:
    return str(uuid.uuid4())


def groups_named(owner: Member, name: str) -> list[dict[str, Any]]:
    return [group for group in owner.client.get("/groups").body["items"] if group["name"] == name]


def test_the_same_key_and_body_get_the_first_answer_again_and_nothing_happens_twice(client: Client, table: Any) -> None:
    owner = owner_of_new_account(client)
    sent = key()
    first = owner.client.post("/groups", {"name": "Révision", "member_ids": []}, idempotency_key=sent)
    again = owner.client.post("/groups", {"name": "Révision", "member_ids": []}, idempotency_key=sent)
    assert first.status == 201 and "Idempotent-Replayed" not in first.headers
    assert (again.status, again.body) == (first.status, first.body)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert len(groups_named(owner, "Révision")) == 1
    assert len(audit_events(table, owner.account_id, "group.created")) == 1


def test_the_same_key_with_another_body_is_refused(client: Client) -> None:
    owner = owner_of_new_account(client)
    sent = key()
    assert owner.client.post("/groups", {"name": "A", "member_ids": []}, idempotency_key=sent).status == 201
    reused = owner.client.post("/groups", {"name": "B", "member_ids": []}, idempotency_key=sent)
    assert (reused.status, reused.error["code"], reused.error["field"]) == (
        422,
        "idempotency_key_reused",
        "Idempotency-Key",
    )
    assert groups_named(owner, "B") == []


def test_fifty_parallel_attempts_with_one_key_change_things_once(client: Client, table: Any) -> None:
    owner = owner_of_new_account(client)
    sent = key()
    with ThreadPoolExecutor(max_workers=10) as pool:
        replies = list(
            pool.map(
                lambda _: owner.client.post("/groups", {"name": "Paie", "member_ids": []}, idempotency_key=sent),
                range(50),
            )
        )
    statuses = {reply.status for reply in replies}
    assert statuses <= {201, 409}, statuses
    assert all(reply.error["code"] == "request_in_progress" for reply in replies if reply.status == 409)
    created = [reply for reply in replies if reply.status == 201]
    assert created and len({reply.body["id"] for reply in created}) == 1
    assert len(groups_named(owner, "Paie")) == 1
    assert len(audit_events(table, owner.account_id, "group.created")) == 1


def test_a_retry_after_the_function_died_past_its_commit_gets_the_committed_answer(
    client: Client, table: Any, shift_clock: Any
) -> None:
    """The function dies right after its transaction: the change and its answer were committed together
    with the idempotency record, so the retry answers them again and writes nothing."""
    owner = owner_of_new_account(client)
    sent = key()
    with with_faults("CreateGroupFunction", "dynamodb.TransactWriteItems", mode="die"):
        died = owner.client.post("/groups", {"name": "Fiscal", "member_ids": []}, idempotency_key=sent)
    assert died.status == 500
    in_progress = owner.client.post("/groups", {"name": "Fiscal", "member_ids": []}, idempotency_key=sent)
    assert (in_progress.status, in_progress.error["code"]) == (409, "request_in_progress")
    shift_clock(FUNCTION_TIMEOUT_SECONDS + 1)  # the dead attempt's claim runs out
    retried = owner.client.post("/groups", {"name": "Fiscal", "member_ids": []}, idempotency_key=sent)
    assert retried.status == 201 and retried.headers["Idempotent-Replayed"] == "true"
    [group] = groups_named(owner, "Fiscal")
    assert retried.body["id"] == group["id"]
    assert len(audit_events(table, owner.account_id, "group.created")) == 1


def test_a_retry_after_a_failure_before_any_commit_runs_the_request(client: Client) -> None:
    owner = owner_of_new_account(client)
    sent = key()
    with with_faults("CreateGroupFunction", "dynamodb.TransactWriteItems", mode="fail"):
        failed = owner.client.post("/groups", {"name": "Social", "member_ids": []}, idempotency_key=sent)
    assert failed.status == 500  # a server error is not kept: the retry runs
    retried = owner.client.post("/groups", {"name": "Social", "member_ids": []}, idempotency_key=sent)
    assert retried.status == 201 and "Idempotent-Replayed" not in retried.headers
    assert len(groups_named(owner, "Social")) == 1


def test_a_key_is_the_callers_own(client: Client) -> None:
    owner = owner_of_new_account(client)
    other = owner_of_new_account(client)
    sent = key()
    assert owner.client.post("/groups", {"name": "Audit", "member_ids": []}, idempotency_key=sent).status == 201
    theirs = other.client.post("/groups", {"name": "Audit", "member_ids": []}, idempotency_key=sent)
    assert theirs.status == 201 and "Idempotent-Replayed" not in theirs.headers
    assert len(groups_named(other, "Audit")) == 1


def test_a_key_is_kept_a_day(client: Client, shift_clock: Any) -> None:
    owner = owner_of_new_account(client)
    sent = key()
    assert owner.client.post("/groups", {"name": "Jour", "member_ids": []}, idempotency_key=sent).status == 201
    shift_clock(25 * 3600)
    later = owner.client.post("/groups", {"name": "Jour", "member_ids": []}, idempotency_key=sent)
    # Run again, not replayed: a second group is refused (Freemium allows one).
    assert (later.status, later.error["code"]) == (409, "group_quota_reached")
    assert "Idempotent-Replayed" not in later.headers


def test_a_signup_retried_with_its_key_answers_the_first_signup_and_sends_one_code(client: Client) -> None:
    email = unique_email("owner")
    body = {"email": email, "password": PASSWORD, "first_name": "Claire", "last_name": "D", "company_name": "C"}
    sent = key()
    first = client.post("/auth/signup", body, idempotency_key=sent)
    again = client.post("/auth/signup", body, idempotency_key=sent)
    assert first.status == 201 and (again.status, again.body) == (201, first.body)
    assert again.headers["Idempotent-Replayed"] == "true"
    wait_for_email(email)
    follow_ups_done(client)
    assert len(executions_of(first.body["user_id"])) == 1  # one workflow, one code


def test_a_secret_shown_once_is_replayed_but_never_readable_in_the_table(client: Client, table: Any) -> None:
    owner = owner_of_new_account(client)
    sent = key()
    first = owner.client.post("/me/mfa/totp", idempotency_key=sent)
    again = owner.client.post("/me/mfa/totp", idempotency_key=sent)
    assert first.status == 200 and again.body["secret"] == first.body["secret"]
    records = table.scan(FilterExpression="begins_with(PK, :p)", ExpressionAttributeValues={":p": "IDEMPOTENCY#"})
    assert records["Items"] and first.body["secret"] not in str(records["Items"])


@pytest.mark.parametrize("sent", ["", "x" * 256, "clé-accentuée", "tab\there"])
def test_a_malformed_key_is_refused_naming_the_header(client: Client, sent: str) -> None:
    owner = owner_of_new_account(client)
    refused = owner.client.post("/groups", {"name": "N", "member_ids": []}, idempotency_key=sent)
    assert (refused.status, refused.error["code"], refused.error["field"]) == (
        422,
        "invalid_idempotency_key",
        "Idempotency-Key",
    )
    assert groups_named(owner, "N") == []


def test_routes_whose_retries_are_their_own_ignore_the_key(client: Client) -> None:
    owner = owner_of_new_account(client)
    sent = key()
    first = client.post("/auth/login", {"email": owner.email, "password": PASSWORD}, idempotency_key=sent)
    again = client.post("/auth/login", {"email": owner.email, "password": PASSWORD}, idempotency_key=sent)
    assert first.status == again.status == 200
    assert first.body["refresh_token"] != again.body["refresh_token"]  # two logins, two sessions
    assert "Idempotent-Replayed" not in again.headers
    assert login(client, owner.email)["access_token"]


def test_the_records_hold_no_request_in_clear(client: Client, table: Any) -> None:
    owner = owner_of_new_account(client)
    sent = key()
    owner.client.post("/groups", {"name": "Confidentiel", "member_ids": []}, idempotency_key=sent)
    records = table.scan(FilterExpression="begins_with(PK, :p)", ExpressionAttributeValues={":p": "IDEMPOTENCY#"})
    text = str(records["Items"])
    assert sent not in text and "Confidentiel" not in text and keys.ACCOUNT_PREFIX not in text

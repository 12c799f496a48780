"""The identity workflow's real ASL, executed by moto's Step Functions with our handlers as its tasks."""

import json
from typing import Any

import boto3
import pytest
from botocore.client import BaseClient

from local import emails
from tests.helpers import (
    PASSWORD,
    Client,
    add_member,
    code_in,
    eventually,
    executions_of,
    owner_of_new_account,
    signup,
    unique_email,
    wait_for_email,
    wait_until_ended,
)


def test_signup_workflow_waits_for_the_code_and_succeeds_on_confirmation(client: Client) -> None:
    email, reply = signup(client)
    code = code_in(wait_for_email(email))
    [execution] = executions_of(reply.body["user_id"])
    assert boto3.client("stepfunctions").describe_execution(executionArn=execution["executionArn"])["status"] == (
        "RUNNING"
    )
    assert client.post("/auth/confirm", {"email": email, "code": code}).status == 200
    ended = wait_until_ended(execution["executionArn"])
    assert ended["status"] == "SUCCEEDED"
    assert json.loads(ended["output"])["outcome"] == "confirmed"


def test_signup_workflow_ends_expired_when_the_code_times_out(client: Client, configure: Any) -> None:
    configure(code_validity_seconds=1)
    # Only the workflow's own timeout is real time here: the outcome is the same whether the email
    # went out before it or not, so a busy machine changes nothing.
    _, reply = signup(client)
    [execution] = eventually(lambda: executions_of(reply.body["user_id"]), "the signup's execution")
    ended = wait_until_ended(execution["executionArn"])
    assert ended["status"] == "SUCCEEDED"
    assert json.loads(ended["output"])["outcome"] == "code_expired"


def test_resend_replaces_the_waiting_execution(client: Client, configure: Any) -> None:
    configure(code_resend_interval_seconds=0)
    email, reply = signup(client)
    wait_for_email(email)
    assert client.post("/auth/resend-code", {"email": email}).status == 202
    code = code_in(wait_for_email(email, count=2))
    executions = executions_of(reply.body["user_id"])
    assert len(executions) == 2
    assert client.post("/auth/confirm", {"email": email, "code": code}).status == 200
    ended = [wait_until_ended(execution["executionArn"]) for execution in executions]
    assert {execution["status"] for execution in ended} == {"SUCCEEDED"}
    assert sorted(json.loads(execution["output"])["outcome"] for execution in ended) == ["confirmed", "withdrawn"]


def test_an_email_send_that_ses_throttles_is_retried_and_the_code_still_confirms(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SES answers TooManyRequestsException once (its throttling error); the workflow sends again."""
    email = unique_email("throttled")
    original = BaseClient._make_api_call  # type: ignore[attr-defined]
    throttled: list[str] = []

    def ses_throttles_once(self: BaseClient, operation: str, params: dict[str, Any]) -> Any:
        if operation == "SendEmail" and email in params.get("Destination", {}).get("ToAddresses", []) and not throttled:
            throttled.append(operation)
            error = {"Code": "TooManyRequestsException", "Message": "Maximum sending rate exceeded."}
            raise self.exceptions.TooManyRequestsException(  # type: ignore[attr-defined]
                {"Error": error, "ResponseMetadata": {"HTTPStatusCode": 429}}, operation
            )
        return original(self, operation, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", ses_throttles_once)
    _, reply = signup(client, email)
    assert reply.status == 201
    code = code_in(wait_for_email(email))
    assert throttled == ["SendEmail"]
    assert len(emails.sent(email)) == 1
    assert client.post("/auth/confirm", {"email": email, "code": code}).status == 200
    [execution] = executions_of(reply.body["user_id"])
    ended = wait_until_ended(execution["executionArn"])
    assert json.loads(ended["output"])["outcome"] == "confirmed"


def test_leaving_while_a_password_change_waits_for_its_code_withdraws_the_wait(client: Client) -> None:
    member = add_member(client, owner_of_new_account(client).account_id, "member")
    new = "Registre des immobilisations 2027"
    body = {"current_password": PASSWORD, "new_password": new, "new_password_confirmation": new}
    assert client.post("/me/password", body, token=member.token).status == 202
    wait_for_email(member.email)
    [execution] = executions_of(member.user_id)

    assert client.delete("/me", token=member.token).status == 204

    ended = wait_until_ended(execution["executionArn"])
    assert json.loads(ended["output"])["outcome"] == "withdrawn"

"""What the functions write to their logs, as CloudWatch would receive it (issue 21, items 3 and 4).

Every log line of a request carries its request id, route, account and user ids, and never an email,
token, code or password; a refusal is logged once at INFO with its code, a 5xx with its traceback.
Business metrics are EMF records printed to the log, with the dimensions the alarms name.
"""

import io
import json
import os
import time
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest

from comptasecure.observability import METRICS, logger
from comptasecure.settings import settings
from local.emulator import Emulator
from tests.billing_helpers import deliver, linked_customer, stripe_event
from tests.helpers import PASSWORD, Client, add_member, login, owner_of_new_account

Lines = Callable[[], list[dict[str, Any]]]


@pytest.fixture
def log_lines() -> Iterator[Lines]:
    """The JSON lines the functions' logger writes during the test (its stream, which Lambda sends to
    the function's log group, redirected here)."""
    stream = io.StringIO()
    handler: Any = logger.registered_handler
    previous = handler.setStream(stream)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines() if line.startswith("{")]
    handler.setStream(previous)


@pytest.fixture
def emf(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Callable[[str], list[dict[str, Any]]]:
    """The EMF records printed meanwhile, of one metric (the local run turns metrics off otherwise)."""
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")

    def records(metric: str) -> list[dict[str, Any]]:
        printed = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith('{"_aws"')]
        return [
            record
            for record in printed
            if any(m["Name"] == metric for d in record["_aws"]["CloudWatchMetrics"] for m in d["Metrics"])
        ]

    return records


def of_function(lines: list[dict[str, Any]], function: str) -> list[dict[str, Any]]:
    return [line for line in lines if line.get("function_name") == function]


def test_a_refused_request_is_logged_once_with_its_code_route_and_caller(client: Client, log_lines: Lines) -> None:
    owner = owner_of_new_account(client)
    reply = owner.client.patch("/me", {"first_name": "Claire\nMartin"})
    assert reply.status == 422

    lines = of_function(log_lines(), "UpdateMeFunction")
    assert lines, "the function logged nothing"
    for line in lines:
        assert line["route"] == "PATCH /me"
        assert line["account_id"] == owner.account_id
        assert line["user_id"] == owner.user_id
        assert line["correlation_id"], "API Gateway's request id"
    assert len({line["correlation_id"] for line in lines}) == 1
    [refusal] = [line for line in lines if line["message"] == "request refused"]
    assert refusal["level"] == "INFO"
    assert refusal["error_code"] == reply.error["code"]
    assert refusal["status"] == 422
    text = json.dumps(log_lines())
    for secret in (owner.email, owner.token, PASSWORD, "Claire"):
        assert secret not in text


def test_a_5xx_is_logged_with_its_traceback(client: Client, emulator: Emulator, log_lines: Lines) -> None:
    boto3.client("dynamodb").delete_table(TableName=settings().table_name)
    try:
        assert client.post("/auth/login", {"email": "claire@cabinet-martin.fr", "password": PASSWORD}).status == 500
    finally:
        emulator.reset_tables()

    [error] = [line for line in of_function(log_lines(), "LoginFunction") if line["level"] == "ERROR"]
    assert "ResourceNotFoundException" in error["exception"]
    assert "Traceback" in error["exception"]
    assert error["route"] == "POST /auth/login"
    assert error["correlation_id"]
    assert PASSWORD not in json.dumps(log_lines())


def test_a_login_publishes_its_outcome(client: Client, emf: Callable[[str], list[dict[str, Any]]]) -> None:
    owner = owner_of_new_account(client)
    emf("Logins")  # what came before
    login(client, owner.email)
    assert client.post("/auth/login", {"email": owner.email, "password": "pas le bon mot de passe"}).status == 401

    records = emf("Logins")
    assert [record["outcome"] for record in records] == ["ok", "wrong_password"]
    for record in records:
        assert record["service"] == os.environ["POWERTOOLS_SERVICE_NAME"]
        [dimensions] = record["_aws"]["CloudWatchMetrics"][0]["Dimensions"]
        assert set(dimensions) == {"service", *METRICS["Logins"]}
        assert record["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "ComptaSecure"
        assert record["Logins"] == [1.0]


def test_disabling_a_user_publishes_it_once(client: Client, emf: Callable[[str], list[dict[str, Any]]]) -> None:
    owner = owner_of_new_account(client)
    member = add_member(client, owner.account_id)
    emf("UsersDisabled")  # what came before
    path = f"/users/{member.user_id}"
    assert owner.client.patch(path, {"active": False}).status == 200
    assert owner.client.patch(path, {"active": False}).status == 200  # already disabled: nothing changes
    assert owner.client.patch(path, {"active": True}).status == 200

    [record] = emf("UsersDisabled")
    assert record["UsersDisabled"] == [1.0]


def test_a_webhook_event_publishes_its_type_and_outcome(
    client: Client, emf: Callable[[str], list[dict[str, Any]]]
) -> None:
    owner = owner_of_new_account(client)
    customer_id = linked_customer(owner)
    emf("StripeWebhookEvents")

    # Newer than the customer.updated localstripe itself sent when the customer was linked.
    newest = stripe_event("customer_updated", customer_id, event_created=int(time.time()) + 60)
    assert deliver(client, newest).status == 200
    [applied] = emf("StripeWebhookEvents")
    assert (applied["event_type"], applied["outcome"]) == ("customer.updated", "applied")

    assert deliver(client, stripe_event("customer_updated", customer_id), header="t=1,v1=forged").status == 400
    [refused] = emf("StripeWebhookSignatureRefused")
    assert refused["_aws"]["CloudWatchMetrics"][0]["Dimensions"] == [["service"]]

"""Helpers for the access-management tests: an account with an owner, invited users who join it."""

import re
import time
from dataclasses import dataclass
from typing import Any

from boto3.dynamodb.conditions import Key

from tests.helpers import PASSWORD, Client, code_in, signup_confirmed, unique_email, wait_for_email


@dataclass
class Member:
    """A user of an account, logged in: its id, email and a client holding its token."""

    id: str
    email: str
    account_id: str
    client: Client


def owner_of_new_account(client: Client) -> Member:
    email, tokens = signup_confirmed(client)
    owner = client.as_user(tokens["access_token"])
    me = owner.get("/me").body
    return Member(me["id"], email, me["account_id"], owner)


def invite(manager: Member, *rows: dict[str, Any]) -> list[dict[str, Any]]:
    reply = manager.client.post("/users", {"users": list(rows)})
    assert reply.status == 207, reply.body
    return list(reply.body["results"])


def invitation_token(email: str, count: int = 1) -> str:
    message = wait_for_email(email, count=count)
    match = re.search(r"invitation\?token=([\w.\-]+)", message["text"])
    assert match, message["text"]
    return match.group(1)


def join(manager: Member, role: str = "member") -> Member:
    """Invite a new user with this role and take them through the whole journey to a login."""
    email = unique_email(role)
    [result] = invite(manager, {"email": email, "first_name": "Léa", "last_name": "Bénard", "role": role})
    assert result["status"] == "invited", result
    client = manager.client
    accepted = client.post("/invitations/accept", {"token": invitation_token(email), "password": PASSWORD}, token="")
    assert accepted.status == 200, accepted.body
    confirmed = client.post("/auth/confirm", {"email": email, "code": code_in(wait_for_email(email, count=2))})
    assert confirmed.status == 200, confirmed.body
    login = client.post("/auth/login", {"email": email, "password": PASSWORD})
    assert login.status == 200, login.body
    return Member(result["user_id"], email, manager.account_id, client.as_user(login.body["access_token"]))


def partition(table: Any, account_id: str, prefix: str = "") -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    condition = Key("PK").eq(f"ACCOUNT#{account_id}")
    query: dict[str, Any] = {
        "KeyConditionExpression": condition & Key("SK").begins_with(prefix) if prefix else condition
    }
    while True:
        response = table.query(**query)
        items.extend(response["Items"])
        if "LastEvaluatedKey" not in response:
            return items
        query["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def audit_actions(table: Any, account_id: str) -> list[str]:
    return [item["action"] for item in partition(table, account_id, "AUDIT#")]


def user_item(table: Any, account_id: str, user_id: str) -> dict[str, Any] | None:
    found: dict[str, Any] | None = table.get_item(Key={"PK": f"ACCOUNT#{account_id}", "SK": f"USER#{user_id}"}).get(
        "Item"
    )
    return found


def wait_until(predicate: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("condition not reached in time")


def upgrade(account_id: str, type_id: str) -> None:
    """What support does (R-ACC-5), through the store: lifts the Freemium limit of 3 users."""
    from comptasecure.store import accounts
    from comptasecure.store.transaction import Transaction

    tx = Transaction()
    accounts.set_type(tx, account_id, type_id)
    tx.commit()

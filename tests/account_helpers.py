"""Helpers for the account, profile and firm-information tests.

Users and invitations are built on another branch, so extra users of an account are created here at
the store level, the way user creation must work: the user, its email and the account's user_count
(under the quota condition) in one transaction.
"""

import uuid
from dataclasses import dataclass
from functools import cache
from typing import Any

from boto3.dynamodb.conditions import Key

from comptasecure import clock
from comptasecure.domain import passwords
from comptasecure.store import keys
from comptasecure.store import users as user_store
from comptasecure.store.transaction import Transaction
from tests.helpers import PASSWORD, Client, signup_confirmed, unique_email

MAX_USERS = 50


@dataclass
class Member:
    email: str
    user_id: str
    account_id: str
    role: str
    tokens: dict[str, Any]

    @property
    def token(self) -> str:
        return str(self.tokens["access_token"])


def owner_of_new_account(client: Client) -> Member:
    email, tokens = signup_confirmed(client)
    me = client.get("/me", token=tokens["access_token"]).body
    return Member(email, me["id"], me["account_id"], "owner", tokens)


@cache
def password_hash() -> str:
    """Hashed once: argon2 is deliberately slow, and races need a user creation as quick as the real one."""
    return passwords.hash_password(PASSWORD)


def create_user(account_id: str, role: str, status: str = "active", email: str | None = None) -> tuple[str, str]:
    """Put a user on the account as user creation does; (user_id, email)."""
    user_id, email = uuid.uuid4().hex, email or unique_email(role)
    tx = Transaction()
    user_store.put_new(
        tx,
        {
            "id": user_id,
            "account_id": account_id,
            "email": email,
            "first_name": "Paul",
            "last_name": "Martin",
            "role": role,
            "status": status,
            "password_hash": password_hash(),
            "created_at": clock.iso(clock.now()),
        },
    )
    tx.update(
        keys.key(keys.account_pk(account_id), keys.ACCOUNT_META),
        "ADD user_count :one",
        condition="attribute_exists(PK) AND user_count < :max",
        values={":one": 1, ":max": MAX_USERS},
    )
    tx.commit()
    return user_id, email


def add_member(client: Client, account_id: str, role: str) -> Member:
    """An active user with this role on the account, logged in."""
    user_id, email = create_user(account_id, role)
    login = client.post("/auth/login", {"email": email, "password": PASSWORD})
    assert login.status == 200, login.body
    return Member(email, user_id, account_id, role, login.body)


def login(client: Client, email: str, password: str = PASSWORD) -> dict[str, Any]:
    reply = client.post("/auth/login", {"email": email, "password": password})
    assert reply.status == 200, reply.body
    return dict(reply.body)


def partition(table: Any, account_id: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    query: dict[str, Any] = {"KeyConditionExpression": Key("PK").eq(keys.account_pk(account_id))}
    while True:
        response = table.query(**query)
        items.extend(response["Items"])
        if "LastEvaluatedKey" not in response:
            return items
        query["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def audit_events(table: Any, account_id: str, action: str) -> list[dict[str, Any]]:
    return [
        item for item in partition(table, account_id) if item["SK"].startswith("AUDIT#") and item["action"] == action
    ]


def wait_for_purge(table: Any, account_id: str, timeout: float = 60.0) -> None:
    """The account purge runs asynchronously after DELETE /account: wait until the partition is empty."""
    import time

    deadline = time.monotonic() + timeout
    while partition(table, account_id):
        assert time.monotonic() < deadline, f"account {account_id} still has items after {timeout}s"
        time.sleep(0.1)

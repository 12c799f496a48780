"""Test helpers: an HTTP-shaped client over the local API, and the journeys many tests start with."""

import json
import re
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from local import emails
from local.server import LocalApi

PASSWORD = "Cabinet-Dupont 2026 !"


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    raw: bytes

    @property
    def body(self) -> Any:
        return json.loads(self.raw) if self.raw else None

    @property
    def error(self) -> dict[str, Any]:
        return dict(self.body["error"])


@dataclass
class Client:
    """Calls routes as API Gateway would (event, authorizer, handler), in this process."""

    api: LocalApi
    token: str | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        raw: bytes | None = None,
        content_type: str = "application/json",
        token: str | None = None,
    ) -> Reply:
        headers = {"content-type": content_type, **self.headers}
        bearer = token if token is not None else self.token
        if bearer:
            headers["authorization"] = f"Bearer {bearer}"
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else b"")
        status, out_headers, payload = self.api.handle(method, path, headers, data)
        return Reply(status, out_headers, payload)

    def get(self, path: str, **kwargs: Any) -> Reply:
        return self.call("GET", path, **kwargs)

    def post(self, path: str, body: Any = None, **kwargs: Any) -> Reply:
        return self.call("POST", path, body, **kwargs)

    def patch(self, path: str, body: Any = None, **kwargs: Any) -> Reply:
        return self.call("PATCH", path, body, **kwargs)

    def put(self, path: str, body: Any = None, **kwargs: Any) -> Reply:
        return self.call("PUT", path, body, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Reply:
        return self.call("DELETE", path, **kwargs)

    def as_user(self, token: str) -> "Client":
        return Client(self.api, token)


def unique_email(prefix: str = "user") -> str:
    return f"{prefix}.{uuid.uuid4().hex[:10]}@cabinet-test.fr"


def wait_for_email(to: str, *, count: int = 1, timeout: float = 10.0) -> dict[str, Any]:
    """The count-th email sent to this address (they arrive through the workflow, asynchronously)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sent = emails.sent(to)
        if len(sent) >= count:
            return sent[count - 1]
        time.sleep(0.05)
    raise AssertionError(f"no email #{count} to {to} within {timeout}s (got {len(emails.sent(to))})")


def code_in(email: dict[str, Any]) -> str:
    match = re.search(r"\b(\d{6})\b", email["text"])
    assert match, email["text"]
    return match.group(1)


def signup(client: Client, email: str | None = None, **overrides: Any) -> tuple[str, Reply]:
    email = email or unique_email("owner")
    body = {
        "email": email,
        "password": PASSWORD,
        "first_name": "Claire",
        "last_name": "Dupont",
        "company_name": "Cabinet Dupont",
        **overrides,
    }
    return email, client.post("/auth/signup", body)


def signup_confirmed(client: Client) -> tuple[str, dict[str, Any]]:
    """A confirmed owner, logged in: (email, login body)."""
    email, reply = signup(client)
    assert reply.status == 201, reply.body
    confirmed = client.post("/auth/confirm", {"email": email, "code": code_in(wait_for_email(email))})
    assert confirmed.status == 200, confirmed.body
    login = client.post("/auth/login", {"email": email, "password": PASSWORD})
    assert login.status == 200, login.body
    return email, login.body


def add_user(account_id: str, role: str = "member", status: str = "active") -> tuple[str, str]:
    """A second user on an account, written through the store as the users routes will: (id, email).

    For tests of routes that need several roles before the invitation routes exist.
    """
    from comptasecure.domain import passwords
    from comptasecure.store import keys
    from comptasecure.store import users as user_store
    from comptasecure.store.transaction import Transaction

    user_id, email = uuid.uuid4().hex, unique_email(role)
    tx = Transaction()
    tx.update(keys.key(keys.account_pk(account_id), keys.ACCOUNT_META), "ADD user_count :one", values={":one": 1})
    user_store.put_new(
        tx,
        {
            "id": user_id,
            "account_id": account_id,
            "email": email,
            "first_name": role.title(),
            "last_name": "Test",
            "role": role,
            "status": status,
            "groups": {},
            "password_hash": passwords.hash_password(PASSWORD),
        },
    )
    tx.commit()
    return user_id, email


def login(client: Client, email: str) -> str:
    reply = client.post("/auth/login", {"email": email, "password": PASSWORD})
    assert reply.status == 200, reply.body
    return str(reply.body["access_token"])


def set_account_type(account_id: str, type_id: str) -> None:
    """What support does through its operation; here straight through the store."""
    from comptasecure.store import accounts as account_store
    from comptasecure.store.transaction import Transaction

    tx = Transaction()
    account_store.set_type(tx, account_id, type_id)
    tx.commit()


class CallCounter:
    """Counts the DynamoDB API calls our code makes (botocore's own event hooks, no mock).

    With ``function``, only the calls that function's code makes (its threads included, as IAM sees
    them): an asynchronous worker it started runs beside it and is not counted.
    """

    def __init__(self, function: str | None = None) -> None:
        from collections import Counter

        from comptasecure import aws

        self.calls: Counter[str] = Counter()
        self.function = function
        self._events = aws.dynamodb_client().meta.events

    def _count(self, model: Any, **_: Any) -> None:
        from local import iam

        if self.function is None or iam.current_function() == self.function:
            self.calls[model.name] += 1

    def __enter__(self) -> "CallCounter":
        self._events.register("before-call.dynamodb", self._count)
        return self

    def __exit__(self, *_: object) -> None:
        self._events.unregister("before-call.dynamodb", self._count)

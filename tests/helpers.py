"""The tests' helpers: a client over the local API, the journeys tests start with, the people of an
account (one Member, made by owner_of_new_account or add_member), and reads of what was written.

Store-level arranging lives in tests/seed.py alone."""

import functools
import json
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

import boto3
from boto3.dynamodb.conditions import Key

from comptasecure.settings import settings
from comptasecure.store import keys
from local import emails
from local.server import LocalApi
from tests import seed

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
        idempotency_key: str | None = None,
    ) -> Reply:
        headers = {"content-type": content_type, **self.headers}
        if idempotency_key is not None:
            headers["idempotency-key"] = idempotency_key
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


def eventually[T](predicate: Callable[[], T | None], what: str, *, timeout: float = 120.0) -> T:
    """The predicate's first truthy value, polled: for what the back end does asynchronously
    (the workflow's emails, a purge, an export). The timeout only bounds a failure; a pass never waits for it."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"{what}: not within {timeout}s")
        time.sleep(0.02)


class FunctionDied(BaseException):
    """A Lambda function's process ended right after a call (a crash, a timeout): nothing of ours catches it."""


@functools.cache
def keep_deaths_quiet() -> None:
    """Once per process: a thread ending on ``FunctionDied`` is a function dying as the test meant, not an
    error of the thread to report (pytest would warn of each; the fault matrix's CLI would print each)."""
    previous = threading.excepthook

    def excepthook(args: threading.ExceptHookArgs) -> None:
        if not isinstance(args.exc_value, FunctionDied):
            previous(args)

    threading.excepthook = excepthook


@contextmanager
def with_faults(
    function: str,
    call: str,
    *,
    mode: Literal["fail", "die"],
    times: int = 1,
    recipient: str | None = None,
) -> Iterator[list[str]]:
    """``call`` (``"<service>.<Operation>"``) made by ``function`` fails as a throttled AWS call does
    (``fail``: botocore's retries spent), or succeeds and then the function dies (``die``), ``times``
    times at most (``recipient``: only an email to that address). Through botocore's own event hooks
    on the client the code uses; yields the faults injected."""
    from botocore.exceptions import ClientError

    from comptasecure import aws
    from local import iam

    service, operation = call.split(".")
    client = {"dynamodb": aws.dynamodb_client, "ses": aws.sesv2, "states": aws.sfn}[service]()
    # botocore names its events after the service's id ("sesv2", "sfn"), not its endpoint prefix
    events = f"{client.meta.service_model.service_id.hyphenize()}.{operation}"
    injected: list[str] = []

    def concerned(request: dict[str, Any]) -> bool:
        # ``request``: the serialized request botocore hands its before-call hooks (the body holds the
        # recipient of an email)
        if iam.current_function() != function or len(injected) >= times:
            return False
        return recipient is None or recipient in str(request.get("body", ""))

    def fail(params: dict[str, Any], **_: Any) -> None:
        if concerned(params):
            injected.append(call)
            raise ClientError({"Error": {"Code": "ThrottlingException", "Message": "injected"}}, operation)

    def die(params: dict[str, Any], **_: Any) -> None:
        if concerned(params):
            injected.append(call)
            raise FunctionDied(call)

    hooks: list[tuple[str, Callable[..., None]]] = []
    if mode == "fail":
        hooks.append((f"before-call.{events}", fail))
    else:
        # after-call gets no params: the request's parameters are kept by a before-call hook
        pending: dict[int, dict[str, Any]] = {}

        def remember(params: dict[str, Any], **_: Any) -> None:
            pending[threading.get_ident()] = params

        def die_after(**_: Any) -> None:
            die(pending.pop(threading.get_ident(), {}))

        hooks += [(f"before-call.{events}", remember), (f"after-call.{events}", die_after)]
    for event, hook in hooks:
        client.meta.events.register(event, hook)
    try:
        yield injected
    finally:
        for event, hook in hooks:
            client.meta.events.unregister(event, hook)


@contextmanager
def invocations_of(function: str) -> Iterator[list[str]]:
    """The invocations of ``function`` (by the local API, a workflow, a stream) made within the block."""
    from local import iam

    seen: list[str] = []
    record = iam.record_invocation

    def recording(logical_id: str) -> None:
        if logical_id == function:
            seen.append(logical_id)
        record(logical_id)

    iam.record_invocation = recording  # type: ignore[assignment]
    try:
        yield seen
    finally:
        iam.record_invocation = record  # type: ignore[assignment]


def follow_ups_done(client: "Client", *, timeout: float = 120.0) -> None:
    """Every follow-up owed so far carried out: the stream's outbox items delivered by the local event
    source mapping (what a change owes runs after its answer, as on AWS)."""
    streams = client.api.emulator.streams
    assert streams is not None
    eventually(streams.idle, "the follow-ups owed so far", timeout=timeout)


def wait_for_email(to: str, *, count: int = 1, timeout: float = 120.0) -> dict[str, Any]:
    """The count-th email sent to this address (they arrive through the workflow, asynchronously)."""

    def nth() -> dict[str, Any] | None:
        sent = emails.sent(to)
        return sent[count - 1] if len(sent) >= count else None

    return eventually(nth, f"email #{count} to {to}", timeout=timeout)


def code_in(email: dict[str, Any]) -> str:
    match = re.search(r"\b(\d{6})\b", email["text"])
    assert match, email["text"]
    return match.group(1)


def invitation_token(email: str, count: int = 1) -> str:
    message = wait_for_email(email, count=count)
    match = re.search(r"invitation\?token=([\w.\-]+)", message["text"])
    assert match, message["text"]
    return match.group(1)


# ---------------------------------------------------------------- journeys over HTTP
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
    return email, login(client, email)


def login(client: Client, email: str, password: str = PASSWORD) -> dict[str, Any]:
    """The login's body: its tokens (or the MFA step, for a user with MFA on)."""
    reply = client.post("/auth/login", {"email": email, "password": password}, token="")
    assert reply.status == 200, reply.body
    return dict(reply.body)


def invite(manager: "Member", *rows: dict[str, Any]) -> list[dict[str, Any]]:
    reply = manager.client.post("/users", {"users": list(rows)})
    assert reply.status == 207, reply.body
    return list(reply.body["results"])


def join(manager: "Member", role: str = "member") -> "Member":
    """Invite a new user with this role and take them through the whole journey to a login."""
    email = unique_email(role)
    [result] = invite(manager, {"email": email, "first_name": "Léa", "last_name": "Bénard", "role": role})
    assert result["status"] == "invited", result
    client = manager.client
    accepted = client.post("/invitations/accept", {"token": invitation_token(email), "password": PASSWORD}, token="")
    assert accepted.status == 200, accepted.body
    confirmed = client.post("/auth/confirm", {"email": email, "code": code_in(wait_for_email(email, count=2))})
    assert confirmed.status == 200, confirmed.body
    return Member.logged_in(client, result["user_id"], email, manager.account_id, role)


# ---------------------------------------------------------------- the identity workflow
def executions_of(user_id: str) -> list[dict[str, Any]]:
    """The identity workflow's executions for this user (signup, invitation, password change…)."""
    sfn = boto3.client("stepfunctions")
    found = sfn.list_executions(stateMachineArn=settings().state_machine_arn)["executions"]
    return [execution for execution in found if user_id in execution["name"]]


def wait_until_ended(execution_arn: str, timeout: float = 120.0) -> dict[str, Any]:
    sfn = boto3.client("stepfunctions")

    def ended() -> dict[str, Any] | None:
        described = sfn.describe_execution(executionArn=execution_arn)
        return dict(described) if described["status"] != "RUNNING" else None

    return eventually(ended, f"the end of execution {execution_arn}", timeout=timeout)


# ---------------------------------------------------------------- the people of an account
@dataclass
class Member:
    """A user of an account: its ids and email, and once logged in, its tokens and a client holding them."""

    user_id: str
    email: str
    account_id: str
    role: str
    tokens: dict[str, Any]
    client: Client

    @property
    def token(self) -> str:
        return str(self.tokens["access_token"])

    @classmethod
    def logged_in(cls, client: Client, user_id: str, email: str, account_id: str, role: str) -> "Member":
        tokens = login(client, email)
        return cls(user_id, email, account_id, role, tokens, client.as_user(tokens["access_token"]))


def owner_of_new_account(client: Client) -> Member:
    """The owner of a new Freemium account, seeded as a confirmed signup leaves it, then logged in.

    Ten times quicker than the journey; tests of the signup itself use ``owner_by_signup``.
    """
    email = unique_email("owner")
    account_id, owner_id = seed.account_with_owner(email=email, password=PASSWORD)
    return Member.logged_in(client, owner_id, email, account_id, "owner")


def owner_by_signup(client: Client) -> Member:
    """The owner of a new account, through the signup journey (signup, emailed code, login)."""
    email, tokens = signup_confirmed(client)
    me = client.get("/me", token=tokens["access_token"]).body
    return Member(me["id"], email, me["account_id"], "owner", tokens, client.as_user(tokens["access_token"]))


def add_member(
    client: Client, account_id: str, role: str = "member", status: str = "active", *, email: str | None = None
) -> Member:
    """A user with this role and status on the account, seeded through the store; logged in when active."""
    email = email or unique_email(role)
    user_id = seed.user(account_id, email=email, role=role, status=status, password=PASSWORD)
    if status != "active":
        return Member(user_id, email, account_id, role, {}, Client(client.api))
    return Member.logged_in(client, user_id, email, account_id, role)


# ---------------------------------------------------------------- what was written (test-only reads)
def partition(table: Any, account_id: str, prefix: str = "") -> list[dict[str, Any]]:
    """Every item of the account's partition (those whose sort key starts with prefix)."""
    condition = Key("PK").eq(keys.account_pk(account_id))
    if prefix:
        condition = condition & Key("SK").begins_with(prefix)
    items: list[dict[str, Any]] = []
    query: dict[str, Any] = {"KeyConditionExpression": condition}
    while True:
        response = table.query(**query)
        items.extend(response["Items"])
        if "LastEvaluatedKey" not in response:
            return items
        query["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def wait_for_purge(table: Any, account_id: str) -> None:
    """The account purge runs asynchronously after DELETE /account: wait until the partition is empty."""
    eventually(lambda: not partition(table, account_id), f"the purge of account {account_id}", timeout=300)


def audit_events(table: Any, account_id: str, action: str) -> list[dict[str, Any]]:
    return [item for item in partition(table, account_id, "AUDIT#") if item["action"] == action]


def audit_actions(table: Any, account_id: str) -> list[str]:
    return [item["action"] for item in partition(table, account_id, "AUDIT#")]


def account_item(table: Any, account_id: str) -> dict[str, Any]:
    item: dict[str, Any] = table.get_item(Key=keys.key(keys.account_pk(account_id), keys.ACCOUNT_META))["Item"]
    return item


def user_item(table: Any, account_id: str, user_id: str) -> dict[str, Any] | None:
    found: dict[str, Any] | None = table.get_item(Key=keys.key(keys.account_pk(account_id), keys.user_sk(user_id))).get(
        "Item"
    )
    return found


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


@contextmanager
def failing_once(operation: str, function: str) -> Iterator[list[str]]:
    """The first DynamoDB ``operation`` (e.g. "TransactWriteItems") that ``function`` makes fails, as
    an outage of DynamoDB would answer it (InternalServerError), injected through botocore's own event
    hooks: the call is never sent. Yields the operations that failed (one at most)."""
    from botocore.exceptions import ClientError

    from comptasecure import aws
    from local import iam

    failed: list[str] = []

    def fail(**_: Any) -> None:
        if not failed and iam.current_function() == function:
            failed.append(operation)
            raise ClientError({"Error": {"Code": "InternalServerError", "Message": "injected"}}, operation)

    events = aws.dynamodb_client().meta.events
    events.register(f"before-call.dynamodb.{operation}", fail)
    try:
        yield failed
    finally:
        events.unregister(f"before-call.dynamodb.{operation}", fail)

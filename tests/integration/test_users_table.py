"""GET /users: the table with its limits, one Query per page, opaque cursors confined to the account."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from comptasecure import aws
from comptasecure.http import pagination
from tests import seed
from tests.helpers import Client, invite, owner_of_new_account, unique_email


@contextmanager
def dynamodb_calls() -> Iterator[list[str]]:
    """Every DynamoDB operation our code sends while the block runs, seen by a botocore event hook."""
    seen: list[str] = []

    def record(model: Any, **_: Any) -> None:
        seen.append(model.name)

    events = aws.table().meta.client.meta.events
    events.register("before-call.dynamodb", record)
    try:
        yield seen
    finally:
        events.unregister("before-call.dynamodb", record)


def test_pages_follow_the_cursor_with_one_query_each(client: Client) -> None:
    owner = owner_of_new_account(client)
    seed.account_type(owner.account_id, "premium")
    invite(owner, *({"email": unique_email("page")} for _ in range(6)))
    seen_ids: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        path = "/users?limit=3" + (f"&cursor={cursor}" if cursor else "")
        with dynamodb_calls() as calls:
            reply = owner.client.get(path)
        assert reply.status == 200, reply.body
        assert calls.count("Query") == 1 and "Scan" not in calls, calls
        assert reply.body["limits"] == {"max_users": 10, "used": 7}
        assert len(reply.body["items"]) <= 3
        seen_ids.extend(row["id"] for row in reply.body["items"])
        pages += 1
        cursor = reply.body["next_cursor"]
        if cursor is None:
            break
    assert pages == 3
    assert len(seen_ids) == len(set(seen_ids)) == 7
    assert owner.user_id in seen_ids
    whole = owner.client.get("/users").body
    assert len(whole["items"]) == 7 and whole["next_cursor"] is None


def test_bad_limits_and_cursors_name_the_field(client: Client) -> None:
    owner = owner_of_new_account(client)
    other = owner_of_new_account(client)
    foreign = pagination.encode({"PK": f"ACCOUNT#{other.account_id}", "SK": f"USER#{other.user_id}"}, other.account_id)
    cases = [
        ("/users?limit=0", 422, "limit"),
        ("/users?limit=101", 422, "limit"),
        ("/users?limit=beaucoup", 400, "limit"),
        ("/users?cursor=%%%", 422, "cursor"),
        ("/users?cursor=bm90LWpzb24", 422, "cursor"),
        (f"/users?cursor={foreign}", 422, "cursor"),
    ]
    for path, status, field in cases:
        reply = owner.client.get(path)
        assert (reply.status, reply.error.get("field")) == (status, field), (path, reply.body)
    assert owner.client.get("/users?limit=100").status == 200

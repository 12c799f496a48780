"""POST /users: each row validated and reported on its own; the account type's limit holds, also concurrently."""

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from comptasecure.domain import users
from comptasecure.domain.user_rows import NewUser
from tests.helpers import Client, audit_actions, invite, owner_of_new_account, partition, unique_email

# Freemium (the signup type) allows 3 users: the owner and two more.
FREEMIUM_MAX_USERS = 3


def test_each_row_is_validated_and_reported_on_its_own(client: Client, table: Any) -> None:
    owner = owner_of_new_account(client)
    elsewhere = owner_of_new_account(client)
    good = unique_email("good")
    results = invite(
        owner,
        {"email": "pas-une-adresse"},
        {"email": good.upper(), "first_name": "Zoé", "role": "admin"},
        {"email": good},
        {"email": elsewhere.email},
        {"email": unique_email("boss"), "role": "owner"},
        {"email": unique_email("chef"), "role": "chef"},
        {"email": unique_email("long"), "last_name": "x" * 101},
        {"email": unique_email("grouped"), "group_ids": ["g-inconnu"]},
    )
    statuses = [(result["status"], (result.get("error") or {}).get("code")) for result in results]
    assert statuses == [
        ("error", "invalid_email"),
        ("invited", None),
        ("error", "duplicate"),
        ("error", "email_taken"),
        ("error", "role_not_allowed"),
        ("error", "invalid_role"),
        ("error", "invalid_last_name"),
        ("error", "group_not_found"),
    ]
    assert results[1]["email"] == good
    assert [result.get("error", {}).get("field") for result in results[2:]] == [
        "email",
        "email",
        "role",
        "role",
        "last_name",
        "group_ids",
    ]
    assert len(partition(table, owner.account_id, "USER#")) == 2
    assert audit_actions(table, owner.account_id).count("user.invited") == 1
    listed = owner.client.get("/users").body
    assert listed["limits"] == {"max_users": FREEMIUM_MAX_USERS, "used": 2}
    row = next(item for item in listed["items"] if item["email"] == good)
    assert row == {
        "id": results[1]["user_id"],
        "email": good,
        "first_name": "Zoé",
        "last_name": None,
        "role": "admin",
        "groups": [],
        "status": "invited",
        "mfa_enabled": False,
        "passkey_count": 0,
        "email_delivery": "ok",
        "source": "invitation",
    }


def test_the_limit_holds_for_a_batch(client: Client, table: Any) -> None:
    owner = owner_of_new_account(client)
    results = invite(owner, *({"email": unique_email("batch")} for _ in range(4)))
    assert [result["status"] for result in results] == ["invited", "invited", "error", "error"]
    assert {result["error"]["code"] for result in results[2:]} == {"quota_exceeded"}
    assert len(partition(table, owner.account_id, "USER#")) == FREEMIUM_MAX_USERS
    over = owner.client.post("/users", {"users": [{"email": unique_email("more")}]})
    assert over.body["results"][0]["error"]["code"] == "quota_exceeded"


def test_concurrent_invitations_never_exceed_the_limit(client: Client, table: Any) -> None:
    """Ten requests at once, each in its own thread as concurrent Lambdas would run."""
    owner = owner_of_new_account(client)

    def invite_one(index: int) -> str:
        [result] = users.invite(owner.account_id, owner.user_id, [NewUser(email=unique_email(f"rush{index}"))])
        return result.status if result.error is None else result.error.code

    with ThreadPoolExecutor(max_workers=10) as pool:
        outcomes = list(pool.map(invite_one, range(10)))
    assert sorted(outcomes) == ["invited"] * 2 + ["quota_exceeded"] * 8
    account = table.get_item(Key={"PK": f"ACCOUNT#{owner.account_id}", "SK": "META"})["Item"]
    assert int(account["user_count"]) == FREEMIUM_MAX_USERS
    assert len(partition(table, owner.account_id, "USER#")) == FREEMIUM_MAX_USERS


def test_concurrent_requests_over_the_api_never_exceed_the_limit(client: Client, table: Any) -> None:
    owner = owner_of_new_account(client)
    batches = [[{"email": unique_email(f"api{i}")}, {"email": unique_email(f"api{i}")}] for i in range(6)]
    with ThreadPoolExecutor(max_workers=6) as pool:
        replies = list(pool.map(lambda rows: owner.client.post("/users", {"users": rows}), batches))
    assert {reply.status for reply in replies} == {207}
    stored = partition(table, owner.account_id, "USER#")
    account = table.get_item(Key={"PK": f"ACCOUNT#{owner.account_id}", "SK": "META"})["Item"]
    assert len(stored) <= FREEMIUM_MAX_USERS
    assert int(account["user_count"]) == len(stored)


def test_bad_requests_name_the_field_and_write_nothing(client: Client, table: Any) -> None:
    owner = owner_of_new_account(client)
    before = partition(table, owner.account_id)
    cases = [
        ({"users": []}, 422, "users"),
        ({"users": [{"email": unique_email(), "age": 3}]}, 422, "users.0.age"),
        ({"users": [{"first_name": "Jean"}]}, 422, "users.0.email"),
        ({"users": "a@b.fr"}, 400, "users"),
        ({"users": [{"email": unique_email(), "group_ids": "g1"}]}, 400, "users.0.group_ids"),
        ({"utilisateurs": []}, 422, "utilisateurs"),  # the misspelling is named, not the missing "users"
    ]
    for body, status, field in cases:
        reply = owner.client.post("/users", body)
        assert (reply.status, reply.error.get("field")) == (status, field), (body, reply.body)
    assert owner.client.call("POST", "/users", raw=b"{not json").status == 400
    not_utf8 = owner.client.call("POST", "/users", raw='{"users": [{"email": "é@x.fr"}]}'.encode("cp1252"))
    assert (not_utf8.status, not_utf8.error["code"]) == (400, "invalid_json")
    assert partition(table, owner.account_id) == before


def test_control_characters_in_a_row_are_refused_on_that_row(client: Client, table: Any) -> None:
    owner = owner_of_new_account(client)
    results = invite(
        owner,
        {"email": unique_email("nul"), "first_name": "Jean\x00"},
        {"email": unique_email("crlf"), "last_name": "Dupont\r\nBcc: pirate@exemple.fr"},
        {"email": unique_email("ok"), "first_name": "Jean-Luc"},
    )
    assert [(r["status"], (r.get("error") or {}).get("field")) for r in results] == [
        ("error", "first_name"),
        ("error", "last_name"),
        ("invited", None),
    ]
    assert len(partition(table, owner.account_id, "USER#")) == 2


def test_a_batch_costs_a_transaction_per_32_rows_and_the_workflow_reads_nothing(client: Client, table: Any) -> None:
    """70 rows: one read of the inviter and the account, three transactions (32 + 32 + 6 rows, each
    owing its rows' workflow starts), which the dispatcher then makes; each invitation task writes its
    link and sends its email, reading nothing."""
    from comptasecure import aws
    from local import iam
    from tests import seed
    from tests.helpers import wait_for_email

    owner = owner_of_new_account(client)
    seed.account_type(owner.account_id, "entreprise")
    calls: Counter[tuple[str | None, str]] = Counter()

    def count(model: Any, params: Any, **_: Any) -> None:
        # Each call is the function's whose code makes it (its threads included), as IAM sees it; only
        # this account's (the module's earlier invitations may still be sending theirs).
        if model.name not in ("TransactWriteItems", "GetItem", "DeleteItem") or owner.account_id in str(params):
            calls[(iam.current_function(), model.name)] += 1

    events = [aws.dynamodb_client().meta.events, aws.sfn().meta.events]
    for emitter in events:
        emitter.register("before-call", count)
    try:
        rows = [{"email": unique_email(f"b{i}"), "first_name": f"Prénom{i}"} for i in range(70)]
        results = invite(owner, *rows)
        for row in rows:
            wait_for_email(row["email"])
    finally:
        for emitter in events:
            emitter.unregister("before-call", count)
    assert [result["status"] for result in results] == ["invited"] * 70
    # The authorizer's one read.
    assert {name: n for (function, name), n in calls.items() if function == "AuthorizerFunction"} == {"BatchGetItem": 1}
    # The inviter with the account in one read, a transaction per 32 rows (each with its outbox item).
    assert {name: n for (function, name), n in calls.items() if function == "InviteUsersFunction"} == {
        "BatchGetItem": 1,
        "TransactWriteItems": 3,
    }
    # Each batch's outbox item read, its starts made (10 threads), the item deleted.
    assert {name: n for (function, name), n in calls.items() if function == "FollowUpDispatcherFunction"} == {
        "GetItem": 3,
        "StartExecution": 70,
        "DeleteItem": 3,
    }
    # Each task's one transaction: no GetItem of the user or the account.
    assert {name: n for (function, name), n in calls.items() if function == "SendInvitationFunction"} == {
        "TransactWriteItems": 70
    }
    assert "Prénom7" in wait_for_email(rows[7]["email"])["text"]

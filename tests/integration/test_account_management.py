"""GET/PATCH/DELETE /account and ownership transfer (SPEC R-ACC-1/2/4, R-ROLE), from the outside."""

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from comptasecure.settings import settings
from comptasecure.store import keys
from tests.helpers import (
    PASSWORD,
    Client,
    Member,
    add_member,
    audit_events,
    owner_by_signup,
    owner_of_new_account,
    partition,
    signup,
    wait_for_email,
    wait_for_purge,
    wait_until_ended,
)


@pytest.mark.parametrize("role", ["owner", "admin", "member"])
def test_every_role_reads_the_account(client: Client, team: dict[str, Member], role: str) -> None:
    reply = client.get("/account", token=team[role].token)
    assert reply.status == 200
    assert reply.body["id"] == team["owner"].account_id
    assert reply.body["usage"]["users"] == 3
    assert reply.body["can_delete"] is False


@pytest.mark.parametrize(("role", "status"), [("owner", 200), ("admin", 403), ("member", 403)])
def test_only_the_owner_renames_the_account(
    client: Client, table: Any, team: dict[str, Member], role: str, status: int
) -> None:
    reply = client.patch("/account", {"name": "Cabinet Dupont & Associés"}, token=team[role].token)
    assert reply.status == status, reply.body
    account_id = team["owner"].account_id
    name = client.get("/account", token=team["owner"].token).body["name"]
    renamed = audit_events(table, account_id, "account.renamed")
    if status == 200:
        assert reply.body["name"] == name == "Cabinet Dupont & Associés"
        [event] = renamed
        assert event["actor_id"] == team["owner"].user_id
        assert event["details"]["name"] == {"before": "Cabinet Dupont", "after": "Cabinet Dupont & Associés"}
    else:
        assert reply.error["code"] == "forbidden"
        assert name == "Cabinet Dupont"
        assert renamed == []


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"name": "x" * 201}, "name", "invalid_name"),
        ({"name": "   "}, "name", "invalid_name"),
        ({"name": "Nouveau", "type_id": "premium"}, "type_id", "unknown_field"),
    ],
)
def test_invalid_rename_names_the_field_and_writes_nothing(
    client: Client, table: Any, body: dict[str, Any], field: str, code: str
) -> None:
    owner = owner_of_new_account(client)
    reply = client.patch("/account", body, token=owner.token)
    assert reply.status == 422, reply.body
    assert (reply.error["field"], reply.error["code"]) == (field, code)
    account = client.get("/account", token=owner.token).body
    assert (account["name"], account["type"]["id"]) == ("Cabinet Dupont", "freemium")
    assert audit_events(table, owner.account_id, "account.renamed") == []


def test_renaming_and_requiring_mfa_at_once_is_one_change(client: Client, table: Any) -> None:
    """Issue 20 item 5: both fields in one PATCH wrote the account item twice in one transaction (500)."""
    owner = owner_of_new_account(client)
    reply = client.patch("/account", {"name": "Cabinet Dupont & Associés", "require_mfa": True}, token=owner.token)
    assert reply.status == 200, reply.body
    assert (reply.body["name"], reply.body["require_mfa"]) == ("Cabinet Dupont & Associés", True)
    account = client.get("/account", token=owner.token).body
    assert (account["name"], account["require_mfa"]) == ("Cabinet Dupont & Associés", True)
    [renamed] = audit_events(table, owner.account_id, "account.renamed")
    assert renamed["details"]["name"] == {"before": "Cabinet Dupont", "after": "Cabinet Dupont & Associés"}
    [required] = audit_events(table, owner.account_id, "account.mfa_requirement_changed")
    assert required["details"]["require_mfa"] == {"before": False, "after": True}
    # A field sent with its current value is no change: only the other one is written and audited.
    again = client.patch("/account", {"name": "Cabinet Dupont & Associés", "require_mfa": False}, token=owner.token)
    assert (again.status, again.body["require_mfa"]) == (200, False)
    assert len(audit_events(table, owner.account_id, "account.renamed")) == 1
    assert len(audit_events(table, owner.account_id, "account.mfa_requirement_changed")) == 2


def test_an_unauthenticated_call_is_401(client: Client) -> None:
    assert client.patch("/account", {"name": "X"}).status == 401
    assert client.delete("/account").status == 401


# ------------------------------------------------------------------ deletion


def test_owner_alone_deletes_the_account_and_nothing_stays(client: Client, table: Any) -> None:
    owner = owner_of_new_account(client)
    assert client.get("/account", token=owner.token).body["can_delete"] is True
    client.patch("/cabinet", {"fields": {"city": "Lyon"}}, token=owner.token)
    client.patch("/analyses/an-" + owner.user_id + "/crm", {"fields": {"city": "Lyon"}}, token=owner.token)
    assert partition(table, owner.account_id)

    reply = client.delete("/account", token=owner.token)
    assert reply.status == 204, reply.body
    wait_for_purge(table, owner.account_id)
    assert table.get_item(Key=keys.key(keys.email_pk(owner.email), keys.EMAIL_SK)).get("Item") is None
    assert table.get_item(Key=keys.key(keys.analysis_pk("an-" + owner.user_id), keys.ANALYSIS_SK)).get("Item") is None
    # Its tokens are dead, its login is gone, and its email can sign up again.
    assert client.get("/account", token=owner.token).status == 401
    assert client.post("/auth/refresh", {"refresh_token": owner.tokens["refresh_token"]}).status == 401
    assert client.post("/auth/login", {"email": owner.email, "password": PASSWORD}).status == 401
    _, again = signup(client, owner.email)
    assert again.status == 201, again.body


@pytest.mark.parametrize("status", ["active", "invited", "pending_confirmation"])
def test_deletion_is_refused_while_another_user_exists(client: Client, table: Any, status: str) -> None:
    owner = owner_of_new_account(client)
    add_member(client, owner.account_id, "member", status)
    assert client.get("/account", token=owner.token).body["can_delete"] is False
    reply = client.delete("/account", token=owner.token)
    assert reply.status == 409
    assert reply.error["code"] == "account_not_empty"
    assert client.get("/account", token=owner.token).status == 200
    assert len([item for item in partition(table, owner.account_id) if item["SK"].startswith("USER#")]) == 2


@pytest.mark.parametrize("role", ["admin", "member"])
def test_only_the_owner_deletes_the_account(client: Client, team: dict[str, Member], role: str) -> None:
    reply = client.delete("/account", token=team[role].token)
    assert reply.status == 403
    assert client.get("/account", token=team["owner"].token).status == 200


def race_deletion_against_a_new_user(client: Client, owner: Member) -> tuple[bool, bool]:
    """Delete the account while a user is being added to it; (deleted, added)."""

    start = threading.Barrier(2)

    def delete() -> int:
        start.wait()
        return client.delete("/account", token=owner.token).status

    def add() -> bool:
        start.wait()
        try:
            add_member(client, owner.account_id, "member", "invited")
        except ClientError as error:  # the account item is gone: the whole creation is cancelled
            assert error.response["Error"]["Code"] == "TransactionCanceledException"
            return False
        return True

    with ThreadPoolExecutor(max_workers=2) as pool:
        deleting = pool.submit(delete)
        adding = pool.submit(add)
        return deleting.result() == 204, adding.result()


def test_concurrent_user_creation_and_deletion_never_leave_a_deleted_account_with_a_user(
    client: Client, table: Any
) -> None:
    for _ in range(10):
        owner = owner_of_new_account(client)
        deleted, added = race_deletion_against_a_new_user(client, owner)
        assert deleted != added, "exactly one of the two wins"
        if deleted:
            wait_for_purge(table, owner.account_id)
        else:
            items = partition(table, owner.account_id)
            assert len([item for item in items if item["SK"].startswith("USER#")]) == 2
            meta = table.get_item(Key=keys.key(keys.account_pk(owner.account_id), keys.ACCOUNT_META))["Item"]
            assert meta["user_count"] == 2


def test_deletion_withdraws_the_waiting_workflows(client: Client) -> None:
    owner = owner_by_signup(client)  # its signup code is email #1
    new_password = "Un tout nouveau secret 2027"
    reply = client.post(
        "/me/password",
        {"current_password": PASSWORD, "new_password": new_password, "new_password_confirmation": new_password},
        token=owner.token,
    )
    assert reply.status == 202
    wait_for_email(owner.email, count=2)
    sfn = boto3.client("stepfunctions")
    [execution] = [
        e
        for e in sfn.list_executions(stateMachineArn=settings().state_machine_arn)["executions"]
        if e["name"].startswith(f"password_change-{owner.user_id}")
    ]
    assert client.delete("/account", token=owner.token).status == 204
    described = wait_until_ended(execution["executionArn"])
    assert json.loads(described["output"])["outcome"] == "withdrawn"


# ------------------------------------------------------------------ ownership transfer


def test_owner_transfers_ownership_to_an_active_admin(client: Client, table: Any, team: dict[str, Member]) -> None:
    owner, admin = team["owner"], team["admin"]
    reply = client.post("/account/transfer-ownership", {"user_id": admin.user_id}, token=owner.token)
    assert reply.status == 200, reply.body
    assert reply.body["owner_id"] == admin.user_id
    assert client.get("/me", token=owner.token).body["role"] == "admin"
    assert client.get("/me", token=admin.token).body["role"] == "owner"
    # The roles take effect at once: the old owner may no longer rename, the new one may.
    assert client.patch("/account", {"name": "Ancien"}, token=owner.token).status == 403
    assert client.patch("/account", {"name": "Nouveau"}, token=admin.token).status == 200
    roles = [item["role"] for item in partition(table, owner.account_id) if item["SK"].startswith("USER#")]
    assert sorted(roles) == ["admin", "member", "owner"]
    [event] = audit_events(table, owner.account_id, "account.ownership_transferred")
    assert event["target_id"] == admin.user_id
    assert event["actor_id"] == owner.user_id


@pytest.mark.parametrize("target", ["member", "invited_admin", "self"])
def test_ownership_goes_only_to_an_active_admin(
    client: Client, table: Any, team: dict[str, Member], target: str
) -> None:
    owner = team["owner"]
    user_id = {
        "member": team["member"].user_id,
        "invited_admin": add_member(client, owner.account_id, "admin", "invited").user_id,
        "self": owner.user_id,
    }[target]
    reply = client.post("/account/transfer-ownership", {"user_id": user_id}, token=owner.token)
    assert reply.status in (409, 422), reply.body
    assert reply.error["field"] == "user_id"
    assert client.get("/account", token=owner.token).body["owner_id"] == owner.user_id
    assert audit_events(table, owner.account_id, "account.ownership_transferred") == []


@pytest.mark.parametrize("role", ["admin", "member"])
def test_only_the_owner_transfers_ownership(client: Client, team: dict[str, Member], role: str) -> None:
    reply = client.post("/account/transfer-ownership", {"user_id": team["admin"].user_id}, token=team[role].token)
    assert reply.status == 403
    assert client.get("/account", token=team["owner"].token).body["owner_id"] == team["owner"].user_id


def test_another_accounts_user_is_not_found(client: Client, team: dict[str, Member]) -> None:
    other = owner_of_new_account(client)
    stranger = add_member(client, other.account_id, "admin")
    reply = client.post("/account/transfer-ownership", {"user_id": stranger.user_id}, token=team["owner"].token)
    assert reply.status == 404
    assert client.get("/me", token=stranger.token).body["role"] == "admin"


def test_concurrent_transfers_leave_exactly_one_owner(client: Client, table: Any, team: dict[str, Member]) -> None:
    owner = team["owner"]
    second_admin = add_member(client, owner.account_id, "admin")
    targets = [team["admin"].user_id, second_admin.user_id]
    with ThreadPoolExecutor(max_workers=2) as pool:
        statuses = list(
            pool.map(
                lambda user_id: (
                    client.post("/account/transfer-ownership", {"user_id": user_id}, token=owner.token).status
                ),
                targets,
            )
        )
    assert sorted(statuses) in ([200, 403], [200, 409])
    owners = [item for item in partition(table, owner.account_id) if item.get("role") == "owner"]
    assert len(owners) == 1
    assert client.get("/account", token=owner.token).body["owner_id"] == owners[0]["id"]

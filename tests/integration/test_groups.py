"""Groups (SPEC R-GRP-1): managed by owner and admins, read by members, confined to their account."""

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from boto3.dynamodb.conditions import Key

from comptasecure.domain import groups
from comptasecure.http import pagination
from local.emulator import Emulator, invoke
from tests import seed
from tests.helpers import (
    PASSWORD,
    Client,
    Member,
    add_member,
    follow_ups_done,
    owner_of_new_account,
    signup_confirmed,
    unique_email,
)


@pytest.fixture
def team(client: Client, team: dict[str, Member]) -> dict[str, Any]:
    """The team on a Premium account (5 groups), its member alice and a second member, bob."""
    account_id = team["owner"].account_id
    seed.account_type(account_id, "premium")
    people = {**team, "alice": team["member"], "bob": add_member(client, account_id)}
    del people["member"]
    return {
        "account_id": account_id,
        "ids": {name: person.user_id for name, person in people.items()},
        "tokens": {name: person.token for name, person in people.items()},
    }


def create(client: Client, team: dict[str, Any], name: str, *members: str, role: str = "owner") -> Any:
    body = {"name": name, "member_ids": [team["ids"][member] for member in members]}
    return client.post("/groups", body, token=team["tokens"][role])


def user_item(table: Any, team: dict[str, Any], who: str) -> dict[str, Any]:
    key = {"PK": f"ACCOUNT#{team['account_id']}", "SK": f"USER#{team['ids'][who]}"}
    return dict(table.get_item(Key=key)["Item"])


def test_create_read_and_list_groups(client: Client, team: dict[str, Any]) -> None:
    created = create(client, team, "Révision", "alice", "bob")
    assert created.status == 201
    group = created.body
    assert group["name"] == "Révision"
    assert group["member_count"] == 2
    assert sorted(group["member_ids"]) == sorted([team["ids"]["alice"], team["ids"]["bob"]])
    assert client.get(f"/groups/{group['id']}", token=team["tokens"]["alice"]).body == group
    listed = client.get("/groups", token=team["tokens"]["bob"]).body
    assert listed == {"items": [{"id": group["id"], "name": "Révision", "member_count": 2}], "next_cursor": None}


def test_names_are_unique_per_account_whatever_the_case(client: Client, team: dict[str, Any]) -> None:
    assert create(client, team, "Audit").status == 201
    taken = create(client, team, "AUDIT")
    assert (taken.status, taken.error["code"], taken.error["field"]) == (409, "group_name_taken", "name")
    _, other = signup_confirmed(client)
    assert client.post("/groups", {"name": "Audit"}, token=other["access_token"]).status == 201


def test_members_read_but_cannot_change_groups(client: Client, team: dict[str, Any]) -> None:
    group = create(client, team, "Paie", "alice").body
    alice = team["tokens"]["alice"]
    assert create(client, team, "Autre", role="alice").status == 403
    assert client.patch(f"/groups/{group['id']}", {"name": "X"}, token=alice).status == 403
    assert client.delete(f"/groups/{group['id']}", token=alice).status == 403
    assert client.get(f"/groups/{group['id']}", token=alice).status == 200
    assert create(client, team, "Admins ok", role="admin").status == 201


def test_other_accounts_groups_and_users_are_404(client: Client, team: dict[str, Any]) -> None:
    group = create(client, team, "Interne").body
    _, other = signup_confirmed(client)
    stranger = other["access_token"]
    for reply in (
        client.get(f"/groups/{group['id']}", token=stranger),
        client.patch(f"/groups/{group['id']}", {"name": "Volé"}, token=stranger),
        client.delete(f"/groups/{group['id']}", token=stranger),
    ):
        assert reply.status == 404
    outsider = client.post("/groups", {"name": "Mixte", "member_ids": [team["ids"]["alice"]]}, token=stranger)
    assert (outsider.status, outsider.error["field"]) == (404, "member_ids")
    assert client.get(f"/groups/{group['id']}", token=team["tokens"]["owner"]).body["name"] == "Interne"


def test_group_limit_of_the_account_type(client: Client) -> None:
    _, tokens = signup_confirmed(client)  # Freemium: one group
    assert client.post("/groups", {"name": "Un"}, token=tokens["access_token"]).status == 201
    refused = client.post("/groups", {"name": "Deux"}, token=tokens["access_token"])
    assert (refused.status, refused.error["code"]) == (409, "group_quota_reached")


def test_rename_and_member_changes_keep_the_users_side_right(client: Client, team: dict[str, Any], table: Any) -> None:
    group = create(client, team, "Fiscal", "alice").body
    owner = team["tokens"]["owner"]
    renamed = client.patch(f"/groups/{group['id']}", {"name": "Fiscalité"}, token=owner)
    assert renamed.status == 200
    assert groups.named(team["account_id"], [group["id"]]) == [groups.GroupRef(group["id"], "Fiscalité")]
    moved = client.patch(f"/groups/{group['id']}", {"member_ids": [team["ids"]["bob"]]}, token=owner).body
    assert moved["member_ids"] == [team["ids"]["bob"]]
    assert "group_ids" not in user_item(table, team, "alice")
    assert user_item(table, team, "bob")["group_ids"] == {group["id"]}
    assert client.delete(f"/groups/{group['id']}", token=owner).status == 204
    assert "group_ids" not in user_item(table, team, "bob")
    assert client.get(f"/groups/{group['id']}", token=owner).status == 404
    # The name is free again once the group is gone.
    assert create(client, team, "Fiscalité").status == 201


def test_group_changes_are_audited(client: Client, team: dict[str, Any]) -> None:
    group = create(client, team, "Social", "alice").body
    owner = team["tokens"]["owner"]
    client.patch(f"/groups/{group['id']}", {"name": "Social 2026", "member_ids": [team["ids"]["bob"]]}, token=owner)
    client.delete(f"/groups/{group['id']}", token=owner)
    events = client.get("/audit", token=owner).body["items"]
    mine = [event for event in events if event["target_id"] == group["id"]]
    assert [event["action"] for event in mine] == [
        "group.deleted",
        "group.members_changed",
        "group.renamed",
        "group.created",
    ]
    assert mine[1]["details"] == {"added": [team["ids"]["bob"]], "removed": [team["ids"]["alice"]]}


def test_invalid_group_bodies_are_refused_and_write_nothing(client: Client, team: dict[str, Any], table: Any) -> None:
    owner = team["tokens"]["owner"]
    for body, field in (
        ({"name": ""}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": "A", "color": "red"}, "color"),
        ({"name": "A", "member_ids": "alice"}, "member_ids"),
    ):
        reply = client.post("/groups", body, token=owner)
        assert reply.status in (400, 422)
        assert reply.error["field"] == field
    items = table.query(
        KeyConditionExpression=Key("PK").eq(f"ACCOUNT#{team['account_id']}") & Key("SK").begins_with("GROUP")
    )["Items"]
    assert items == []


def test_pages_follow_the_cursor(client: Client, team: dict[str, Any]) -> None:
    for name in ("A", "B", "C"):
        create(client, team, name)
    owner = team["tokens"]["owner"]
    first = client.get("/groups?limit=2", token=owner).body
    second = client.get(f"/groups?limit=2&cursor={first['next_cursor']}", token=owner).body
    assert len(first["items"]) == 2
    assert {g["name"] for g in first["items"] + second["items"]} == {"A", "B", "C"}


def test_a_cursor_continues_only_the_groups_of_its_account(client: Client, team: dict[str, Any]) -> None:
    """Even a cursor signed for the account may not start the list at another kind of item."""
    account_id = team["account_id"]
    users_cursor = pagination.encode({"PK": f"ACCOUNT#{account_id}", "SK": f"USER#{team['ids']['bob']}"}, account_id)
    reply = client.get(f"/groups?cursor={users_cursor}", token=team["tokens"]["owner"])
    assert (reply.status, reply.error.get("code"), reply.error.get("field")) == (422, "invalid_cursor", "cursor")


def test_a_user_item_holds_its_groups_once_as_group_ids(client: Client, team: dict[str, Any], table: Any) -> None:
    """A user item has no "groups" map beside its group_ids, however the user was written."""
    group = create(client, team, "Audit", "alice").body
    alice = user_item(table, team, "alice")
    assert alice["group_ids"] == {group["id"]}
    assert "groups" not in alice and "groups" not in user_item(table, team, "owner")


def add_bob_while_deleting(client: Client, team: dict[str, Any], group_id: str) -> tuple[int, int]:
    """PATCH adding bob and DELETE of the group, released at the same instant: their statuses."""
    start = threading.Barrier(2)

    def add_bob() -> int:
        start.wait()
        body = {"member_ids": [team["ids"]["alice"], team["ids"]["bob"]]}
        return client.patch(f"/groups/{group_id}", body, token=team["tokens"]["admin"]).status

    def delete() -> int:
        start.wait()
        return client.delete(f"/groups/{group_id}", token=team["tokens"]["owner"]).status

    with ThreadPoolExecutor(max_workers=2) as pool:
        added, deleted = pool.submit(add_bob), pool.submit(delete)
        return added.result(), deleted.result()


def test_deleting_a_group_while_members_are_added_leaves_no_dangling_membership(
    client: Client, team: dict[str, Any], table: Any
) -> None:
    """Issue 11.3: the delete checks the version it read, so a concurrent add is never lost half-way."""
    owner = team["tokens"]["owner"]
    for trial in range(15):
        group = create(client, team, f"Course {trial}", "alice").body
        added, deleted = add_bob_while_deleting(client, team, group["id"])
        assert added in (200, 404, 409)
        assert deleted == 204
        for who in ("alice", "bob"):
            assert group["id"] not in (user_item(table, team, who).get("group_ids") or set()), (trial, who)
    for who in ("alice", "bob"):
        assert client.delete(f"/users/{team['ids'][who]}", token=owner).status == 204


def test_a_user_whose_group_is_gone_can_still_be_deleted(client: Client, team: dict[str, Any], table: Any) -> None:
    """A membership left pointing at a missing group (data from before the fix) never blocks a removal."""
    owner = team["tokens"]["owner"]
    kept = create(client, team, "Gardé", "bob").body
    seed.group_membership(team["account_id"], team["ids"]["bob"], "0" * 32)
    assert user_item(table, team, "bob")["group_ids"] == {kept["id"], "0" * 32}
    assert client.delete(f"/users/{team['ids']['bob']}", token=owner).status == 204
    assert client.get(f"/groups/{kept['id']}", token=owner).body["member_ids"] == []


def group_too_large_for_one_transaction(client: Client) -> tuple[Member, str, list[str]]:
    """An owner and a group of more members than one transaction can end: (owner, group id, member ids)."""
    owner = owner_of_new_account(client)
    seed.account_type(owner.account_id, "entreprise")
    member_ids = [
        seed.user(
            owner.account_id, email=unique_email("m"), role="member", status="active", password=PASSWORD, max_users=200
        )
        for _ in range(groups.MAX_MEMBERS_CHANGED + 5)
    ]
    created = owner.client.post("/groups", {"name": "Tous", "member_ids": member_ids[: groups.MAX_MEMBERS_CHANGED]})
    group_id = created.body["id"]
    assert owner.client.patch(f"/groups/{group_id}", {"member_ids": member_ids}).status == 200
    return owner, group_id, member_ids


def test_deleting_a_group_too_large_for_one_transaction_leaves_no_member_pointing_at_it(
    client: Client, table: Any
) -> None:
    """The deleting transaction ends the first memberships; the follow-up it owes ends the others."""
    owner, group_id, _ = group_too_large_for_one_transaction(client)
    assert owner.client.delete(f"/groups/{group_id}").status == 204
    follow_ups_done(client)
    users = table.query(
        KeyConditionExpression=Key("PK").eq(f"ACCOUNT#{owner.account_id}") & Key("SK").begins_with("USER#")
    )
    assert [item["id"] for item in users["Items"] if group_id in (item.get("group_ids") or set())] == []


def test_a_member_removed_before_the_groups_follow_up_leaves_no_phantom_user(
    client: Client, table: Any, emulator: Emulator
) -> None:
    """A deleted group's follow-up ends the memberships its transaction had no room for. A member removed
    in between must stay removed: an unconditional update of their item would create it again, keys
    only, and the users table would then fail on it."""
    owner, group_id, member_ids = group_too_large_for_one_transaction(client)
    follow_ups_done(client)
    removed = max(member_ids)  # past the first transaction (members go in id order): the follow-up's
    assert emulator.streams is not None
    with emulator.streams.taking("FollowUpDispatcherFunction") as owed:
        assert owner.client.delete(f"/groups/{group_id}").status == 204
        follow_ups_done(client)
    assert owner.client.delete(f"/users/{removed}").status == 204
    follow_ups_done(client)

    invoke("FollowUpDispatcherFunction", {"Records": list(owed)})

    assert "Item" not in table.get_item(Key={"PK": f"ACCOUNT#{owner.account_id}", "SK": f"USER#{removed}"})
    listed = owner.client.get("/users")
    assert listed.status == 200 and removed not in {row["id"] for row in listed.body["items"]}
    kept = sorted(member_ids)[:-1]
    assert [m for m in kept if group_id in (user_item_of(table, owner.account_id, m).get("group_ids") or ())] == []


def user_item_of(table: Any, account_id: str, user_id: str) -> dict[str, Any]:
    return dict(table.get_item(Key={"PK": f"ACCOUNT#{account_id}", "SK": f"USER#{user_id}"})["Item"])

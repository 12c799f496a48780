"""group_ids on POST /users and PATCH /users/{id}: both sides of each membership, one account only."""

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests import seed
from tests.helpers import (
    Client,
    Member,
    add_member,
    audit_actions,
    invite,
    owner_of_new_account,
    partition,
    unique_email,
    user_item,
)


@pytest.fixture
def owner(client: Client) -> Member:
    owner = owner_of_new_account(client)
    seed.account_type(owner.account_id, "premium")  # 10 users, 5 groups
    return owner


def new_group(owner: Member, name: str, *member_ids: str) -> dict[str, Any]:
    reply = owner.client.post("/groups", {"name": name, "member_ids": list(member_ids)})
    assert reply.status == 201, reply.body
    return dict(reply.body)


def group_members(owner: Member, group_id: str) -> set[str]:
    return set(owner.client.get(f"/groups/{group_id}").body["member_ids"])


def stored_groups(table: Any, owner: Member, user_id: str) -> set[str]:
    item = user_item(table, owner.account_id, user_id)
    assert item is not None
    return set(item.get("group_ids") or ())


def test_invite_into_the_accounts_groups(owner: Member, table: Any) -> None:
    paie, audit = new_group(owner, "Paie"), new_group(owner, "Audit")
    email = unique_email("grouped")
    [result] = invite(owner, {"email": email, "group_ids": [paie["id"], audit["id"], paie["id"]]})
    assert result["status"] == "invited", result
    user_id = result["user_id"]
    row = next(item for item in owner.client.get("/users").body["items"] if item["id"] == user_id)
    assert row["groups"] == [{"id": audit["id"], "name": "Audit"}, {"id": paie["id"], "name": "Paie"}]
    assert user_id in group_members(owner, paie["id"]) and user_id in group_members(owner, audit["id"])
    assert stored_groups(table, owner, user_id) == {paie["id"], audit["id"]}
    [event] = [e for e in partition(table, owner.account_id, "AUDIT#") if e["action"] == "user.invited"]
    assert sorted(event["details"]["group_ids"]) == sorted([paie["id"], audit["id"]])


def test_a_batch_joining_one_group_adds_every_row(owner: Member) -> None:
    paie = new_group(owner, "Paie")
    results = invite(owner, *({"email": unique_email(f"row{i}"), "group_ids": [paie["id"]]} for i in range(5)))
    assert [result["status"] for result in results] == ["invited"] * 5
    assert group_members(owner, paie["id"]) == {result["user_id"] for result in results}
    assert owner.client.get(f"/groups/{paie['id']}").body["member_count"] == 5


def test_edit_sets_the_whole_set_of_groups_and_answers_them(owner: Member, table: Any) -> None:
    paie, audit = new_group(owner, "Paie"), new_group(owner, "Audit")
    user_id = add_member(owner.client, owner.account_id).user_id
    both = owner.client.patch(f"/users/{user_id}", {"group_ids": [paie["id"], audit["id"]]})
    assert both.status == 200, both.body
    assert both.body["groups"] == [{"id": audit["id"], "name": "Audit"}, {"id": paie["id"], "name": "Paie"}]
    assert user_id in group_members(owner, paie["id"]) and user_id in group_members(owner, audit["id"])

    renamed = owner.client.patch(f"/users/{user_id}", {"first_name": "Inès"})
    assert renamed.body["groups"] == both.body["groups"], "an edit without group_ids keeps and shows the groups"

    one = owner.client.patch(f"/users/{user_id}", {"group_ids": [audit["id"]]})
    assert one.body["groups"] == [{"id": audit["id"], "name": "Audit"}]
    assert user_id not in group_members(owner, paie["id"])
    assert owner.client.get(f"/groups/{paie['id']}").body["member_count"] == 0

    none = owner.client.patch(f"/users/{user_id}", {"group_ids": []})
    assert (none.status, none.body["groups"]) == (200, [])
    assert stored_groups(table, owner, user_id) == set()
    assert group_members(owner, audit["id"]) == set()
    events = [e for e in partition(table, owner.account_id, "AUDIT#") if e["action"] == "user.updated"]
    assert [e["details"]["group_ids"]["after"] for e in events if "group_ids" in e["details"]] == [
        sorted([paie["id"], audit["id"]]),
        [audit["id"]],
        [],
    ]


def test_another_accounts_group_is_refused_naming_the_field(client: Client, owner: Member, table: Any) -> None:
    stranger = owner_of_new_account(client)
    theirs = new_group(stranger, "Leur groupe")
    mine = new_group(owner, "Paie")
    [row] = invite(owner, {"email": unique_email("spy"), "group_ids": [mine["id"], theirs["id"]]})
    assert (row["status"], row["error"]["code"], row["error"]["field"]) == ("error", "group_not_found", "group_ids")

    user_id = add_member(owner.client, owner.account_id).user_id
    before = partition(table, owner.account_id)
    reply = owner.client.patch(f"/users/{user_id}", {"group_ids": [theirs["id"]]})
    assert (reply.status, reply.error["code"], reply.error["field"]) == (404, "group_not_found", "group_ids")
    assert partition(table, owner.account_id) == before
    assert group_members(stranger, theirs["id"]) == set()
    assert "user.invited" not in audit_actions(table, stranger.account_id)
    # And the other way round: a stranger's admin cannot put our user in its group either.
    denied = stranger.client.patch(f"/users/{user_id}", {"group_ids": [theirs["id"]]})
    assert (denied.status, denied.error["code"]) == (404, "user_not_found")


def test_a_user_edit_and_a_group_edit_at_once_never_disagree(owner: Member, table: Any) -> None:
    """PATCH /users/U {group_ids} racing PATCH /groups/G {member_ids}: both sides of every
    membership agree afterwards, whichever wins; the loser is told to reload (409)."""
    paie, audit = new_group(owner, "Paie"), new_group(owner, "Audit")
    other = add_member(owner.client, owner.account_id).user_id
    for round_number in range(6):
        user_id = add_member(owner.client, owner.account_id).user_id
        # The same group on both sides, a different group on each side, or the user's groups left empty.
        user_groups = [[paie["id"]], [audit["id"]], []][round_number % 3]
        start = threading.Barrier(2)

        def edit_user(target: str = user_id, wanted: list[str] = user_groups, start: Any = start) -> int:
            start.wait()
            return owner.client.patch(f"/users/{target}", {"group_ids": wanted}).status

        def edit_group(target: str = user_id, start: Any = start) -> int:
            start.wait()
            return owner.client.patch(f"/groups/{paie['id']}", {"member_ids": [target, other]}).status

        with ThreadPoolExecutor(max_workers=2) as pool:
            futures = [pool.submit(edit_user), pool.submit(edit_group)]
            outcome = sorted(future.result() for future in futures)
        assert outcome in ([200, 200], [200, 409]), outcome
        user_side = stored_groups(table, owner, user_id)
        for group in (paie, audit):
            agree = (user_id in group_members(owner, group["id"])) == (group["id"] in user_side)
            assert agree, (round_number, group["name"], outcome)


def test_fifty_parallel_invitations_never_exceed_the_limit(owner: Member, table: Any) -> None:
    """50 requests at once, 3 rows each, on a 10-user account: one conditional counter per batch."""
    rows = [[{"email": unique_email(f"p{i}r{j}")} for j in range(3)] for i in range(50)]
    with ThreadPoolExecutor(max_workers=50) as pool:
        replies = list(pool.map(lambda batch: owner.client.post("/users", {"users": batch}), rows))
    assert {reply.status for reply in replies} == {207}
    results = [result for reply in replies for result in reply.body["results"]]
    invited = [result for result in results if result["status"] == "invited"]
    assert len(invited) == 9  # the owner plus nine
    assert {result["error"]["code"] for result in results if result["status"] == "error"} == {"quota_exceeded"}
    stored = partition(table, owner.account_id, "USER#")
    account = table.get_item(Key={"PK": f"ACCOUNT#{owner.account_id}", "SK": "META"})["Item"]
    assert len(stored) == int(account["user_count"]) == 10
    assert {item["id"] for item in stored} >= {result["user_id"] for result in invited}

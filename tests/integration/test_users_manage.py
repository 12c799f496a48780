"""Managing users: who may do what (R-ROLE), other accounts' ids, edits, promotion and removal."""

from typing import Any

import pytest

from tests import seed
from tests.helpers import (
    PASSWORD,
    Client,
    Member,
    audit_actions,
    code_in,
    follow_ups_done,
    invitation_token,
    invite,
    owner_of_new_account,
    partition,
    unique_email,
    user_item,
    wait_for_email,
)


@pytest.fixture
def team(team: dict[str, Member]) -> dict[str, Member]:
    """The team on a Premium account: room to invite beyond it."""
    seed.account_type(team["owner"].account_id, "premium")
    return team


def test_members_can_read_the_table_but_manage_nothing(team: dict[str, Member]) -> None:
    member, admin = team["member"], team["admin"]
    assert member.client.get("/users").status == 200
    denied = [
        member.client.post("/users", {"users": [{"email": unique_email()}]}),
        member.client.get("/users/import-template"),
        member.client.patch(f"/users/{admin.user_id}", {"first_name": "Pirate"}),
        member.client.delete(f"/users/{admin.user_id}"),
        member.client.post(f"/users/{admin.user_id}/promote"),
        member.client.post(f"/users/{member.user_id}/promote"),
        member.client.post(f"/users/{admin.user_id}/resend-invitation"),
    ]
    assert [reply.status for reply in denied] == [403] * len(denied)
    assert {reply.error["code"] for reply in denied} == {"forbidden"}


def test_admins_cannot_act_on_the_owner(team: dict[str, Member], table: Any) -> None:
    owner, admin = team["owner"], team["admin"]
    denied = [
        admin.client.patch(f"/users/{owner.user_id}", {"first_name": "Pirate"}),
        admin.client.delete(f"/users/{owner.user_id}"),
        admin.client.post(f"/users/{owner.user_id}/promote"),
        admin.client.post(f"/users/{owner.user_id}/resend-invitation"),
    ]
    assert [reply.status for reply in denied] == [403] * 4
    stored = user_item(table, owner.account_id, owner.user_id)
    assert stored is not None and (stored["first_name"], stored["role"]) == ("Claire", "owner")


def test_other_accounts_ids_are_404_on_every_route(client: Client, team: dict[str, Member]) -> None:
    stranger = owner_of_new_account(client)
    [invited] = invite(stranger, {"email": unique_email("theirs")})
    for target in (stranger.user_id, invited["user_id"]):
        replies = [
            team["owner"].client.patch(f"/users/{target}", {"first_name": "X"}),
            team["owner"].client.delete(f"/users/{target}"),
            team["owner"].client.post(f"/users/{target}/promote"),
            team["owner"].client.post(f"/users/{target}/resend-invitation"),
            team["admin"].client.delete(f"/users/{target}"),
        ]
        assert [reply.status for reply in replies] == [404] * 5
        assert {reply.error["code"] for reply in replies} == {"user_not_found"}
    assert stranger.client.get("/me").status == 200
    ids = {row["id"] for row in team["owner"].client.get("/users").body["items"]}
    assert stranger.user_id not in ids and invited["user_id"] not in ids


def test_every_users_route_needs_a_token(client: Client) -> None:
    for method, path in [
        ("GET", "/users"),
        ("POST", "/users"),
        ("GET", "/users/import-template"),
        ("POST", "/users/import"),
        ("PATCH", "/users/x"),
        ("DELETE", "/users/x"),
        ("POST", "/users/x/promote"),
        ("POST", "/users/x/resend-invitation"),
        ("DELETE", "/me"),
    ]:
        assert client.call(method, path, {}).status == 401, (method, path)


def test_edit_names_and_role_with_an_audit_event(team: dict[str, Member], table: Any) -> None:
    admin, member = team["admin"], team["member"]
    reply = admin.client.patch(f"/users/{member.user_id}", {"first_name": "  Inès ", "role": "admin"})
    assert reply.status == 200, reply.body
    assert (reply.body["first_name"], reply.body["role"], reply.body["status"]) == ("Inès", "admin", "active")
    [event] = [e for e in partition(table, member.account_id, "AUDIT#") if e["action"] == "user.updated"]
    assert event["actor_id"] == admin.user_id
    assert event["details"]["role"] == {"before": "member", "after": "admin"}


def test_edit_refuses_bad_values_naming_the_field_and_writes_nothing(team: dict[str, Member], table: Any) -> None:
    owner, member = team["owner"], team["member"]
    before = partition(table, owner.account_id)
    cases = [
        ({"role": "owner"}, 422, "role"),
        ({"role": "chef"}, 422, "role"),
        ({"first_name": ""}, 422, "first_name"),
        ({"first_name": "x" * 101}, 422, "first_name"),
        ({"first_name": "Jean\x00"}, 422, "first_name"),
        ({"last_name": "Dupont\r\nBcc: pirate@exemple.fr"}, 422, "last_name"),
        ({"email": "new@x.fr"}, 422, "email"),
        # Not a group of this account: 404, like another account's id (API.md).
        ({"group_ids": ["nope"]}, 404, "group_ids"),
        ({"first_name": 3}, 400, "first_name"),
    ]
    for body, status, field in cases:
        reply = owner.client.patch(f"/users/{member.user_id}", body)
        assert (reply.status, reply.error.get("field")) == (status, field), (body, reply.body)
    owner_role = owner.client.patch(f"/users/{owner.user_id}", {"role": "admin"})
    assert (owner_role.status, owner_role.error["code"]) == (409, "owner_role_fixed")
    assert partition(table, owner.account_id) == before


def test_promote_makes_an_admin_who_can_then_manage(team: dict[str, Member], table: Any) -> None:
    owner, member = team["owner"], team["member"]
    assert member.client.post("/users", {"users": [{"email": unique_email()}]}).status == 403
    reply = owner.client.post(f"/users/{member.user_id}/promote")
    assert (reply.status, reply.body["role"]) == (200, "admin")
    assert member.client.post("/users", {"users": [{"email": unique_email()}]}).status == 207
    assert "user.promoted" in audit_actions(table, owner.account_id)
    again = owner.client.post(f"/users/{member.user_id}/promote")
    assert (again.status, again.body["role"]) == (200, "admin")
    assert audit_actions(table, owner.account_id).count("user.promoted") == 1


def test_a_demoted_admin_loses_access_at_once(team: dict[str, Member]) -> None:
    owner, admin = team["owner"], team["admin"]
    assert admin.client.get("/users/import-template").status == 200
    assert owner.client.patch(f"/users/{admin.user_id}", {"role": "member"}).status == 200
    assert admin.client.get("/users/import-template").status == 403


def test_a_deleted_admin_loses_access_at_once_and_only_their_items_go(team: dict[str, Member], table: Any) -> None:
    owner, admin, member = team["owner"], team["admin"], team["member"]
    before = partition(table, owner.account_id)
    assert owner.client.delete(f"/users/{admin.user_id}").status == 204
    assert admin.client.get("/me").status == 401
    follow_ups_done(owner.client)  # the admin's sessions and grants go with the removal's follow-up
    after = partition(table, owner.account_id)
    gone = {item["SK"] for item in before} - {item["SK"] for item in after}
    assert gone and all(admin.user_id in sk for sk in gone)
    assert not [item for item in after if admin.user_id in item["SK"]]
    assert table.get_item(Key={"PK": f"EMAIL#{admin.email}", "SK": "EMAIL"}).get("Item") is None
    meta = table.get_item(Key={"PK": f"ACCOUNT#{owner.account_id}", "SK": "META"})["Item"]
    assert int(meta["user_count"]) == 2
    assert member.client.get("/me").status == 200
    [event] = [e for e in after if e["SK"].startswith("AUDIT#") and e["action"] == "user.deleted"]
    assert (event["target_id"], event["actor_id"]) == (admin.user_id, owner.user_id)
    assert owner.client.delete(f"/users/{admin.user_id}").status == 404
    # The freed email can be invited again, on this account or another.
    assert invite(owner, {"email": admin.email})[0]["status"] == "invited"


def test_deleting_an_invited_user_withdraws_the_waiting_invitation(client: Client, table: Any) -> None:
    from tests.helpers import executions_of, wait_until_ended

    owner = owner_of_new_account(client)
    email = unique_email("cancelled")
    [result] = invite(owner, {"email": email})
    token = invitation_token(email)
    [execution] = executions_of(result["user_id"])
    assert owner.client.delete(f"/users/{result['user_id']}").status == 204
    import json

    assert json.loads(wait_until_ended(execution["executionArn"])["output"])["outcome"] == "withdrawn"
    assert client.post("/invitations/accept", {"token": token, "password": PASSWORD}).status == 410
    assert owner.client.get("/users").body["limits"]["used"] == 1


def test_the_owner_cannot_be_deleted(team: dict[str, Member]) -> None:
    owner = team["owner"]
    reply = owner.client.delete(f"/users/{owner.user_id}")
    assert (reply.status, reply.error["code"]) == (409, "owner_cannot_leave")
    assert owner.client.get("/me").status == 200


def test_delete_me_lets_a_member_leave(team: dict[str, Member], table: Any) -> None:
    owner, member = team["owner"], team["member"]
    assert member.client.delete("/me").status == 204
    assert member.client.get("/me").status == 401
    assert user_item(table, owner.account_id, member.user_id) is None
    assert client_login_fails(owner.client, member.email)
    [event] = [e for e in partition(table, owner.account_id, "AUDIT#") if e["action"] == "user.deleted"]
    assert event["actor_id"] == member.user_id
    assert owner.client.get("/users").body["limits"]["used"] == 2


def client_login_fails(client: Client, email: str) -> bool:
    return client.post("/auth/login", {"email": email, "password": PASSWORD}, token="").status == 401


def test_delete_me_refuses_the_owner_and_the_user_alone(client: Client, team: dict[str, Member], table: Any) -> None:
    owner = team["owner"]
    reply = owner.client.delete("/me")
    assert (reply.status, reply.error["code"]) == (409, "owner_cannot_leave")
    alone = owner_of_new_account(client)
    before = partition(table, alone.account_id)
    reply = alone.client.delete("/me")
    assert (reply.status, reply.error["code"]) == (409, "alone_on_account")
    assert partition(table, alone.account_id) == before


def test_a_pending_user_can_confirm_after_an_edit(client: Client) -> None:
    owner = owner_of_new_account(client)
    email = unique_email("pending")
    [result] = invite(owner, {"email": email})
    assert client.post("/invitations/accept", {"token": invitation_token(email), "password": PASSWORD}).status == 200
    assert owner.client.patch(f"/users/{result['user_id']}", {"last_name": "Nouveau"}).status == 200
    row = next(r for r in owner.client.get("/users").body["items"] if r["id"] == result["user_id"])
    assert (row["status"], row["last_name"]) == ("pending_confirmation", "Nouveau")
    assert client.post("/auth/confirm", {"email": email, "code": code_in(wait_for_email(email, count=2))}).status == 200
    resend = owner.client.post(f"/users/{result['user_id']}/resend-invitation")
    assert (resend.status, resend.error["code"]) == (409, "invitation_already_accepted")

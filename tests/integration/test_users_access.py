"""Disabling a user and ending a user's sessions (API.md PATCH /users/{id} {active}, POST /users/{id}/sessions/revoke;
SPEC R-ENT-3, R-MFA-6), from the outside: every session ends at once, every login path refuses after the
right credentials, the seat stays taken, the data stays."""

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests import seed
from tests.helpers import (
    PASSWORD,
    CallCounter,
    Client,
    Member,
    account_item,
    audit_events,
    follow_ups_done,
    invite,
    login,
    owner_of_new_account,
    partition,
    unique_email,
    user_item,
)
from tests.security_helpers import enroll


@pytest.fixture
def team(team: dict[str, Member]) -> dict[str, Member]:
    seed.account_type(team["owner"].account_id, "premium")
    return team


def sessions_of(client: Client, member: Member, count: int) -> list[dict[str, Any]]:
    """``count`` more logins of the member (other devices): their tokens."""
    return [login(client, member.email) for _ in range(count)]


def test_disabling_a_user_ends_every_session_at_once_and_keeps_the_seat(
    client: Client, team: dict[str, Member], table: Any
) -> None:
    owner, member = team["owner"], team["member"]
    others = sessions_of(client, member, 5)
    used_before = account_item(table, owner.account_id)["user_count"]

    with CallCounter("UpdateUserFunction") as calls:
        reply = owner.client.patch(f"/users/{member.user_id}", {"active": False})

    assert reply.status == 200, reply.body
    assert reply.body["status"] == "disabled"
    # One read of both users and the groups' (none) BatchGet, one transaction: not one write per session.
    assert calls.calls["TransactWriteItems"] == 1
    for tokens in [member.tokens, *others]:
        assert client.get("/me", token=tokens["access_token"]).error["code"] == "session_ended"
        refreshed = client.post("/auth/refresh", {"refresh_token": tokens["refresh_token"]}, token="")
        assert refreshed.status == 401
    row = next(row for row in owner.client.get("/users").body["items"] if row["id"] == member.user_id)
    assert row["status"] == "disabled"
    # A disabled user still counts as a seat (API.md): the quota and "alone on the account" see it.
    assert account_item(table, owner.account_id)["user_count"] == used_before
    assert owner.client.get("/users").body["limits"]["used"] == used_before
    [event] = audit_events(table, owner.account_id, "user.disabled")
    assert event["actor_id"] == owner.user_id
    assert event["details"]["status"] == {"before": "active", "after": "disabled"}
    follow_ups_done(client)
    # The ended sessions' items are tidied afterwards (they were refused from the commit on).
    assert partition(table, owner.account_id, f"SESSION#{member.user_id}#") == []


def test_a_disabled_user_is_refused_only_after_the_right_password(client: Client, team: dict[str, Member]) -> None:
    owner, member = team["owner"], team["member"]
    assert owner.client.patch(f"/users/{member.user_id}", {"active": False}).status == 200

    wrong = client.post("/auth/login", {"email": member.email, "password": "Pas le bon mot de passe 1"}, token="")
    right = client.post("/auth/login", {"email": member.email, "password": PASSWORD}, token="")

    # A wrong password says nothing of the user's state; the right one is told why it cannot go on.
    assert (wrong.status, wrong.error["code"]) == (401, "invalid_credentials")
    assert (right.status, right.error["code"]) == (403, "user_disabled")
    assert "access_token" not in right.body


def test_an_mfa_login_started_before_the_user_was_disabled_opens_no_session(
    client: Client, team: dict[str, Member]
) -> None:
    owner, member = team["owner"], team["member"]
    enroll(client, member)
    started = client.post("/auth/login", {"email": member.email, "password": PASSWORD}, token="")
    assert started.body["mfa_required"] is True

    assert owner.client.patch(f"/users/{member.user_id}", {"active": False}).status == 200

    # The mfa_token carried the user's session epoch, which the disabling moved on.
    finished = client.post("/auth/mfa", {"mfa_token": started.body["mfa_token"], "code": "000000"}, token="")
    assert (finished.status, finished.error["code"]) == (401, "invalid_mfa_token")


def test_enabling_restores_the_access_with_its_groups_and_files(client: Client, team: dict[str, Member]) -> None:
    owner, member = team["owner"], team["member"]
    group = owner.client.post("/groups", {"name": "Mission Martin", "member_ids": [member.user_id]}).body
    fec = owner.client.post("/fecs", {"file_name": "732829320FEC20251231.txt"}).body
    assert owner.client.post(f"/fecs/{fec['id']}/shares", {"user_ids": [member.user_id]}).status == 200
    assert owner.client.patch(f"/users/{member.user_id}", {"active": False}).status == 200

    enabled = owner.client.patch(f"/users/{member.user_id}", {"active": True})

    assert enabled.status == 200 and enabled.body["status"] == "active"
    assert [g["id"] for g in enabled.body["groups"]] == [group["id"]]
    back = client.as_user(login(client, member.email)["access_token"])
    assert [f["id"] for f in back.get("/fecs").body["items"]] == [fec["id"]]


def test_an_invited_user_disabled_then_enabled_is_invited_again(team: dict[str, Member], table: Any) -> None:
    owner = team["owner"]
    [invited] = invite(owner, {"email": unique_email("invited")})

    disabled = owner.client.patch(f"/users/{invited['user_id']}", {"active": False})
    assert disabled.body["status"] == "disabled"
    enabled = owner.client.patch(f"/users/{invited['user_id']}", {"active": True})

    assert enabled.body["status"] == "invited"
    stored = user_item(table, owner.account_id, invited["user_id"])
    assert stored is not None and "disabled_from" not in stored


def test_the_owner_cannot_be_disabled_and_admins_cannot_reach_the_owner(team: dict[str, Member], table: Any) -> None:
    owner, admin = team["owner"], team["admin"]

    by_admin = admin.client.patch(f"/users/{owner.user_id}", {"active": False})
    by_owner = owner.client.patch(f"/users/{owner.user_id}", {"active": False})
    revoked_by_admin = admin.client.post(f"/users/{owner.user_id}/sessions/revoke")

    assert (by_admin.status, by_admin.error["code"]) == (403, "forbidden")
    assert (by_owner.status, by_owner.error["code"]) == (409, "owner_cannot_be_disabled")
    assert revoked_by_admin.status == 403
    assert owner.client.get("/me").status == 200
    stored = user_item(table, owner.account_id, owner.user_id)
    assert stored is not None and stored["status"] == "active"


def test_members_cannot_disable_or_revoke(team: dict[str, Member]) -> None:
    member, admin = team["member"], team["admin"]
    replies = [
        member.client.patch(f"/users/{admin.user_id}", {"active": False}),
        member.client.post(f"/users/{admin.user_id}/sessions/revoke"),
    ]
    assert [(reply.status, reply.error["code"]) for reply in replies] == [(403, "forbidden")] * 2
    assert admin.client.get("/me").status == 200


def test_another_accounts_users_are_not_found(client: Client, team: dict[str, Member]) -> None:
    stranger = owner_of_new_account(client)
    victim = team["member"]

    replies = [
        stranger.client.patch(f"/users/{victim.user_id}", {"active": False}),
        stranger.client.post(f"/users/{victim.user_id}/sessions/revoke"),
    ]

    assert [(reply.status, reply.error["code"]) for reply in replies] == [(404, "user_not_found")] * 2
    assert victim.client.get("/me").status == 200


def test_revoking_a_users_sessions_ends_them_all_and_lets_them_log_in_again(
    client: Client, team: dict[str, Member], table: Any
) -> None:
    admin, member = team["admin"], team["member"]
    others = sessions_of(client, member, 3)

    reply = admin.client.post(f"/users/{member.user_id}/sessions/revoke")

    assert reply.status == 204
    for tokens in [member.tokens, *others]:
        assert client.get("/me", token=tokens["access_token"]).error["code"] == "session_ended"
    assert client.get("/me", token=login(client, member.email)["access_token"]).status == 200
    [event] = audit_events(table, member.account_id, "user.sessions_revoked")
    assert (event["actor_id"], event["target_id"]) == (admin.user_id, member.user_id)
    assert admin.client.get("/me").status == 200


def test_logins_racing_a_disable_leave_no_live_session(client: Client, team: dict[str, Member]) -> None:
    """50 logins in flight while the user is disabled: whatever each read, no session opened survives."""
    owner, member = team["owner"], team["member"]

    def log_in(_: int) -> dict[str, Any]:
        return dict(client.post("/auth/login", {"email": member.email, "password": PASSWORD}, token="").body)

    with ThreadPoolExecutor(max_workers=16) as pool:
        logins = [pool.submit(log_in, n) for n in range(50)]
        disabled = owner.client.patch(f"/users/{member.user_id}", {"active": False})
        answers = [future.result() for future in logins]

    assert disabled.status == 200
    tokens = [answer["access_token"] for answer in answers if "access_token" in answer]
    assert tokens, "some logins ran before the disable"
    # At most 10 passwords are checked at once per email (the login reserves its attempt): the others wait
    # their turn with a 429, as any burst of logins does.
    assert {answer["error"]["code"] for answer in answers if "error" in answer} <= {
        "user_disabled",
        "too_many_attempts",
    }
    assert {client.get("/me", token=token).status for token in tokens} == {401}

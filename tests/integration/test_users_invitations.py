"""The invitation journey on the real ASL: invite, email, accept, code email, confirm, login."""

import json
from typing import Any

from comptasecure.settings import settings
from tests.helpers import (
    PASSWORD,
    Client,
    audit_actions,
    code_in,
    eventually,
    executions_of,
    invitation_token,
    invite,
    owner_of_new_account,
    unique_email,
    user_item,
    wait_for_email,
    wait_until_ended,
)


def test_invitation_journey_from_invite_to_login(client: Client, table: Any) -> None:
    owner = owner_of_new_account(client)
    email = unique_email("invitee")
    [result] = invite(owner, {"email": email, "first_name": "Hélène", "last_name": "Lefèvre", "role": "admin"})
    assert result["status"] == "invited"
    user_id = result["user_id"]

    message = wait_for_email(email)
    assert "Invitation" in message["subject"]
    assert "Claire Dupont vous invite" in message["text"]
    token = invitation_token(email)
    listed = {row["id"]: row for row in owner.client.get("/users").body["items"]}
    assert listed[user_id]["status"] == "invited"
    assert client.post("/auth/login", {"email": email, "password": PASSWORD}).status == 401

    accepted = client.post("/invitations/accept", {"token": token, "password": PASSWORD})
    assert accepted.status == 200, accepted.body
    assert accepted.body == {"email": email, "status": "pending_confirmation"}
    assert client.post("/auth/login", {"email": email, "password": PASSWORD}).error["code"] == "not_confirmed"

    code_email = wait_for_email(email, count=2)
    assert "code de validation" in code_email["subject"]
    assert client.post("/auth/confirm", {"email": email, "code": code_in(code_email)}).status == 200

    login = client.post("/auth/login", {"email": email, "password": PASSWORD})
    assert login.status == 200
    me = client.get("/me", token=login.body["access_token"]).body
    assert (me["role"], me["status"], me["first_name"]) == ("admin", "active", "Hélène")

    [execution] = executions_of(user_id)
    ended = wait_until_ended(execution["executionArn"])
    assert json.loads(ended["output"])["outcome"] == "confirmed"
    actions = audit_actions(table, owner.account_id)
    assert {"user.invited", "user.invitation_accepted", "user.confirmed"} <= set(actions)
    stored = user_item(table, owner.account_id, user_id)
    assert stored is not None and "invitation_expires_at" not in stored
    assert table.get_item(Key={"PK": f"ACCOUNT#{owner.account_id}", "SK": f"INVITATION#{user_id}"}).get("Item") is None


def test_invitation_token_is_single_use(client: Client) -> None:
    owner = owner_of_new_account(client)
    email = unique_email("once")
    invite(owner, {"email": email})
    token = invitation_token(email)
    assert client.post("/invitations/accept", {"token": token, "password": PASSWORD}).status == 200
    again = client.post("/invitations/accept", {"token": token, "password": "Un autre mot de passe 42"})
    assert again.status == 410
    assert again.error["code"] == "invitation_expired"


def test_weak_password_is_refused_and_the_link_still_works(client: Client, table: Any) -> None:
    owner = owner_of_new_account(client)
    email = unique_email("weak")
    [result] = invite(owner, {"email": email})
    token = invitation_token(email)
    weak = client.post("/invitations/accept", {"token": token, "password": "password"})
    assert weak.status == 422
    assert (weak.error["code"], weak.error["field"]) == ("weak_password", "password")
    stored = user_item(table, owner.account_id, result["user_id"])
    assert stored is not None and stored["status"] == "invited" and "password_hash" not in stored
    assert client.post("/invitations/accept", {"token": token, "password": PASSWORD}).status == 200


def test_forged_and_malformed_tokens_are_refused(client: Client) -> None:
    owner = owner_of_new_account(client)
    email = unique_email("forged")
    invite(owner, {"email": email})
    account_id, user_id, _ = invitation_token(email).split(".")
    forged = client.post("/invitations/accept", {"token": f"{account_id}.{user_id}.guessed", "password": PASSWORD})
    assert (forged.status, forged.error["code"]) == (410, "invitation_expired")
    malformed = client.post("/invitations/accept", {"token": "nonsense", "password": PASSWORD})
    assert (malformed.status, malformed.error["field"]) == (422, "token")
    missing = client.post("/invitations/accept", {"password": PASSWORD})
    assert (missing.status, missing.error["field"]) == (422, "token")


def test_an_invitation_nobody_accepts_ends_its_workflow_expired(client: Client, configure: Any) -> None:
    owner = owner_of_new_account(client)
    configure(invitation_validity_seconds=1)
    # Only the workflow's own timeout is real time here: the outcome is the same whether the email
    # went out before it or not, so a busy machine changes nothing.
    [result] = invite(owner, {"email": unique_email("late")})
    [execution] = eventually(lambda: executions_of(result["user_id"]), "the invitation's workflow")
    assert json.loads(wait_until_ended(execution["executionArn"])["output"])["outcome"] == "invitation_expired"


def test_expired_link_is_410_shown_expired_and_resend_starts_afresh(
    client: Client, shift_clock: Any, table: Any
) -> None:
    owner = owner_of_new_account(client)
    email = unique_email("late")
    shift_clock(-(settings().invitation_validity_seconds + 60))  # invited a validity period ago, and a minute
    [result] = invite(owner, {"email": email})
    user_id = result["user_id"]
    old_token = invitation_token(email)
    shift_clock(0)

    # Before any cleanup ran, the table already tells the invitation expired.
    listed = {row["id"]: row for row in owner.client.get("/users").body["items"]}
    assert listed[user_id]["status"] == "invitation_expired"
    late = client.post("/invitations/accept", {"token": old_token, "password": PASSWORD})
    assert (late.status, late.error["code"]) == (410, "invitation_expired")

    assert owner.client.post(f"/users/{user_id}/resend-invitation").status == 202
    new_token = invitation_token(email, count=2)
    assert new_token != old_token
    listed = {row["id"]: row for row in owner.client.get("/users").body["items"]}
    assert listed[user_id]["status"] == "invited"
    assert client.post("/invitations/accept", {"token": old_token, "password": PASSWORD}).status == 410
    assert client.post("/invitations/accept", {"token": new_token, "password": PASSWORD}).status == 200
    assert client.post("/auth/confirm", {"email": email, "code": code_in(wait_for_email(email, count=3))}).status == 200
    assert client.post("/auth/login", {"email": email, "password": PASSWORD}).status == 200
    assert "user.reinvited" in audit_actions(table, owner.account_id)


def test_resend_kills_the_old_link_at_once_and_withdraws_its_wait(client: Client) -> None:
    owner = owner_of_new_account(client)
    email = unique_email("twice")
    [result] = invite(owner, {"email": email})
    old_token = invitation_token(email)
    [old_execution] = executions_of(result["user_id"])
    assert owner.client.post(f"/users/{result['user_id']}/resend-invitation").status == 202
    assert client.post("/invitations/accept", {"token": old_token, "password": PASSWORD}).status == 410
    ended = wait_until_ended(old_execution["executionArn"])
    assert json.loads(ended["output"])["outcome"] == "withdrawn"
    new_token = invitation_token(email, count=2)
    assert client.post("/invitations/accept", {"token": new_token, "password": PASSWORD}).status == 200
    assert len(executions_of(result["user_id"])) == 2


def test_code_step_expires_and_a_new_code_can_be_asked(client: Client, shift_clock: Any) -> None:
    owner = owner_of_new_account(client)
    email = unique_email("slow")
    invite(owner, {"email": email})
    shift_clock(-(settings().code_validity_seconds + 60))  # the link accepted, and its code sent, that long ago
    assert client.post("/invitations/accept", {"token": invitation_token(email), "password": PASSWORD}).status == 200
    stale = code_in(wait_for_email(email, count=2))
    shift_clock(0)
    expired = client.post("/auth/confirm", {"email": email, "code": stale})
    assert (expired.status, expired.error["code"]) == (422, "expired_code")
    assert client.post("/auth/resend-code", {"email": email}).status == 202
    fresh = code_in(wait_for_email(email, count=3))
    assert client.post("/auth/confirm", {"email": email, "code": fresh}).status == 200
    assert client.post("/auth/login", {"email": email, "password": PASSWORD}).status == 200

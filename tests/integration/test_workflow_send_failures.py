"""An invitation or a code the identity workflow could not send, every retry spent, shows on the user's row
(GET /users `email_delivery: "failed"`), so an admin knows to resend it; the next send clears it."""

from typing import Any

from tests.helpers import (
    PASSWORD,
    Client,
    Member,
    eventually,
    executions_of,
    invitation_token,
    invite,
    owner_of_new_account,
    unique_email,
    wait_for_email,
    wait_until_ended,
    with_faults,
)

# Every attempt of the workflow's send to that address fails (the ASL's retries included).
EVERY_ATTEMPT = 100


def row_of(manager: Member, user_id: str) -> dict[str, Any]:
    return next(row for row in manager.client.get("/users").body["items"] if row["id"] == user_id)


def test_an_invitation_never_sent_shows_failed_until_a_resend_goes(client: Client) -> None:
    owner = owner_of_new_account(client)
    email = unique_email("unsendable")
    with with_faults("SendInvitationFunction", "ses.SendEmail", mode="fail", times=EVERY_ATTEMPT, recipient=email):
        [invited] = invite(owner, {"email": email})
        user_id = invited["user_id"]
        [execution] = eventually(lambda: executions_of(user_id), "the invitation's workflow")
        assert wait_until_ended(execution["executionArn"])["status"] == "FAILED"
    row = row_of(owner, user_id)
    assert (row["status"], row["email_delivery"]) == ("invited", "failed")

    assert owner.client.post(f"/users/{user_id}/resend-invitation").status == 202
    invitation_token(email)  # the new link is sent
    assert row_of(owner, user_id)["email_delivery"] == "ok"


def test_a_code_never_sent_shows_failed_until_a_new_code_goes(client: Client) -> None:
    owner = owner_of_new_account(client)
    email = unique_email("codeless")
    [invited] = invite(owner, {"email": email})
    user_id = invited["user_id"]
    token = invitation_token(email)
    with with_faults("SendCodeFunction", "ses.SendEmail", mode="fail", times=EVERY_ATTEMPT, recipient=email):
        assert client.post("/invitations/accept", {"token": token, "password": PASSWORD}).status == 200
        eventually(lambda: row_of(owner, user_id)["email_delivery"] == "failed", "the failed code recorded")
    assert row_of(owner, user_id)["status"] == "pending_confirmation"

    assert client.post("/auth/resend-code", {"email": email}).status == 202
    wait_for_email(email, count=2)  # the invitation, then the new code
    eventually(lambda: row_of(owner, user_id)["email_delivery"] == "ok", "the failure cleared by the code sent")

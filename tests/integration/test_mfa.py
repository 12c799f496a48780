"""TOTP multi-factor authentication (SPEC R-MFA-1/2), from the outside: enrollment, two-step login,
replay, brute force, recovery codes, disabling, and the account's requirement."""

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import jwt
import pytest

from comptasecure.domain import mfa_challenge
from comptasecure.secrets import signing_key
from comptasecure.store import keys
from local import emails
from tests.helpers import (
    PASSWORD,
    Client,
    Member,
    add_member,
    audit_events,
    code_in,
    follow_ups_done,
    login,
    owner_of_new_account,
    unique_email,
    wait_for_email,
)
from tests.security_helpers import code_now, enroll, next_code, wrong_code


def user_item(table: Any, user: Member) -> dict[str, Any]:
    return dict(table.get_item(Key=keys.key(keys.account_pk(user.account_id), keys.user_sk(user.user_id)))["Item"])


def second_step(client: Client, mfa_token: str, code: str) -> Any:
    return client.post("/auth/mfa", {"mfa_token": mfa_token, "code": code})


@pytest.mark.parametrize("role", ["owner", "admin", "member"])
def test_enrolled_user_logs_in_in_two_steps(client: Client, table: Any, role: str) -> None:
    owner = owner_of_new_account(client)
    user = owner if role == "owner" else add_member(client, owner.account_id, role)
    other_session = login(client, user.email)
    assert client.get("/me", token=user.token).body["mfa_enabled"] is False

    started = client.post("/me/mfa/totp", token=user.token)
    assert started.status == 200, started.body
    secret = started.body["secret"]
    assert started.body["otpauth_uri"].startswith("otpauth://totp/ComptaSecure:")
    assert f"secret={secret}" in started.body["otpauth_uri"]
    confirmed = client.post("/me/mfa/totp/confirm", {"code": code_now(secret)}, token=user.token)
    assert confirmed.status == 200, confirmed.body
    recovery_codes = confirmed.body["recovery_codes"]
    assert len(recovery_codes) == len(set(recovery_codes)) == 10

    # MFA is on and shows; the other session ended, the enrolling one goes on.
    assert client.get("/me", token=user.token).body["mfa_enabled"] is True
    rows = {row["id"]: row for row in client.get("/users", token=owner.token).body["items"]}
    assert rows[user.user_id]["mfa_enabled"] is True
    assert client.get("/me", token=other_session["access_token"]).status == 401

    # The password alone gives no token, only an mfa_token.
    challenge = login(client, user.email)
    assert set(challenge) == {"mfa_required", "mfa_token"} and challenge["mfa_required"] is True
    tokens = second_step(client, challenge["mfa_token"], next_code(secret))
    assert tokens.status == 200, tokens.body
    assert set(tokens.body) == {"access_token", "refresh_token", "token_type", "expires_in"}
    assert client.get("/me", token=tokens.body["access_token"]).status == 200

    # Stored: the secret sealed, recovery codes hashed; nothing in clear, nothing in the audit trail.
    item = user_item(table, user)
    assert secret not in str(item) and not any(code in str(item) for code in recovery_codes)
    assert len(item["recovery_code_hashes"]) == 10
    [enabled] = audit_events(table, user.account_id, "user.mfa_enabled")
    assert enabled["actor_id"] == enabled["target_id"] == user.user_id
    assert secret not in str(audit_events(table, user.account_id, "user.mfa_enrollment_started"))


def test_mfa_token_is_useless_as_an_access_token(client: Client, shift_clock: Callable[[int], None]) -> None:
    owner = owner_of_new_account(client)
    secret, _ = enroll(client, owner)
    mfa_token = login(client, owner.email)["mfa_token"]
    # The authorizer refuses it on every protected route, and refresh does not take it either.
    assert client.get("/me", token=mfa_token).status == 401
    assert client.get("/account", token=mfa_token).status == 401
    assert client.post("/auth/refresh", {"refresh_token": mfa_token}).status == 401
    # An access token is not an mfa_token, nor is a forged or an enrollment one.
    refused = second_step(client, owner.token, next_code(secret))
    assert (refused.status, refused.error["code"], refused.error["field"]) == (401, "invalid_mfa_token", "mfa_token")
    enroll_token = mfa_challenge.issue({"id": owner.user_id, "account_id": owner.account_id}, mfa_challenge.ENROLL)  # type: ignore[typeddict-item]
    assert second_step(client, enroll_token, next_code(secret)).status == 401
    assert client.post("/auth/mfa/enroll", {"mfa_token": mfa_token}).status == 401  # a code token enrolls nothing
    claims = jwt.decode(mfa_token, signing_key(), algorithms=["HS256"], audience=mfa_challenge.AUDIENCE)
    forged = jwt.encode(
        {**claims, "acc": "another-account"}, "a key that is not ours, 32 bytes or more", algorithm="HS256"
    )
    assert second_step(client, forged, next_code(secret)).status == 401
    # One issued more than five minutes ago has expired.
    shift_clock(-(mfa_challenge.TOKEN_SECONDS + 1))
    old_token = login(client, owner.email)["mfa_token"]
    shift_clock(0)
    expired = second_step(client, old_token, next_code(secret))
    assert (expired.status, expired.error["code"]) == (401, "invalid_mfa_token")
    # None of these refusals spent the code.
    assert second_step(client, mfa_token, next_code(secret)).status == 200


def test_a_code_is_accepted_once_within_its_step(client: Client) -> None:
    owner = owner_of_new_account(client)
    secret, _ = enroll(client, owner)
    enrollment_code, code = code_now(secret), next_code(secret)
    assert second_step(client, login(client, owner.email)["mfa_token"], code).status == 200
    replay = second_step(client, login(client, owner.email)["mfa_token"], code)
    assert (replay.status, replay.error["code"]) == (422, "invalid_code")
    # Nor the code of an earlier step (the enrollment's), though still within the drift window.
    earlier = second_step(client, login(client, owner.email)["mfa_token"], enrollment_code)
    assert earlier.status == 422


def test_concurrent_uses_of_one_code_open_one_session(client: Client) -> None:
    owner = owner_of_new_account(client)
    secret, _ = enroll(client, owner)
    tokens = [login(client, owner.email)["mfa_token"] for _ in range(5)] * 10
    code = next_code(secret)
    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = list(pool.map(lambda token: second_step(client, token, code).status, tokens))
    assert statuses.count(200) == 1, statuses
    # A code used once, or a token older than the one that opened a session: refused (422, 401), or 429.
    assert set(statuses) <= {200, 401, 422, 429}


def test_five_wrong_codes_then_429_even_for_the_right_one(client: Client, table: Any) -> None:
    owner = owner_of_new_account(client)
    secret, recovery_codes = enroll(client, owner)
    mfa_token = login(client, owner.email)["mfa_token"]
    for _ in range(5):
        wrong = second_step(client, mfa_token, wrong_code(secret))
        assert (wrong.status, wrong.error["code"], wrong.error["field"]) == (422, "invalid_code", "code")
    blocked = second_step(client, mfa_token, next_code(secret))
    assert (blocked.status, blocked.error["code"]) == (429, "too_many_attempts")
    # A new login does not buy new guesses, not even with a recovery code, until the window ends.
    fresh = login(client, owner.email)["mfa_token"]
    assert second_step(client, fresh, recovery_codes[0]).status == 429
    table.update_item(  # the window ends (15 minutes later)
        Key=keys.key(keys.account_pk(owner.account_id), keys.user_sk(owner.user_id)),
        UpdateExpression="SET mfa_attempts_until = :past",
        ExpressionAttributeValues={":past": "2000-01-01T00:00:00.000000Z"},
    )
    assert second_step(client, fresh, next_code(secret)).status == 200
    assert "mfa_attempts" not in user_item(table, owner)  # the right code clears the count


def test_fifty_parallel_guesses_check_at_most_five_codes(client: Client) -> None:
    owner = owner_of_new_account(client)
    enroll(client, owner)
    mfa_token = login(client, owner.email)["mfa_token"]
    guesses = [f"{n:06d}" for n in range(50)]
    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = list(pool.map(lambda code: second_step(client, mfa_token, code).status, guesses))
    assert statuses.count(429) >= 45, statuses
    assert set(statuses) <= {200, 422, 429}


def start_enrollment(client: Client, owner: Member, route: str) -> tuple[str, Callable[[str], Any]]:
    """Enrollment started through this route's flow: (secret, a call of the route with a code)."""
    if route == "/auth/mfa/enroll/confirm":
        assert client.patch("/account", {"require_mfa": True}, token=owner.token).status == 200
        mfa_token = login(client, owner.email)["mfa_token"]
        started = client.post("/auth/mfa/enroll", {"mfa_token": mfa_token})
        return started.body["secret"], lambda code: client.post(route, {"mfa_token": mfa_token, "code": code})
    started = client.post("/me/mfa/totp", token=owner.token)
    return started.body["secret"], lambda code: client.post(route, {"code": code}, token=owner.token)


@pytest.mark.parametrize("route", ["/me/mfa/totp/confirm", "/auth/mfa/enroll/confirm"])
def test_five_wrong_enrollment_codes_then_429_even_for_the_right_one(client: Client, table: Any, route: str) -> None:
    """Issue 20 item 9: confirming an enrollment took 12 wrong codes (and more), never a 429."""
    owner = owner_of_new_account(client)
    secret, confirm = start_enrollment(client, owner, route)
    statuses = [confirm(wrong_code(secret)).status for _ in range(12)]
    assert statuses == [422] * 5 + [429] * 7
    blocked = confirm(code_now(secret))
    assert (blocked.status, blocked.error["code"]) == (429, "too_many_attempts")
    assert "mfa_enabled" not in user_item(table, owner)
    table.update_item(  # the window ends (15 minutes later)
        Key=keys.key(keys.account_pk(owner.account_id), keys.user_sk(owner.user_id)),
        UpdateExpression="SET mfa_attempts_until = :past",
        ExpressionAttributeValues={":past": "2000-01-01T00:00:00.000000Z"},
    )
    assert confirm(code_now(secret)).status == 200
    assert "mfa_attempts" not in user_item(table, owner)  # the right code clears the count


def test_fifty_parallel_enrollment_guesses_check_at_most_five_codes(client: Client, table: Any) -> None:
    owner = owner_of_new_account(client)
    secret, confirm = start_enrollment(client, owner, "/me/mfa/totp/confirm")
    valid = {code_now(secret), next_code(secret)}
    guesses = [code for code in (f"{n:06d}" for n in range(60)) if code not in valid][:50]
    with ThreadPoolExecutor(max_workers=50) as pool:
        statuses = list(pool.map(lambda code: confirm(code).status, guesses))
    assert (statuses.count(422), statuses.count(429)) == (5, 45), statuses
    assert user_item(table, owner)["mfa_attempts"] == 5


def test_a_right_password_with_wrong_codes_counts_only_the_codes(client: Client, table: Any) -> None:
    """Issue 20 item 10: DELETE /me/mfa with the right password and a wrong code counted a wrong
    password; five of them locked the password and email changes for 15 minutes."""
    owner = owner_of_new_account(client)
    secret, _ = enroll(client, owner)

    def disable(password: str, code: str) -> Any:
        return client.call("DELETE", "/me/mfa", {"current_password": password, "code": code}, token=owner.token)

    for _ in range(5):
        wrong = disable(PASSWORD, wrong_code(secret))
        assert (wrong.status, wrong.error["code"], wrong.error["field"]) == (422, "invalid_code", "code")
    assert disable(PASSWORD, next_code(secret)).status == 429  # five wrong codes: the code's limit
    assert "password_attempts" not in user_item(table, owner)
    moved = client.post("/me/email", {"new_email": unique_email(), "current_password": PASSWORD}, token=owner.token)
    assert moved.status == 202, moved.body
    # A wrong password is still one: five of them, whatever the code, lock the password changes.
    for _ in range(5):
        assert disable("pas le bon mot de passe", next_code(secret)).error["field"] == "current_password"
    new = "Un autre mot de passe 2026"
    body = {"current_password": PASSWORD, "new_password": new, "new_password_confirmation": new}
    locked = client.post("/me/password", body, token=owner.token)
    assert (locked.status, locked.error["code"]) == (429, "too_many_attempts")


def test_recovery_codes_work_once_each(client: Client, table: Any) -> None:
    owner = owner_of_new_account(client)
    _, recovery_codes = enroll(client, owner)
    used = second_step(client, login(client, owner.email)["mfa_token"], recovery_codes[0].upper())
    assert used.status == 200, used.body
    again = second_step(client, login(client, owner.email)["mfa_token"], recovery_codes[0])
    assert (again.status, again.error["code"]) == (422, "invalid_code")
    assert second_step(client, login(client, owner.email)["mfa_token"], recovery_codes[1]).status == 200
    assert len(user_item(table, owner)["recovery_code_hashes"]) == 8
    events = audit_events(table, owner.account_id, "user.mfa_recovery_code_used")
    assert sorted(event["details"]["recovery_codes_left"] for event in events) == [8, 9]


def test_disabling_needs_password_and_code_and_ends_other_sessions(client: Client, table: Any) -> None:
    owner = owner_of_new_account(client)
    secret, recovery_codes = enroll(client, owner)
    other = second_step(client, login(client, owner.email)["mfa_token"], recovery_codes[0]).body

    def disable(password: str, code: str) -> Any:
        return client.call("DELETE", "/me/mfa", {"current_password": password, "code": code}, token=owner.token)

    wrong_password = disable("pas le bon mot de passe", next_code(secret))
    assert (wrong_password.status, wrong_password.error["field"]) == (422, "current_password")
    assert (disable(PASSWORD, wrong_code(secret)).status, user_item(table, owner)["mfa_enabled"]) == (422, True)
    assert disable(PASSWORD, next_code(secret)).status == 204
    assert client.get("/me", token=owner.token).body["mfa_enabled"] is False
    assert client.get("/me", token=other["access_token"]).status == 401
    assert "totp_secret" not in user_item(table, owner)
    assert "access_token" in login(client, owner.email)
    assert len(audit_events(table, owner.account_id, "user.mfa_disabled")) == 1
    again = disable(PASSWORD, next_code(secret))
    assert (again.status, again.error["code"]) == (409, "mfa_not_enabled")


def test_require_mfa_makes_users_enroll_before_any_token(client: Client, table: Any) -> None:
    owner = owner_of_new_account(client)
    admin = add_member(client, owner.account_id, "admin")
    member = add_member(client, owner.account_id, "member")
    for user in (admin, member):
        refused = client.patch("/account", {"require_mfa": True}, token=user.token)
        assert (refused.status, refused.error["code"]) == (403, "forbidden")
    assert client.get("/account", token=owner.token).body["require_mfa"] is False
    required = client.patch("/account", {"require_mfa": True}, token=owner.token)
    assert (required.status, required.body["require_mfa"]) == (200, True)
    [changed] = audit_events(table, owner.account_id, "account.mfa_requirement_changed")
    assert changed["details"] == {"require_mfa": {"before": False, "after": True}}

    challenge = login(client, member.email)
    assert set(challenge) == {"mfa_enrollment_required", "mfa_token"}
    enroll_token = challenge["mfa_token"]
    assert client.get("/me", token=enroll_token).status == 401
    assert second_step(client, enroll_token, "123456").status == 401  # not a verification token
    started = client.post("/auth/mfa/enroll", {"mfa_token": enroll_token})
    assert started.status == 200, started.body
    secret = started.body["secret"]
    bad = client.post("/auth/mfa/enroll/confirm", {"mfa_token": enroll_token, "code": wrong_code(secret)})
    assert (bad.status, bad.error["code"]) == (422, "invalid_code")
    done = client.post("/auth/mfa/enroll/confirm", {"mfa_token": enroll_token, "code": code_now(secret)})
    assert done.status == 200, done.body
    assert len(done.body["recovery_codes"]) == 10
    assert client.get("/me", token=done.body["access_token"]).body["mfa_enabled"] is True
    assert client.get("/me", token=member.token).status == 401  # sessions from before the enrollment ended
    assert "mfa_required" in login(client, member.email)

    # While required, MFA cannot be turned off.
    member_token = done.body["access_token"]
    body = {"current_password": PASSWORD, "code": next_code(secret)}
    refused = client.call("DELETE", "/me/mfa", body, token=member_token)
    assert (refused.status, refused.error["code"]) == (409, "mfa_required_by_account")
    assert client.patch("/account", {"require_mfa": False}, token=owner.token).body["require_mfa"] is False
    assert client.call("DELETE", "/me/mfa", body, token=member_token).status == 204


@pytest.mark.parametrize(
    ("path", "body", "status", "code", "field"),
    [
        ("/me/mfa/totp/confirm", {"code": "12345"}, 422, "invalid_code", "code"),
        ("/me/mfa/totp/confirm", {"code": 123456}, 400, "wrong_type", "code"),
        ("/me/mfa/totp/confirm", {}, 422, "missing_field", "code"),
        ("/me/mfa/totp/confirm", {"code": "123456", "secret": "X"}, 422, "unknown_field", "secret"),
        ("/auth/mfa", {"mfa_token": "x", "code": "abc"}, 422, "invalid_code", "code"),
        ("/auth/mfa", {"code": "123456"}, 422, "missing_field", "mfa_token"),
        ("/auth/mfa/enroll", {"mfa_token": ""}, 422, "invalid_mfa_token", "mfa_token"),
        ("/account", {}, 422, "invalid_input", None),
    ],
)
def test_bad_input_is_a_4xx_naming_the_field(
    client: Client, path: str, body: Any, status: int, code: str, field: str | None
) -> None:
    owner = owner_of_new_account(client)
    method = "PATCH" if path == "/account" else "POST"
    reply = client.call(method, path, body, token=owner.token)
    assert reply.status == status, reply.body
    assert reply.error["code"] == code
    assert reply.error.get("field") == field


def test_enrollment_states(client: Client) -> None:
    owner = owner_of_new_account(client)
    not_started = client.post("/me/mfa/totp/confirm", {"code": "123456"}, token=owner.token)
    assert (not_started.status, not_started.error["code"]) == (422, "mfa_enrollment_not_started")
    enroll(client, owner)
    again = client.post("/me/mfa/totp", token=owner.token)
    assert (again.status, again.error["code"]) == (409, "mfa_already_enabled")
    for path in ("/me/mfa/totp", "/me/mfa/totp/confirm"):
        assert client.post(path, {"code": "123456"} if "confirm" in path else None).status == 401


def test_the_secret_is_never_logged(client: Client, capfd: pytest.CaptureFixture[str]) -> None:
    owner = owner_of_new_account(client)
    capfd.readouterr()
    secret, recovery_codes = enroll(client, owner)
    login(client, owner.email)
    output = "".join(capfd.readouterr())
    assert secret not in output
    assert not any(code in output for code in recovery_codes)


def test_answers_carrying_a_secret_are_never_cached(client: Client) -> None:
    owner = owner_of_new_account(client)
    started = client.post("/me/mfa/totp", token=owner.token)
    secret = started.body["secret"]
    confirmed = client.post("/me/mfa/totp/confirm", {"code": code_now(secret)}, token=owner.token)
    challenge = client.post("/auth/login", {"email": owner.email, "password": PASSWORD})
    tokens = second_step(client, challenge.body["mfa_token"], next_code(secret))
    for reply in (started, confirmed, challenge, tokens):
        assert reply.status == 200, reply.body
        assert (reply.headers["Cache-Control"], reply.headers["Pragma"]) == ("no-store", "no-cache")


@pytest.mark.parametrize("value", ["true", 1, "yes", None])
def test_require_mfa_takes_a_json_boolean_only(client: Client, value: Any) -> None:
    owner = owner_of_new_account(client)
    reply = client.patch("/account", {"require_mfa": value}, token=owner.token)
    assert reply.status in (400, 422), reply.body
    assert client.get("/account", token=owner.token).body["require_mfa"] is False


def test_requiring_mfa_refuses_the_refresh_of_a_session_opened_without_it(client: Client) -> None:
    """Issue 20 item 2: a member's session from before `require_mfa` is not renewed; its access token
    lives out its 15 minutes at most (access_token_seconds), then the member logs in and enrolls."""
    owner = owner_of_new_account(client)
    member = add_member(client, owner.account_id)
    assert client.post("/auth/refresh", {"refresh_token": member.tokens["refresh_token"]}).status == 200
    renewed = login(client, member.email)

    assert client.patch("/account", {"require_mfa": True}, token=owner.token).status == 200

    refused = client.post("/auth/refresh", {"refresh_token": renewed["refresh_token"]})
    assert refused.status == 401
    assert set(login(client, member.email)) == {"mfa_enrollment_required", "mfa_token"}


def test_an_mfa_token_opens_one_session_and_dies_with_a_password_change(client: Client) -> None:
    """Issue 20 item 8: the same mfa_token with the next code gives no second session, and one issued
    before a password change is refused after it."""
    owner = owner_of_new_account(client)
    secret, _ = enroll(client, owner)
    mfa_token = login(client, owner.email)["mfa_token"]
    assert second_step(client, mfa_token, next_code(secret)).status == 200
    again = second_step(client, mfa_token, code_now(secret))
    assert (again.status, again.error["code"]) == (401, "invalid_mfa_token")

    before_change = login(client, owner.email)["mfa_token"]
    follow_ups_done(client)  # the "MFA turned on" notice is out: the next email is the code
    sent = len(emails.sent(owner.email))
    new_password = "Un autre mot de passe 2027 !"
    asked = client.post(
        "/me/password",
        {"current_password": PASSWORD, "new_password": new_password, "new_password_confirmation": new_password},
        token=owner.token,
    )
    assert asked.status == 202, asked.body
    code = code_in(wait_for_email(owner.email, count=sent + 1))
    assert client.post("/me/password/confirm", {"code": code}, token=owner.token).status == 204
    stale = second_step(client, before_change, next_code(secret))
    assert (stale.status, stale.error["code"]) == (401, "invalid_mfa_token")

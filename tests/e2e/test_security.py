"""Account security over HTTP against the local run, as the web front end drives it: TOTP enrollment
with a code computed from the secret, logout, the two-step login, sessions, and an email change."""

import time

from comptasecure.domain import totp
from tests.e2e.conftest import Http
from tests.e2e.test_account import code_of, signed_up
from tests.helpers import PASSWORD, unique_email


def app_code(secret: str, steps_ahead: int = 0) -> str:
    """What an authenticator app shows now (or at the next step: the current one was just spent)."""
    return totp.code_at(secret, time.time() + steps_ahead * totp.STEP_SECONDS)


def test_enroll_logout_and_log_in_in_two_steps(local_run: Http) -> None:
    email = unique_email("e2e-mfa")
    tokens = signed_up(local_run, email)
    token = tokens["access_token"]

    status, enrollment = local_run.call("POST", "/me/mfa/totp", token=token)
    assert status == 200 and enrollment["otpauth_uri"].startswith("otpauth://totp/")
    secret = enrollment["secret"]
    status, confirmed = local_run.call("POST", "/me/mfa/totp/confirm", {"code": app_code(secret)}, token=token)
    assert status == 200 and len(confirmed["recovery_codes"]) == 10
    assert local_run.call("GET", "/me", token=token)[1]["mfa_enabled"] is True
    assert local_run.call("POST", "/auth/logout", {"refresh_token": tokens["refresh_token"]}) == (204, None)

    status, challenge = local_run.call("POST", "/auth/login", {"email": email, "password": PASSWORD})
    assert (status, challenge["mfa_required"], "access_token" in challenge) == (200, True, False)
    assert local_run.call("GET", "/me", token=challenge["mfa_token"])[0] == 401
    status, tokens = local_run.call(
        "POST", "/auth/mfa", {"mfa_token": challenge["mfa_token"], "code": app_code(secret, steps_ahead=1)}
    )
    assert status == 200, tokens
    token = tokens["access_token"]
    status, sessions = local_run.call("GET", "/me/sessions", token=token)
    assert status == 200
    [current] = [item for item in sessions["items"] if item["current"]]
    assert current["ip"] == "127.0.0.1" and current["user_agent"].startswith("Python-urllib")

    # The email moves: code to the new address, then the new address logs in (with a recovery code).
    new_email = unique_email("e2e-mfa-nouvelle")
    change = {"new_email": new_email, "current_password": PASSWORD}
    assert local_run.call("POST", "/me/email", change, token=token) == (202, {"status": "pending_confirmation"})
    code = code_of(local_run.emails(new_email)[-1])
    status, profile = local_run.call("POST", "/me/email/confirm", {"code": code}, token=token)
    assert (status, profile["email"]) == (200, new_email)
    assert "modifiée" in local_run.emails(email, count=4)[-1]["subject"]  # its code, MFA on, asked, done
    assert local_run.call("POST", "/auth/login", {"email": email, "password": PASSWORD})[0] == 401
    status, challenge = local_run.call("POST", "/auth/login", {"email": new_email, "password": PASSWORD})
    recovery = {"mfa_token": challenge["mfa_token"], "code": confirmed["recovery_codes"][0]}
    assert local_run.call("POST", "/auth/mfa", recovery)[0] == 200
    assert local_run.call("POST", "/me/sessions/revoke-others", token=token) == (204, None)
    assert [item["current"] for item in local_run.call("GET", "/me/sessions", token=token)[1]["items"]] == [True]

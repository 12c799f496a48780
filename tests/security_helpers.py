"""Helpers for the account-security tests: TOTP codes as an authenticator app computes them."""

from comptasecure import clock
from comptasecure.domain import totp
from tests.helpers import Client, Member

TOTP_STEP = totp.STEP_SECONDS


def code_now(secret: str) -> str:
    """What the user's authenticator app shows now (by the back end's clock)."""
    return totp.code_at(secret, clock.now().timestamp())


def next_code(secret: str) -> str:
    """The code of the next time step, which the back end accepts (one step of drift): a code not yet
    spent right after enrollment spent the current one, without waiting 30 seconds."""
    return totp.code_at(secret, clock.now().timestamp() + TOTP_STEP)


def wrong_code(secret: str) -> str:
    now = clock.now().timestamp()
    valid = {totp.code_at(secret, now + delta) for delta in (-TOTP_STEP, 0, TOTP_STEP)}
    return next(f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in valid)


def enroll(client: Client, user: Member) -> tuple[str, list[str]]:
    """Turn MFA on for this user from its session: (secret, recovery codes)."""
    started = client.post("/me/mfa/totp", token=user.token)
    assert started.status == 200, started.body
    secret = str(started.body["secret"])
    confirmed = client.post("/me/mfa/totp/confirm", {"code": code_now(secret)}, token=user.token)
    assert confirmed.status == 200, confirmed.body
    return secret, list(confirmed.body["recovery_codes"])

"""Helpers for the account-security tests: TOTP codes as an app computes them, a clock set back."""

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest

from comptasecure import clock
from comptasecure.domain import totp
from tests.account_helpers import Member
from tests.helpers import Client

TOTP_STEP = totp.STEP_SECONDS


@pytest.fixture
def shift_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[int], None]]:
    """Set the back end's clock (comptasecure.clock) this many seconds from real time.

    Only backwards makes sense: PyJWT checks a token's times against real time, so a token issued
    by a clock in the past is an old token, exactly as if it had been issued then.
    """
    offset = timedelta()
    real_now = clock.now

    def shifted() -> datetime:
        return real_now() + offset

    def set_offset(seconds: int) -> None:
        nonlocal offset
        offset = timedelta(seconds=seconds)

    monkeypatch.setattr(clock, "now", shifted)
    yield set_offset


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


def password_step(client: Client, email: str, password: str) -> Any:
    reply = client.post("/auth/login", {"email": email, "password": password})
    assert reply.status == 200, reply.body
    return reply.body

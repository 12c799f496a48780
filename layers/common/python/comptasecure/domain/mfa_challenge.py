"""The second step of a login (SPEC R-MFA-1/2): who must give a code, or enroll, before any token.

The password step then answers with an ``mfa_token`` instead of tokens: a JWT with its own
audience, so the authorizer (which accepts only the access audience) refuses it, living five
minutes, and naming what it is for (``verify`` a code, or ``enroll`` a first factor). It opens one
session at most (its issue time is spent on the user in the transaction that opens it) and dies
with the user's sessions (it carries the user's ``session_epoch``: a password change ends it too).
This module stays light: login imports it, and login must not pay for what only the MFA routes use.
"""

import time
import uuid
from dataclasses import dataclass
from typing import Final, Literal

from comptasecure import clock
from comptasecure.domain import tokens
from comptasecure.errors import InvalidMfaToken
from comptasecure.secrets import signing_key
from comptasecure.store.records import Account, User

AUDIENCE = "comptasecure-mfa"
TOKEN_SECONDS = 5 * 60
Purpose = Literal["verify", "enroll"]
VERIFY: Final = "verify"
ENROLL: Final = "enroll"


@dataclass(frozen=True)
class Challenge:
    """What the password step answers when tokens must wait for a second factor."""

    purpose: Purpose
    mfa_token: str


@dataclass(frozen=True)
class Pending:
    """Whose login an ``mfa_token`` continues, under which session epoch, issued when."""

    account_id: str
    user_id: str
    session_epoch: int
    issued_ns: int

    def still_valid_for(self, user: User) -> bool:
        """Not spent by a session opened since, not outlived by a change that ended the user's sessions."""
        return (
            int(user.get("session_epoch", 0)) == self.session_epoch
            and int(user.get("mfa_token_floor", 0)) < self.issued_ns
        )


def challenge(user: User, account: Account | None) -> Challenge | None:
    """A code for a user with MFA on; an enrollment when the user's account requires MFA; else None."""
    if user.get("mfa_enabled"):
        return Challenge(VERIFY, issue(user, VERIFY))
    if account is not None and account.get("require_mfa"):
        return Challenge(ENROLL, issue(user, ENROLL))
    return None


def issue(user: User, purpose: Purpose) -> str:
    moment = clock.now()
    payload = {
        "iss": tokens.ISSUER,
        "aud": AUDIENCE,
        "sub": user["id"],
        "acc": user["account_id"],
        "pur": purpose,
        "jti": uuid.uuid4().hex,
        "sep": int(user.get("session_epoch", 0)),
        # Nanoseconds: two logins in one second still get tokens ordered by their issue.
        "ins": time.time_ns(),
        "iat": clock.epoch(moment),
        "exp": clock.epoch(moment) + TOKEN_SECONDS,
    }
    import jwt  # on first use: PyJWT loads cryptography, which most routes never need

    return jwt.encode(payload, signing_key(), algorithm=tokens.ALGORITHM)


def verify(mfa_token: str, purpose: Purpose) -> Pending:
    """The login this token continues, or 401: bad signature, expired, an access token, or another purpose."""
    import jwt

    try:
        payload = tokens.decode(mfa_token, AUDIENCE, ["exp", "iat", "sub", "acc", "pur", "sep", "ins"])
    except jwt.PyJWTError as error:
        raise invalid_mfa_token() from error
    if payload["pur"] != purpose:
        raise invalid_mfa_token()
    return Pending(str(payload["acc"]), str(payload["sub"]), int(payload["sep"]), int(payload["ins"]))


def invalid_mfa_token() -> InvalidMfaToken:
    return InvalidMfaToken()

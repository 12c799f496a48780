"""The second step of a login (SPEC R-MFA-1/2): who must give a code, or enroll, before any token.

The password step then answers with an ``mfa_token`` instead of tokens: a JWT with its own
audience, so the authorizer (which accepts only the access audience) refuses it, living five
minutes, and naming what it is for (``verify`` a code, or ``enroll`` a first factor). This module
stays light: login imports it, and login must not pay for what only the MFA routes use.
"""

import uuid
from dataclasses import dataclass
from typing import Final, Literal

from comptasecure import clock
from comptasecure.domain import tokens
from comptasecure.errors import Unauthorized
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
    """Whose login an ``mfa_token`` continues."""

    account_id: str
    user_id: str


def challenge(user: User, account: Account | None) -> Challenge | None:
    """A code for a user with MFA on; an enrollment when the user's account requires MFA; else None."""
    if user.get("mfa_enabled"):
        return Challenge(VERIFY, issue(user["account_id"], user["id"], VERIFY))
    if account is not None and account.get("require_mfa"):
        return Challenge(ENROLL, issue(user["account_id"], user["id"], ENROLL))
    return None


def issue(account_id: str, user_id: str, purpose: Purpose) -> str:
    moment = clock.now()
    payload = {
        "iss": tokens.ISSUER,
        "aud": AUDIENCE,
        "sub": user_id,
        "acc": account_id,
        "pur": purpose,
        "jti": uuid.uuid4().hex,
        "iat": clock.epoch(moment),
        "exp": clock.epoch(moment) + TOKEN_SECONDS,
    }
    import jwt  # on first use: PyJWT loads cryptography, which most routes never need

    return jwt.encode(payload, signing_key(), algorithm=tokens.ALGORITHM)


def verify(mfa_token: str, purpose: Purpose) -> Pending:
    """The login this token continues, or 401: bad signature, expired, an access token, or another purpose."""
    import jwt

    try:
        payload = tokens.decode(mfa_token, AUDIENCE, ["exp", "iat", "sub", "acc", "pur"])
    except jwt.PyJWTError as error:
        raise invalid_mfa_token() from error
    if payload["pur"] != purpose:
        raise invalid_mfa_token()
    return Pending(str(payload["acc"]), str(payload["sub"]))


def invalid_mfa_token() -> Unauthorized:
    return Unauthorized(
        "Cette étape de connexion a expiré ou n'est pas valide. Reconnectez-vous.",
        field="mfa_token",
        code="invalid_mfa_token",
    )

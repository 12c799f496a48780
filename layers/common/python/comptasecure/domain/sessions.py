"""Authorising a request: the token's signature, then the live state of its session and user."""

from dataclasses import dataclass

from comptasecure import clock
from comptasecure.domain import tokens
from comptasecure.domain.membership import UserStatus
from comptasecure.errors import SessionEnded
from comptasecure.store import sessions as session_store
from comptasecure.store.records import Session, User


@dataclass(frozen=True)
class Authorized:
    """Who makes the request, as the request context carries it to the route."""

    account_id: str
    user_id: str
    session_id: str
    email: str
    role: str
    session_epoch: int


def authorize(access_token: str) -> Authorized:
    """The caller's identity for the request context, or 401: the token's own (not ours, expired), or
    `session_ended` when its session or user is gone or disabled."""
    claims = tokens.verify_access(access_token)
    user, session = session_store.get_with_user(claims.account_id, claims.user_id, claims.session_id)
    if user is None or session is None or not is_live(user, session):
        raise SessionEnded()
    return Authorized(
        claims.account_id,
        claims.user_id,
        claims.session_id,
        str(user["email"]),
        str(user["role"]),
        int(user.get("session_epoch", 0)),
    )


def is_live(user: User, session: Session) -> bool:
    """An active user's session, unexpired, opened under the user's current epoch (a password or email
    change, MFA turned on or off, or a revocation since then moved the epoch on: it ended)."""
    return (
        user.get("status") == UserStatus.ACTIVE
        and int(session.get("ttl", 0)) >= clock.epoch(clock.now())
        and int(session.get("epoch", 0)) == int(user.get("session_epoch", 0))
    )

"""Authorising a request: the token's signature, then the live state of its session and user."""

from dataclasses import dataclass

from comptasecure import clock
from comptasecure.domain import tokens
from comptasecure.domain.membership import UserStatus
from comptasecure.errors import SessionEnded
from comptasecure.store import sessions as session_store


@dataclass(frozen=True)
class Authorized:
    """Who makes the request, as the request context carries it to the route."""

    account_id: str
    user_id: str
    session_id: str
    email: str
    role: str


def authorize(access_token: str) -> Authorized:
    """The caller's identity for the request context, or 401: the token's own (not ours, expired), or
    `session_ended` when its session or user is gone or disabled."""
    claims = tokens.verify_access(access_token)
    user, session = session_store.get_with_user(claims.account_id, claims.user_id, claims.session_id)
    if user is None or session is None or user.get("status") != UserStatus.ACTIVE:
        raise SessionEnded()
    if int(session.get("ttl", 0)) < clock.epoch(clock.now()):
        raise SessionEnded()
    return Authorized(claims.account_id, claims.user_id, claims.session_id, str(user["email"]), str(user["role"]))

"""Authorising a request: the token's signature, then the live state of its session and user."""

from comptasecure import clock
from comptasecure.domain import tokens
from comptasecure.store import sessions as session_store


def authorize(access_token: str) -> dict[str, str]:
    """The caller's identity for the request context, or 401 (bad token, ended session, gone user)."""
    claims = tokens.verify_access(access_token)
    user, session = session_store.get_with_user(claims.account_id, claims.user_id, claims.session_id)
    if user is None or session is None or user.get("status") != "active":
        raise tokens.invalid_token()
    if int(session.get("ttl", 0)) < clock.epoch(clock.now()):
        raise tokens.invalid_token()
    return {
        "account_id": claims.account_id,
        "user_id": claims.user_id,
        "session_id": claims.session_id,
        "email": str(user["email"]),
        "role": str(user["role"]),
    }

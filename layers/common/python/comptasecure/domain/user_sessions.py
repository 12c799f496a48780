"""A user's own sessions (SPEC R-MFA-3): what device and address each came from, and ending them.

A session is one login; the authorizer reads it on every request (consistently), so a session
deleted here refuses its access token on the very next request and its refresh token at once.
"""

import secrets
import time
from dataclasses import dataclass
from typing import Any

from comptasecure import clock
from comptasecure.domain import audit_log, follow_ups
from comptasecure.errors import NotFound, SessionEnded, SessionNotFound, SessionsChanged
from comptasecure.idempotency import replayable
from comptasecure.store import sessions as session_store
from comptasecure.store import users as user_store
from comptasecure.store.transaction import Transaction

USER_AGENT_MAX_LENGTH = 256  # a client sends what it likes: stored bounded
# What a person recognises in a User-Agent, most specific first (Edge and Opera also say Chrome, Chrome
# says Safari, Android says Linux).
BROWSERS = (
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("CriOS/", "Chrome"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
SYSTEMS = (
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
)


@dataclass(frozen=True)
class Device:
    """Where a login or a refresh came from, as the edge saw it (API Gateway's request context)."""

    user_agent: str
    ip: str

    @property
    def stored_user_agent(self) -> str:
        return self.user_agent[:USER_AGENT_MAX_LENGTH]

    def fields(self) -> dict[str, str]:
        return {"user_agent": self.stored_user_agent, "ip": self.ip}

    @property
    def description(self) -> str | None:
        """What a person calls this device ("Chrome sur Windows"), when its User-Agent says it."""
        browser = next((name for token, name in BROWSERS if token in self.user_agent), None)
        system = next((name for token, name in SYSTEMS if token in self.user_agent), None)
        if browser and system:
            return f"{browser} sur {system}"
        return browser or system


def new_session_id() -> str:
    """Time-ordered (milliseconds first), then 80 random bits: the store lists sessions newest first."""
    return f"{time.time_ns() // 1_000_000:012x}{secrets.token_hex(10)}"


@dataclass(frozen=True)
class SessionSummary:
    """One of a user's live sessions, as the user sees it (never its refresh token's hash)."""

    id: str
    created_at: str | None
    last_used_at: str | None
    user_agent: str | None
    ip: str | None
    current: bool


def end_sessions(
    tx: Transaction, account_id: str, user_id: str, ending: user_store.SessionsEnd
) -> user_store.SessionsEnd:
    """Every session of the user ends: ``ending`` goes into the change's own update of the user item (its
    ``session_epoch`` moves on), so the authorizer and the refresh refuse any session of an older epoch
    from that commit on, whatever their number; their items are tidied by a follow-up."""
    follow_ups.tidy_sessions(tx, account_id, user_id, ending.next)
    return ending


def end_other_sessions(
    tx: Transaction,
    account_id: str,
    user_id: str,
    ending: user_store.SessionsEnd,
    keep_session_id: str,
    *,
    mfa: bool = False,
) -> user_store.SessionsEnd:
    """Every session of the user ends but the caller's, carried into the new epoch (``mfa``: the change
    proved a second factor); 401 ``session_ended`` if the caller's ended meanwhile."""
    session_store.carry_over(tx, account_id, user_id, keep_session_id, ending.next, mfa=mfa, on_missing=SessionEnded())
    return end_sessions(tx, account_id, user_id, ending)


def page(
    account_id: str,
    user_id: str,
    current_session_id: str,
    session_epoch: int,
    limit: int,
    start_key: dict[str, Any] | None,
) -> tuple[list[SessionSummary], dict[str, Any] | None]:
    """The user's live sessions, newest first, the caller's own marked ``current``.

    A session of an epoch the user has left is dead (its item may wait a moment for its tidying):
    not shown."""
    items, last_key = session_store.page(account_id, user_id, limit, start_key)
    now = clock.epoch(clock.now())
    sessions = [
        SessionSummary(
            id=item["session_id"],
            created_at=item.get("created_at"),
            last_used_at=item.get("last_used_at") or item.get("created_at"),
            user_agent=item.get("user_agent"),
            ip=item.get("ip"),
            current=item["session_id"] == current_session_id,
        )
        for item in items
        # DynamoDB's TTL deletes late: an expired session is not shown
        if int(item.get("ttl", 0)) >= now and int(item.get("epoch", 0)) == session_epoch
    ]
    return sessions, last_key


def revoke(account_id: str, actor: audit_log.Actor, session_id: str) -> None:
    """End one of the caller's sessions (possibly the current one). Another user's id is not found."""
    tx = Transaction()
    session_store.delete_existing(tx, account_id, actor.id, session_id, on_missing=_session_not_found())
    audit_log.record(tx, account_id, actor, "user.session_revoked", target_type="session", target_id=session_id)
    tx.commit()


def _session_not_found() -> NotFound:
    return SessionNotFound()


@replayable
def revoke_others(account_id: str, actor: audit_log.Actor, current_session_id: str, session_epoch: int) -> None:
    """End every session of the caller but the current one: one transaction, whatever their number.

    ``session_epoch``: the caller's, as the authorizer read it (the transaction holds only if it is still
    the user's). The sessions are counted for the audit event, not deleted one by one.
    """
    ended = [
        session_id
        for session_id in session_store.live_session_ids(account_id, actor.id, session_epoch)
        if session_id != current_session_id
    ]
    tx = Transaction()
    ending = end_other_sessions(tx, account_id, actor.id, user_store.SessionsEnd(session_epoch), current_session_id)
    user_store.end_sessions(tx, account_id, actor.id, ending, on_changed=SessionsChanged())
    audit_log.record(
        tx,
        account_id,
        actor,
        "user.other_sessions_revoked",
        target_type="user",
        target_id=actor.id,
        details={"sessions_ended": len(ended), "kept_session_id": current_session_id},
    )
    tx.commit(answer=None)

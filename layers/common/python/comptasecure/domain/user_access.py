"""A user's access turned off and on, and a user's sessions ended by a manager (API.md PATCH /users/{id}
``{active}``, POST /users/{id}/sessions/revoke; SCIM's ``active``; SPEC R-ENT-3, R-MFA-6).

Disabling is one conditional update of the user item: its status becomes ``disabled`` and its session
epoch moves on in the same write, so every session of the user (and every pending ``mfa_token``) is
refused from that commit on, whatever their number; the authorizer and the refresh read both. A
disabled user keeps its groups, its FEC files and its place in the account's quota; every login path
answers 403 ``user_disabled`` once the user has proved who they are (identity.check_may_log_in).
"""

from dataclasses import dataclass
from typing import Any

from comptasecure.domain import audit_log, user_sessions
from comptasecure.domain.membership import Role, UserStatus
from comptasecure.errors import ChangedMeanwhile, OwnerCannotBeDisabled, OwnerOutOfReach, UserNotFound
from comptasecure.idempotency import replayable
from comptasecure.store import users as user_store
from comptasecure.store.records import User
from comptasecure.store.transaction import Transaction

# A revocation that lost the race to another change of the user's sessions reads the user again.
REVOKE_ATTEMPTS = 3


@dataclass(frozen=True)
class AccessChange:
    """What turning a user's access off or on writes on the user item, in the change's own update."""

    fields: dict[str, Any]
    remove: tuple[str, ...]
    ending: user_store.SessionsEnd | None
    """Disabling ends every session (its ``clause()`` goes into the same update)."""
    action: str
    before: str
    after: str


def access_change(user: User, active: bool) -> AccessChange | None:
    """What ``active`` changes for this user (None: nothing). Disabling keeps the status that enabling
    restores (``active``, or ``invited`` for an invitation not yet accepted). The owner is never disabled:
    the account must keep someone who can log in (and R-ENT-2's break-glass is the owner's)."""
    status = user["status"]
    if active:
        if status != UserStatus.DISABLED:
            return None
        restored = str(user.get("disabled_from", UserStatus.ACTIVE))
        return AccessChange({"status": restored}, ("disabled_from",), None, "user.enabled", status, restored)
    if status == UserStatus.DISABLED:
        return None
    if user["role"] == Role.OWNER:
        raise OwnerCannotBeDisabled()
    return AccessChange(
        {"status": UserStatus.DISABLED, "disabled_from": status},
        (),
        user_store.sessions_end(user),
        "user.disabled",
        status,
        UserStatus.DISABLED,
    )


def record(tx: Transaction, actor: audit_log.Actor, user: User, change: AccessChange) -> None:
    """What follows the change in its transaction: the ended sessions' items tidied, and its audit event."""
    account_id, user_id = user["account_id"], user["id"]
    if change.ending is not None:
        user_sessions.end_sessions(tx, account_id, user_id, change.ending)
    audit_log.record(
        tx,
        account_id,
        actor,
        change.action,
        target_type="user",
        target_id=user_id,
        details={"email": user["email"], "status": {"before": change.before, "after": change.after}},
    )


@replayable
def revoke_sessions(account_id: str, actor_id: str, user_id: str) -> None:
    """End every session of the user at once (ASVS 5.0 7.4.5): one update of the user item moves its
    session epoch on, whatever the number of sessions; their items are tidied by a follow-up."""
    for attempt in range(REVOKE_ATTEMPTS):
        actor, user = actor_and_target(account_id, actor_id, user_id)
        tx = Transaction()
        ending = user_sessions.end_sessions(tx, account_id, user_id, user_store.sessions_end(user))
        user_store.end_sessions(tx, account_id, user_id, ending, on_changed=ChangedMeanwhile())
        audit_log.record(
            tx,
            account_id,
            audit_log.Actor(actor["id"], actor["email"]),
            "user.sessions_revoked",
            target_type="user",
            target_id=user_id,
            details={"email": user["email"]},
        )
        try:
            tx.commit(answer=None)
            return
        except ChangedMeanwhile:
            # Another change ended the sessions (or removed the user) at the same instant: read again, so
            # that a session opened since is ended too (a removed user is then not found).
            if attempt == REVOKE_ATTEMPTS - 1:
                raise


def actor_and_target(account_id: str, actor_id: str, user_id: str) -> tuple[User, User]:
    """The manager and the user acted on, in one BatchGetItem (the same item when users act on themselves)."""
    return actor_and_target_in(user_store.read(account_id, [actor_id, user_id]).users, actor_id, user_id)


def actor_and_target_in(found: dict[str, User], actor_id: str, user_id: str) -> tuple[User, User]:
    """Both users of this account (another account's id is 404); an admin never acts on the owner."""
    if actor_id not in found or user_id not in found:
        raise UserNotFound()
    actor, user = found[actor_id], found[user_id]
    if user["role"] == Role.OWNER and actor["role"] != Role.OWNER:
        raise OwnerOutOfReach()
    return actor, user

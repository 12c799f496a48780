"""Invitation links (SPEC R-USR-4): a single-use token, valid INVITATION_VALIDITY_SECONDS."""

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from comptasecure import clock
from comptasecure.domain import audit_log, follow_ups, passwords
from comptasecure.domain.identity import actor_of
from comptasecure.domain.membership import UserStatus
from comptasecure.emails import sender, templates
from comptasecure.errors import Gone, InvalidInvitation, InvitationExpired, NotInvited
from comptasecure.idempotency import replayable
from comptasecure.settings import settings
from comptasecure.store import expiry, keys
from comptasecure.store import invitations as invitation_store
from comptasecure.store import users as user_store
from comptasecure.store.transaction import MAX_TRANSACTION_ITEMS, Transaction


# One answer for a link that expired, was replaced by a newer one, or was already used: the
# person needs a new invitation in every case, and the answer tells nothing more.
def expired() -> Gone:
    return InvitationExpired()


@dataclass(frozen=True)
class InvitationToken:
    account_id: str
    user_id: str
    secret: str

    def __str__(self) -> str:
        return f"{self.account_id}.{self.user_id}.{self.secret}"

    @property
    def secret_hash(self) -> str:
        # 256 random bits: a plain SHA-256 cannot be reversed by guessing.
        return hashlib.sha256(self.secret.encode()).hexdigest()

    @classmethod
    def parse(cls, value: str) -> "InvitationToken":
        parts = value.split(".")
        if len(parts) != 3 or not all(parts):
            raise InvalidInvitation()
        return cls(*parts)


@dataclass(frozen=True)
class InvitationMessage:
    """What the invitation email says, given by whoever started the invitation."""

    email: str
    account_name: str
    first_name: str | None = None
    invited_by_name: str | None = None


def send(account_id: str, user_id: str, task_token: str, execution_arn: str, message: InvitationMessage) -> str:
    """Workflow task: store a new link (the old one dies) and email it; returns its expiry.

    ``message`` (email, first_name, invited_by_name, account_name) came in the workflow's input from
    the invitation, so a batch of 1,000 does not read the user and the account 1,000 times again.
    """
    config = settings()
    token = InvitationToken(account_id, user_id, secrets.token_urlsafe(32))
    expires = clock.later(config.invitation_validity_seconds)
    tx = Transaction()
    invitation_store.replace(
        tx,
        account_id,
        user_id,
        {
            "token_hash": token.secret_hash,
            "expires_at": clock.iso(expires),
            "task_token": task_token,
            "execution_arn": execution_arn,
            "ttl": clock.epoch(expires) + 24 * 3600,
        },
    )
    # Refused if the user is no longer waiting for a link (removed, or already accepted).
    user_store.set_invitation_expiry(
        tx,
        account_id,
        user_id,
        clock.iso(expires),
        on_not_invited=NotInvited(),
    )
    tx.commit()
    link = f"{config.app_base_url}/invitation?token={token}"
    email = templates.invitation(
        message.first_name,
        message.invited_by_name or "Un administrateur",
        message.account_name,
        link,
        config.invitation_validity_seconds // 60,
    )
    sender.send(message.email, email)
    return clock.iso(expires)


@dataclass(frozen=True)
class AcceptedInvitation:
    email: str
    status: UserStatus


@replayable
def accept(token_value: str, password: str) -> AcceptedInvitation:
    """The invited user chooses a password: the link is used up and the workflow emails the code."""
    token = InvitationToken.parse(token_value)
    stored, user = invitation_store.get_with_user(token.account_id, token.user_id)
    now = clock.iso(clock.now())
    if (
        stored is None
        or user is None
        or not hmac.compare_digest(token.secret_hash, str(stored["token_hash"]))
        or stored["expires_at"] <= now
    ):
        raise expired()
    passwords.check_policy(password, email=user["email"])
    tx = Transaction()
    invitation_store.consume(tx, token.account_id, token.user_id, token.secret_hash, now, expired())
    user_store.accept_invitation(tx, token.account_id, token.user_id, passwords.hash_password(password), expired())
    audit_log.record(
        tx,
        token.account_id,
        actor_of(user),
        "user.invitation_accepted",
        target_type="user",
        target_id=user["id"],
        details={"status": {"before": user["status"], "after": UserStatus.PENDING_CONFIRMATION}},
    )
    follow_ups.resume_task(tx, token.account_id, str(stored["task_token"]), {"password_set": True})
    accepted = AcceptedInvitation(user["email"], UserStatus.PENDING_CONFIRMATION)
    tx.commit(answer=accepted)
    return accepted


def expire_overdue(now: str) -> int:
    """Cleanup: each invited user whose link expired is marked so, and the link is removed.

    Found by the expiry index, never by a scan. Both steps are conditional, so a second run, or a
    concurrent one, changes nothing, and a user re-invited in the meantime is left alone. The users
    are marked 50 to a transaction (the mark and its audit event: 2 items each), the links deleted
    100 to one: a handful of calls per hundred expired links, not two per link.
    """
    overdue = list(expiry.expired(invitation_store.EXPIRY_KIND, now))
    for start in range(0, len(overdue), MAX_TRANSACTION_ITEMS // 2):
        batch = overdue[start : start + MAX_TRANSACTION_ITEMS // 2]
        while batch:
            tx = Transaction()
            for item in batch:
                account_id = keys.account_id_of(item["PK"])
                user_id = keys.user_id_of_invitation(item["SK"])
                user_store.mark_invitation_expired(tx, account_id, user_id, now)
                audit_log.record(
                    tx,
                    account_id,
                    audit_log.SYSTEM,
                    "user.invitation_expired",
                    target_type="user",
                    target_id=user_id,
                    details={"expired_at": item["expires_at"]},
                )
            # Already marked, re-invited or accepted: that user is dropped (nothing to record), the rest retried.
            failed_users = {position // 2 for position in tx.commit_or_failed()}
            batch = [item for position, item in enumerate(batch) if failed_users and position not in failed_users]
    return expiry.delete_if_expired(overdue, now)

"""Invitation links (SPEC R-USR-4): a single-use token, valid INVITATION_VALIDITY_SECONDS."""

import hashlib
import secrets
from dataclasses import dataclass

from comptasecure import clock
from comptasecure.emails import sender, templates
from comptasecure.settings import settings
from comptasecure.store import accounts as account_store
from comptasecure.store import invitations as invitation_store
from comptasecure.store import users as user_store


@dataclass(frozen=True)
class InvitationToken:
    account_id: str
    user_id: str
    secret: str

    def __str__(self) -> str:
        return f"{self.account_id}.{self.user_id}.{self.secret}"

    @property
    def secret_hash(self) -> str:
        return hashlib.sha256(self.secret.encode()).hexdigest()


def send(account_id: str, user_id: str, task_token: str, execution_arn: str) -> str:
    """Workflow task: store a new link (the old one dies) and email it; returns its expiry."""
    user = user_store.get(account_id, user_id)
    account = account_store.get(account_id)
    config = settings()
    token = InvitationToken(account_id, user_id, secrets.token_urlsafe(32))
    expires = clock.later(config.invitation_validity_seconds)
    invitation_store.replace(
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
    link = f"{config.app_base_url}/invitation?token={token}"
    email = templates.invitation(
        user.get("first_name"),
        user.get("invited_by_name") or "Un administrateur",
        account["name"],
        link,
        config.invitation_validity_seconds // 60,
    )
    sender.send(user["email"], email)
    return clock.iso(expires)

"""The audit trail: who changed what on an account, recorded in the same transaction as the change."""

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from comptasecure import clock
from comptasecure.settings import settings
from comptasecure.store import audit as audit_store
from comptasecure.store.audit import AuditEvent
from comptasecure.store.transaction import Transaction

# Never recorded, whatever a caller passes in details: the audit trail must not leak secrets.
SECRET_FIELDS = frozenset(
    {
        "password",
        "password_hash",
        "pending_password_hash",
        "current_password",
        "new_password",
        "new_password_confirmation",
        "code",
        "code_hash",
        "token",
        "task_token",
        "refresh_token",
        "refresh_hash",
        "access_token",
        "invitation_token_hash",
        "client_secret",
        "secret",
        "totp_secret",
        "totp_pending_secret",
        "recovery_codes",
        "recovery_code_hashes",
        "mfa_token",
    }
)


@dataclass(frozen=True)
class Actor:
    """Who acts: a user (id and email at that time) or one of the system actors."""

    id: str
    email: str | None = None


SUPPORT = Actor("support")
STRIPE = Actor("stripe")
SYSTEM = Actor("system")


def record(
    tx: Transaction,
    account_id: str,
    actor: Actor,
    action: str,
    *,
    target_type: str,
    target_id: str,
    details: dict[str, Any] | None = None,
) -> None:
    """Add the audit event of this change to the change's own transaction."""
    moment = clock.now()
    event: AuditEvent = {
        "id": uuid.uuid4().hex,
        "at": clock.iso(moment),
        "actor_id": actor.id,
        "actor_email": actor.email,
        "action": action,
        "target_type": target_type,
        "target_id": target_id,
        "details": _without_secrets(details or {}),
    }
    retention = timedelta(days=settings().audit_retention_days)
    audit_store.append(tx, account_id, event, clock.epoch(moment + retention))


def changes(before: Mapping[str, object], after: Mapping[str, object]) -> dict[str, Any]:
    """The before/after of each field that really changed."""
    return {
        name: {"before": before.get(name), "after": value} for name, value in after.items() if before.get(name) != value
    }


def _without_secrets(details: dict[str, Any]) -> dict[str, Any]:
    return {
        name: _without_secrets(value) if isinstance(value, dict) else value
        for name, value in details.items()
        if name not in SECRET_FIELDS
    }

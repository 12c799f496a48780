"""The user's own profile (SPEC R-PRO-1)."""

from typing import Any

from comptasecure.domain import audit_log
from comptasecure.store import users as user_store
from comptasecure.store.transaction import Transaction

PROFILE_FIELDS = (
    "id",
    "email",
    "first_name",
    "last_name",
    "phone",
    "company_name",
    "siren",
    "job_title",
    "company_size",
    "role",
    "account_id",
    "status",
)


def get(account_id: str, user_id: str) -> dict[str, Any]:
    user = user_store.get(account_id, user_id)
    return {**{name: user.get(name) for name in PROFILE_FIELDS}, "mfa_enabled": bool(user.get("mfa_enabled"))}


def update(account_id: str, actor: audit_log.Actor, changes: dict[str, Any]) -> dict[str, Any]:
    """Change the given profile fields; None clears an optional one.

    The edge model (models.profile.ProfileUpdate) is what keeps the email, role and status out.
    """
    before = get(account_id, actor.id)
    changed = audit_log.changes(before, changes)
    if not changed:
        return before
    tx = Transaction()
    user_store.set_fields(tx, account_id, actor.id, {name: changes[name] for name in changed})
    audit_log.record(
        tx, account_id, actor, "user.profile_updated", target_type="user", target_id=actor.id, details=changed
    )
    tx.commit()
    return {**before, **changes}

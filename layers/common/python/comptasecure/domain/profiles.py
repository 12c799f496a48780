"""The user's own profile (SPEC R-PRO-1)."""

from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from typing import Any

from comptasecure.domain import audit_log
from comptasecure.store import users as user_store
from comptasecure.store.records import User
from comptasecure.store.transaction import Transaction


@dataclass(frozen=True)
class ProfileView:
    """What a user sees and edits of itself: never its password hash nor its counters."""

    id: str
    email: str
    role: str
    account_id: str
    status: str
    mfa_enabled: bool
    passkey_count: int
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None
    company_name: str | None = None
    siren: str | None = None
    job_title: str | None = None
    company_size: str | None = None


def get(account_id: str, user_id: str) -> ProfileView:
    return view_of(user_store.get(account_id, user_id))


def view_of(user: User) -> ProfileView:
    return ProfileView(
        id=user["id"],
        email=user["email"],
        role=user["role"],
        account_id=user["account_id"],
        status=user["status"],
        mfa_enabled=bool(user.get("mfa_enabled")),
        passkey_count=int(user.get("passkey_count", 0)),
        first_name=user.get("first_name"),
        last_name=user.get("last_name"),
        phone=user.get("phone"),
        company_name=user.get("company_name"),
        siren=user.get("siren"),
        job_title=user.get("job_title"),
        company_size=user.get("company_size"),
    )


def update(account_id: str, actor: audit_log.Actor, changes: Mapping[str, Any]) -> ProfileView:
    """Change the given profile fields; None clears an optional one.

    The edge model (models.profile.ProfileUpdate) is what keeps the email, role and status out.
    """
    before = get(account_id, actor.id)
    changed = audit_log.changes(asdict(before), dict(changes))
    if not changed:
        return before
    tx = Transaction()
    user_store.set_fields(tx, account_id, actor.id, {name: changes[name] for name in changed})
    audit_log.record(
        tx, account_id, actor, "user.profile_updated", target_type="user", target_id=actor.id, details=changed
    )
    tx.commit()
    return replace(before, **changes)

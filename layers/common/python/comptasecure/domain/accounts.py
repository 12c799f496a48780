"""The account (SPEC R-ACC): its view, rename, ownership transfer, deletion, and support's type change."""

from typing import Any

from comptasecure import workers
from comptasecure.domain import audit_log
from comptasecure.domain.catalogue import catalogue
from comptasecure.errors import Conflict, InvalidInput
from comptasecure.observability import logger
from comptasecure.settings import settings
from comptasecure.store import accounts as account_store
from comptasecure.store import mfa as mfa_store
from comptasecure.store import users as user_store
from comptasecure.store.transaction import Transaction

# A deletion retried when a Stripe customer gets linked at the same instant.
DELETE_ATTEMPTS = 3


def view(account_id: str, caller_id: str) -> dict[str, Any]:
    """Name, type, limits, usage and whether the caller may delete it (owner and alone)."""
    return view_of(account_store.get(account_id), caller_id)


def view_of(account: dict[str, Any], caller_id: str) -> dict[str, Any]:
    account_type = catalogue().get(account["type_id"])
    user_count = int(account["user_count"])
    return {
        "id": account["id"],
        "name": account["name"],
        "type": {"id": account_type.id, "label": account_type.label},
        "limits": account_type.limits,
        "usage": {"users": user_count, "groups": int(account.get("group_count", 0))},
        "owner_id": account["owner_id"],
        "can_delete": account["owner_id"] == caller_id and user_count == 1,
        "require_mfa": bool(account.get("require_mfa")),
    }


def types_for(account_id: str) -> list[dict[str, Any]]:
    current = account_store.get(account_id)["type_id"]
    return [
        {**account_type.model_dump(), "is_current": account_type.id == current} for account_type in catalogue().types
    ]


def update(account_id: str, actor: audit_log.Actor, *, name: str | None, require_mfa: bool | None) -> dict[str, Any]:
    """R-ACC-2 rename, R-MFA-2 require MFA of every user: the owner's (the role is checked at the edge).

    Each field that really changes gets its audit event, all in one transaction.
    """
    account = account_store.get(account_id)
    tx = Transaction()
    if name is not None and name != account["name"]:
        account_store.rename(tx, account_id, name)
        audit_log.record(
            tx,
            account_id,
            actor,
            "account.renamed",
            target_type="account",
            target_id=account_id,
            details={"name": {"before": account["name"], "after": name}},
        )
    required_before = bool(account.get("require_mfa"))
    if require_mfa is not None and require_mfa != required_before:
        mfa_store.set_required(tx, account_id, require_mfa)
        audit_log.record(
            tx,
            account_id,
            actor,
            "account.mfa_requirement_changed",
            target_type="account",
            target_id=account_id,
            details={"require_mfa": {"before": required_before, "after": require_mfa}},
        )
    tx.commit()
    # The account as just written: the read above and this change, not a second read of the item.
    changed = {"name": name, "require_mfa": require_mfa}
    return view_of({**account, **{field: value for field, value in changed.items() if value is not None}}, actor.id)


def transfer_ownership(account_id: str, actor: audit_log.Actor, new_owner_id: str) -> dict[str, Any]:
    """Hand the account to an active admin; the old owner becomes admin. One transaction, one owner."""
    if new_owner_id == actor.id:
        raise InvalidInput("Vous êtes déjà propriétaire de ce compte.", field="user_id", code="already_owner")
    target = user_store.get(account_id, new_owner_id)
    not_active_admin = Conflict(
        "Seul un administrateur actif peut devenir propriétaire du compte.",
        field="user_id",
        code="not_an_active_admin",
    )
    if target["role"] != "admin" or target["status"] != "active":
        raise not_active_admin
    tx = Transaction()
    account_store.set_owner(tx, account_id, new_owner_id, expected_owner_id=actor.id)
    user_store.set_role(
        tx,
        account_id,
        new_owner_id,
        "owner",
        expected_role="admin",
        expected_status="active",
        on_condition_failed=not_active_admin,
    )
    user_store.set_role(
        tx,
        account_id,
        actor.id,
        "admin",
        expected_role="owner",
        on_condition_failed=Conflict("Vous n'êtes plus propriétaire de ce compte.", code="not_owner"),
    )
    audit_log.record(
        tx,
        account_id,
        actor,
        "account.ownership_transferred",
        target_type="user",
        target_id=new_owner_id,
        details={"owner_id": {"before": actor.id, "after": new_owner_id}, "new_owner_email": target["email"]},
    )
    tx.commit()
    return view(account_id, actor.id)


def delete(account_id: str, owner_id: str) -> None:
    """R-ACC-4: delete the account of an owner alone on it, at once for every reader; purge the rest later.

    One transaction, conditioned on ``user_count = 1``, deletes the account item, the owner and
    the owner's email: from that instant no token of the account passes the authorizer (it reads
    the user on every request), login fails, and no route can reach the partition. A concurrent
    invitation either lands first (and the deletion is refused) or fails on the missing account.
    The condition also pins the Stripe customer read just before, so the purge is told the right
    one even if a customer was linked meanwhile (then it reads again). Everything else (the
    partition, the bucket, the Stripe customer and its link, waiting workflows) goes in the
    account purge, run asynchronously: a large account would not fit the API's 29 seconds.
    """
    owner = user_store.get(account_id, owner_id)
    for _ in range(DELETE_ATTEMPTS):
        customer_id = account_store.get(account_id).get("stripe_customer_id")
        tx = Transaction()
        account_store.delete_if_alone(tx, account_id, owner["id"], stripe_customer_id=customer_id)
        user_store.delete_with_email(tx, account_id, owner["id"], owner["email"])
        try:
            tx.commit()
        except Conflict:
            if int(account_store.get(account_id)["user_count"]) != 1:
                raise
            continue  # a Stripe customer was linked between the read and the deletion
        workers.start(
            settings().account_purge_function,
            {"account_id": account_id, "stripe_customer_id": str(customer_id) if customer_id else None},
        )
        logger.info("account deleted, purge queued", extra={"account_id": account_id, "by": owner["id"]})
        return
    raise Conflict("Le compte change trop souvent pour être supprimé ; réessayez.", code="account_busy")


def set_type(account_id: str, type_id: str, reason: str) -> dict[str, str]:
    """R-ACC-5, support only: give an account a type of the catalogue (e.g. Expert-comptable)."""
    account_type = catalogue().get(type_id)  # an unknown type is a 422 naming type_id
    before = account_store.get(account_id)["type_id"]
    tx = Transaction()
    account_store.set_type(tx, account_id, account_type.id)
    audit_log.record(
        tx,
        account_id,
        audit_log.SUPPORT,
        "account.type_changed",
        target_type="account",
        target_id=account_id,
        details={"type": {"before": before, "after": account_type.id}, "reason": reason},
    )
    tx.commit()
    return {"account_id": account_id, "type_id": account_type.id}

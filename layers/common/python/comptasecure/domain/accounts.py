"""The account (SPEC R-ACC): its view, rename, ownership transfer, deletion, and support's type change."""

from typing import Any

from comptasecure.domain import audit, workflow
from comptasecure.domain.catalogue import catalogue
from comptasecure.errors import Conflict, InvalidInput
from comptasecure.observability import logger
from comptasecure.store import accounts as account_store
from comptasecure.store import cabinet as cabinet_store
from comptasecure.store import mfa as mfa_store
from comptasecure.store import users as user_store
from comptasecure.store.transaction import Transaction

# Deletion sweep: items read per page; the batch writer sends them 25 at a time.
SWEEP_PAGE = 100


def view(account_id: str, caller_id: str) -> dict[str, Any]:
    """Name, type, limits, usage and whether the caller may delete it (owner and alone)."""
    account = account_store.get(account_id)
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


def update(account_id: str, actor: audit.Actor, *, name: str | None, require_mfa: bool | None) -> dict[str, Any]:
    """R-ACC-2 rename, R-MFA-2 require MFA of every user: the owner's (the role is checked at the edge).

    Each field that really changes gets its audit event, all in one transaction.
    """
    account = account_store.get(account_id)
    tx = Transaction()
    if name is not None and name != account["name"]:
        account_store.rename(tx, account_id, name)
        audit.record(
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
        audit.record(
            tx,
            account_id,
            actor,
            "account.mfa_requirement_changed",
            target_type="account",
            target_id=account_id,
            details={"require_mfa": {"before": required_before, "after": require_mfa}},
        )
    tx.commit()
    return view(account_id, actor.id)


def transfer_ownership(account_id: str, actor: audit.Actor, new_owner_id: str) -> dict[str, Any]:
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
    audit.record(
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


def delete(account_id: str, owner_id: str) -> int:
    """R-ACC-4: delete the account of an owner alone on it; returns how many items were removed.

    The account item, the owner and the owner's email go first, in one transaction conditioned on
    ``user_count = 1``: a concurrent invitation either lands before (and the deletion is refused)
    or fails on the missing account. The rest of the partition then goes page by page; waiting
    workflows are withdrawn and links outside the partition (emails, analyses) released, so
    nothing stays readable and the owner's email can sign up again. No audit event survives the
    partition it would live in: the deletion is logged instead.
    """
    owner = user_store.get(account_id, owner_id)
    tx = Transaction()
    account_store.delete_if_alone(tx, account_id, owner["id"])
    user_store.delete_with_email(tx, account_id, owner["id"], owner["email"])
    tx.commit()
    removed = 3  # the account item, the owner and the owner's email
    while page := account_store.first_items(account_id, SWEEP_PAGE):
        for item in page:
            _release_outside_links(account_id, item)
        account_store.delete_items(page)
        removed += len(page)
    logger.info("account deleted", extra={"account_id": account_id, "by": owner["id"], "items_removed": removed})
    return removed


def _release_outside_links(account_id: str, item: dict[str, Any]) -> None:
    kind = item.get("kind")
    if kind in ("code", "invitation"):
        workflow.withdraw(item.get("task_token"), "Cancelled")
    elif kind == "user" and item.get("email"):
        user_store.release_email(str(item["email"]), account_id)
    elif kind == "crm" and item.get("analysis_id"):
        cabinet_store.release_analysis(str(item["analysis_id"]), account_id)


def set_type(account_id: str, type_id: str, reason: str) -> dict[str, str]:
    """R-ACC-5, support only: give an account a type of the catalogue (e.g. Expert-comptable)."""
    account_type = catalogue().get(type_id)  # an unknown type is a 422 naming type_id
    before = account_store.get(account_id)["type_id"]
    tx = Transaction()
    account_store.set_type(tx, account_id, account_type.id)
    audit.record(
        tx,
        account_id,
        audit.SUPPORT,
        "account.type_changed",
        target_type="account",
        target_id=account_id,
        details={"type": {"before": before, "after": account_type.id}, "reason": reason},
    )
    tx.commit()
    return {"account_id": account_id, "type_id": account_type.id}

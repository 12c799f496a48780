"""The account (SPEC R-ACC): its view, rename, ownership transfer, deletion, and support's type change."""

from dataclasses import dataclass

from comptasecure.domain import audit_log, follow_ups
from comptasecure.domain.catalogue import Obtention, catalogue
from comptasecure.domain.membership import Role, UserStatus
from comptasecure.errors import (
    AccountBusy,
    AccountNotEmpty,
    AlreadyOwner,
    Conflict,
    NotAnActiveAdmin,
    NotOwner,
)
from comptasecure.idempotency import replayable
from comptasecure.observability import logger
from comptasecure.store import accounts as account_store
from comptasecure.store import users as user_store
from comptasecure.store.records import Account
from comptasecure.store.transaction import Transaction

# A deletion retried when a Stripe customer gets linked at the same instant.
DELETE_ATTEMPTS = 3


@dataclass(frozen=True)
class TypeRef:
    id: str
    label: str


@dataclass(frozen=True)
class AccountOverview:
    """The account as its users see it: name, type, limits, usage and who may delete it."""

    id: str
    name: str
    type: TypeRef
    limits: dict[str, int]
    usage: dict[str, int]
    owner_id: str
    can_delete: bool
    require_mfa: bool


@dataclass(frozen=True)
class TypeChoice:
    """A type of the catalogue, and whether it is the account's."""

    id: str
    label: str
    limits: dict[str, int]
    obtained_by: Obtention
    is_current: bool


def view(account_id: str, caller_id: str) -> AccountOverview:
    """Name, type, limits, usage and whether the caller may delete it (owner and alone)."""
    return view_of(account_store.get(account_id), caller_id)


def view_of(account: Account, caller_id: str) -> AccountOverview:
    account_type = catalogue().get(account["type_id"])
    user_count = int(account["user_count"])
    return AccountOverview(
        id=account["id"],
        name=account["name"],
        type=TypeRef(account_type.id, account_type.label),
        limits=account_type.limits,
        usage={"users": user_count, "groups": int(account.get("group_count", 0))},
        owner_id=account["owner_id"],
        can_delete=account["owner_id"] == caller_id and user_count == 1,
        require_mfa=bool(account.get("require_mfa")),
    )


def types_for(account_id: str) -> list[TypeChoice]:
    current = account_store.get(account_id)["type_id"]
    return [TypeChoice(t.id, t.label, t.limits, t.obtained_by, is_current=t.id == current) for t in catalogue().types]


def update(account_id: str, actor: audit_log.Actor, *, name: str | None, require_mfa: bool | None) -> AccountOverview:
    """R-ACC-2 rename, R-MFA-2 require MFA of every user: the owner's (the role is checked at the edge).

    Every field that really changes is written in one update of the account item, each with its
    audit event, all in one transaction.
    """
    account = account_store.get(account_id)
    changes = account_changes(account, name=name, require_mfa=require_mfa)
    tx = Transaction()
    if changes:
        account_store.change(tx, account_id, changes)
    if "name" in changes:
        audit_log.record(
            tx,
            account_id,
            actor,
            "account.renamed",
            target_type="account",
            target_id=account_id,
            details={"name": {"before": account["name"], "after": changes["name"]}},
        )
    if "require_mfa" in changes:
        audit_log.record(
            tx,
            account_id,
            actor,
            "account.mfa_requirement_changed",
            target_type="account",
            target_id=account_id,
            details={"require_mfa": {"before": bool(account.get("require_mfa")), "after": changes["require_mfa"]}},
        )
    tx.commit()
    # The account as just written: the read above and this change, not a second read of the item.
    return view_of({**account, **changes}, actor.id)


def account_changes(account: Account, *, name: str | None, require_mfa: bool | None) -> account_store.AccountChanges:
    """The fields asked for that differ from the account as read (a field given unchanged is no change)."""
    changes: account_store.AccountChanges = {}
    if name is not None and name != account["name"]:
        changes["name"] = name
    if require_mfa is not None and require_mfa != bool(account.get("require_mfa")):
        changes["require_mfa"] = require_mfa
    return changes


@replayable
def transfer_ownership(account_id: str, actor: audit_log.Actor, new_owner_id: str) -> AccountOverview:
    """Hand the account to an active admin; the old owner becomes admin. One transaction, one owner."""
    if new_owner_id == actor.id:
        raise AlreadyOwner()
    target = user_store.get(account_id, new_owner_id)
    if target["role"] != Role.ADMIN or target["status"] != UserStatus.ACTIVE:
        raise _not_an_active_admin()
    account = account_store.get(account_id)
    tx = Transaction()
    account_store.set_owner(tx, account_id, new_owner_id, expected_owner_id=actor.id)
    user_store.set_role(
        tx,
        account_id,
        new_owner_id,
        Role.OWNER,
        expected_role=Role.ADMIN,
        expected_status=UserStatus.ACTIVE,
        on_condition_failed=_not_an_active_admin(),
    )
    user_store.set_role(tx, account_id, actor.id, Role.ADMIN, expected_role=Role.OWNER, on_condition_failed=NotOwner())
    audit_log.record(
        tx,
        account_id,
        actor,
        "account.ownership_transferred",
        target_type="user",
        target_id=new_owner_id,
        details={"owner_id": {"before": actor.id, "after": new_owner_id}, "new_owner_email": target["email"]},
    )
    transferred = view_of({**account, "owner_id": new_owner_id}, actor.id)
    tx.commit(answer=transferred)
    return transferred


def _not_an_active_admin() -> Conflict:
    return NotAnActiveAdmin()


def delete(account_id: str, owner_id: str) -> None:
    """R-ACC-4: delete the account of an owner alone on it, at once for every reader; purge the rest later.

    One transaction, conditioned on ``user_count = 1``, deletes the account item, the owner and
    the owner's email: from that instant no token of the account passes the authorizer (it reads
    the user on every request), login fails, and no route can reach the partition. A concurrent
    invitation either lands first (and the deletion is refused) or fails on the missing account.
    The condition also pins the Stripe customer read just before, so the purge is told the right
    one even if a customer was linked meanwhile (then it reads again). Everything else (the
    partition, the bucket, the Stripe customer and its link, waiting workflows) goes in the
    account purge, run asynchronously (a large account would not fit the API's 29 seconds) and
    owed by the same transaction (an outbox item), so a deletion never leaves its data behind.
    """
    owner = user_store.get(account_id, owner_id)
    for _ in range(DELETE_ATTEMPTS):
        customer_id = account_store.get(account_id).get("stripe_customer_id")
        tx = Transaction()
        account_store.delete_if_alone(tx, account_id, owner["id"], stripe_customer_id=customer_id)
        user_store.delete_with_email(tx, account_id, owner["id"], owner["email"])
        follow_ups.purge_account(tx, account_id, str(customer_id) if customer_id else None)
        try:
            tx.commit()
        except AccountNotEmpty:
            if int(account_store.get(account_id)["user_count"]) != 1:
                raise
            continue  # a Stripe customer was linked between the read and the deletion
        logger.info("account deleted, purge owed", extra={"account_id": account_id, "by": owner["id"]})
        return
    raise AccountBusy()


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

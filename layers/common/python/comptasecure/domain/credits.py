"""Credits (jetons, SPEC R-BIL-3): granted by support or by a paid purchase, consumed by analyses.

A balance never goes below zero: a consumption is one conditional update on the balance of its
type, in the same transaction as its history line and its audit event.
"""

import uuid
from typing import Any

from comptasecure import clock
from comptasecure.domain import audit
from comptasecure.domain.catalogue import CreditType, credit_catalogue
from comptasecure.errors import Conflict, InvalidInput
from comptasecure.http import pagination
from comptasecure.store import credits as credit_store
from comptasecure.store.transaction import Transaction


def credit_type(type_id: str) -> CreditType:
    found = credit_catalogue().get(type_id)
    if found is None:
        raise InvalidInput("Ce type de crédit n'existe pas.", field="type", code="invalid_credit_type")
    return found


def grant(tx: Transaction, account_id: str, actor: audit.Actor, type_id: str, amount: int, reason: str) -> None:
    """Add ``amount`` credits of a type to the account, inside the caller's transaction.

    The caller's transaction makes sure the account exists (it may already write the account item).
    """
    credit_type(type_id)
    if amount <= 0:
        raise InvalidInput("Le nombre de crédits doit être positif.", field="amount", code="invalid_amount")
    credit_store.grant(tx, account_id, type_id, amount)
    _movement(tx, account_id, actor, "billing.credits_granted", type_id, amount, reason)


def grant_now(account_id: str, actor: audit.Actor, type_id: str, amount: int, reason: str) -> dict[str, Any]:
    """Support's grant (R-ACC-5): committed at once; returns the type's new balance."""
    tx = Transaction()
    credit_store.require_account(tx, account_id)
    grant(tx, account_id, actor, type_id, amount, reason)
    tx.commit()
    return next(item for item in balances(account_id) if item["type"] == type_id)


def consume(account_id: str, type_id: str, amount: int, reason: str, actor: audit.Actor = audit.SYSTEM) -> None:
    """Take ``amount`` credits; 409 ``insufficient_credits`` rather than a balance below zero."""
    credit_type(type_id)
    if amount <= 0:
        raise InvalidInput("Le nombre de crédits doit être positif.", field="amount", code="invalid_amount")
    tx = Transaction()
    credit_store.consume(
        tx,
        account_id,
        type_id,
        amount,
        on_insufficient=Conflict("Crédits insuffisants pour cette analyse.", code="insufficient_credits"),
    )
    _movement(tx, account_id, actor, "billing.credits_consumed", type_id, -amount, reason)
    tx.commit()


def balances(account_id: str) -> list[dict[str, Any]]:
    """Granted, consumed and remaining for every type of the catalogue (zero when never granted)."""
    stored = {item["credit_type"]: item for item in credit_store.balances(account_id)}
    rows = []
    for known in credit_catalogue().types:
        item = stored.get(known.id, {})
        rows.append(
            {
                "type": known.id,
                "label": known.label,
                "granted": int(item.get("granted", 0)),
                "consumed": int(item.get("consumed", 0)),
                "remaining": int(item.get("remaining", 0)),
            }
        )
    return rows


def history(account_id: str, limit: int, cursor: str | None) -> tuple[list[dict[str, Any]], str | None]:
    items, last_key = credit_store.history_page(account_id, limit, pagination.decode(cursor, account_id))
    movements = [{name: item.get(name) for name in ("type", "delta", "reason", "at")} for item in items]
    return movements, pagination.encode(last_key, account_id)


def _movement(
    tx: Transaction, account_id: str, actor: audit.Actor, action: str, type_id: str, delta: int, reason: str
) -> None:
    movement = {"id": uuid.uuid4().hex, "type": type_id, "delta": delta, "reason": reason, "at": clock.iso(clock.now())}
    credit_store.add_movement(tx, account_id, movement)
    audit.record(
        tx,
        account_id,
        actor,
        action,
        target_type="credit",
        target_id=type_id,
        details={"type": type_id, "delta": delta, "reason": reason},
    )

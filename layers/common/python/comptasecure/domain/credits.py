"""Credits (jetons, SPEC R-BIL-3): granted by support or by a paid purchase, consumed by analyses.

A balance never goes below zero: a consumption is one conditional update on the balance of its
type, in the same transaction as its history line and its audit event.
"""

import uuid
from typing import Any, TypedDict

from comptasecure import clock
from comptasecure.domain import audit_log
from comptasecure.domain.catalogue import CreditType, catalogue, credit_catalogue
from comptasecure.errors import (
    AccountNotFound,
    AnalysisIdReused,
    Conflict,
    InsufficientCredits,
    InvalidAmount,
    InvalidCreditType,
    MonthlyAnalysisLimitReached,
)
from comptasecure.store import accounts as account_store
from comptasecure.store import credits as credit_store
from comptasecure.store.credits import Consumption, Movement
from comptasecure.store.pages import StartKey
from comptasecure.store.transaction import Transaction

# Who consumes credits: the analysis service, through its IAM-invoked function.
ANALYSIS_SERVICE = audit_log.Actor("analysis_service")


class Balance(TypedDict):
    """One credit type of the catalogue and where the account stands on it."""

    type: str
    label: str
    granted: int
    consumed: int
    remaining: int


def credit_type(type_id: str, field: str = "type") -> CreditType:
    """The catalogue's credit type of this id, or a 422 that names the ones that exist."""
    known = credit_catalogue()
    found = known.get(type_id)
    if found is None:
        raise InvalidCreditType(field=field, existing=", ".join(sorted(credit.id for credit in known.types)))
    return found


def grant(tx: Transaction, account_id: str, actor: audit_log.Actor, type_id: str, amount: int, reason: str) -> None:
    """Add ``amount`` credits of a type to the account, inside the caller's transaction.

    The caller's transaction makes sure the account exists (it may already write the account item).
    """
    credit_type(type_id)
    if amount <= 0:
        raise InvalidAmount()
    credit_store.grant(tx, account_id, type_id, amount)
    _movement(tx, account_id, actor, "billing.credits_granted", type_id, amount, reason)


def grant_now(account_id: str, actor: audit_log.Actor, type_id: str, amount: int, reason: str) -> Balance:
    """Support's grant (R-ACC-5): committed at once; returns the type's new balance."""
    tx = Transaction()
    credit_store.require_account(tx, account_id, on_missing=AccountNotFound())
    grant(tx, account_id, actor, type_id, amount, reason)
    tx.commit()
    return next(item for item in balances(account_id) if item["type"] == type_id)


class AnalysisAlreadyCharged(Conflict):
    """The analysis has consumed its credits already (a retry): its first result is the answer."""


def consume(account_id: str, type_id: str, amount: int, analysis_id: str) -> Consumption:
    """Take ``amount`` credits of a type for one analysis (R-BIL-3), once however often it is retried.

    One transaction writes the analysis's consumption record (conditional on its absence, keyed by
    the analysis id), takes the credits (``remaining >= amount``, so never below zero), counts the
    analysis in the month against the account type's ``max_analyses_per_month``, and writes the
    history line and the audit event. A retry fails the first condition and returns the recorded
    result; a refused consumption records nothing, so it may be retried once credits are granted.
    Months are UTC calendar months.
    """
    credit_type(type_id, field="credit_type")
    if amount <= 0:
        raise InvalidAmount()
    account_type = catalogue().get(account_store.get(account_id)["type_id"])
    consumed_at = clock.iso(clock.now())
    consumption: Consumption = {
        "analysis_id": analysis_id,
        "account_id": account_id,
        "credit_type": type_id,
        "amount": amount,
        "consumed_at": consumed_at,
    }
    tx = Transaction()
    credit_store.record_consumption(tx, account_id, consumption, on_repeat=AnalysisAlreadyCharged())
    credit_store.consume(
        tx,
        account_id,
        type_id,
        amount,
        on_insufficient=InsufficientCredits(),
    )
    max_per_month = account_type.limits.get("max_analyses_per_month", 0)
    credit_store.count_analysis(
        tx,
        account_id,
        consumed_at[:7],
        max_per_month,
        on_limit=MonthlyAnalysisLimitReached(limit=max_per_month),
    )
    _movement(
        tx,
        account_id,
        ANALYSIS_SERVICE,
        "billing.credits_consumed",
        type_id,
        -amount,
        f"Analyse {analysis_id}",
        analysis_id=analysis_id,
    )
    try:
        tx.commit()
    except AnalysisAlreadyCharged:
        return _recorded(account_id, type_id, amount, analysis_id)
    return consumption


def _recorded(account_id: str, type_id: str, amount: int, analysis_id: str) -> Consumption:
    """The first result of an analysis's consumption, if this retry asks for the same thing."""
    recorded = credit_store.consumption(account_id, analysis_id)
    if recorded is None:  # the account was deleted between the two calls
        raise AccountNotFound()
    if (recorded["credit_type"], recorded["amount"]) != (type_id, amount):
        raise AnalysisIdReused()
    return recorded


def balances(account_id: str) -> list[Balance]:
    """Granted, consumed and remaining for every type of the catalogue (zero when never granted)."""
    stored = {item["credit_type"]: item for item in credit_store.balances(account_id)}
    rows: list[Balance] = []
    for known in credit_catalogue().types:
        item = stored.get(known.id)
        rows.append(
            {
                "type": known.id,
                "label": known.label,
                "granted": item["granted"] if item else 0,
                "consumed": item["consumed"] if item else 0,
                "remaining": item["remaining"] if item else 0,
            }
        )
    return rows


def history(account_id: str, limit: int, start_key: StartKey | None) -> tuple[list[Movement], StartKey | None]:
    """One page of the account's credit movements, newest first, after ``start_key``."""
    return credit_store.history_page(account_id, limit, start_key)


def _movement(
    tx: Transaction,
    account_id: str,
    actor: audit_log.Actor,
    action: str,
    type_id: str,
    delta: int,
    reason: str,
    *,
    analysis_id: str | None = None,
) -> None:
    details: dict[str, Any] = {"type": type_id, "delta": delta, "reason": reason}
    movement: Movement = {
        "id": uuid.uuid4().hex,
        "at": clock.iso(clock.now()),
        "type": type_id,
        "delta": delta,
        "reason": reason,
    }
    if analysis_id is not None:
        details["analysis_id"] = movement["analysis_id"] = analysis_id
    credit_store.add_movement(tx, account_id, movement)
    audit_log.record(tx, account_id, actor, action, target_type="credit", target_id=type_id, details=details)

"""Firm information and the CRM of each analysis (SPEC R-CAB).

Opening a CRM pre-fills its empty fields from the filled firm fields of the same name (R-CAB-2);
saving a CRM fills the empty firm fields from it, never overwriting a filled one (R-CAB-3).
"""

import contextlib
import re
from typing import Any

from comptasecure.domain import audit
from comptasecure.errors import Conflict
from comptasecure.store import cabinet as cabinet_store
from comptasecure.store.transaction import Transaction

# The firm-wide fields reused in every CRM; a CRM field of the same name is pre-filled from them.
FIELDS = (
    "identification",
    "address_line1",
    "address_line2",
    "postal_code",
    "city",
    "ordre_registration_number",
    "signatory_name",
    "signatory_title",
    "phone",
    "email",
    "logo_reference",
)

# Analysis ids come from the analysis side; anything else cannot name an analysis.
ANALYSIS_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


class _FilledMeanwhile(Conflict):
    """Another CRM filled this firm field first: its value stays."""


def _filled(value: Any) -> bool:
    return value is not None and value != ""


def _fields_of(item: dict[str, Any]) -> dict[str, str | None]:
    return {name: str(item[name]) if _filled(item.get(name)) else None for name in FIELDS}


def get(account_id: str) -> dict[str, str | None]:
    return _fields_of(cabinet_store.get_cabinet(account_id))


def update(account_id: str, actor: audit.Actor, changes: dict[str, str | None]) -> dict[str, str | None]:
    """Set the given firm fields; null or an empty string empties one."""
    before = get(account_id)
    after = {**before, **{name: value if _filled(value) else None for name, value in changes.items()}}
    changed = audit.changes(before, after)
    if changed:
        tx = Transaction()
        cabinet_store.update_cabinet(
            tx,
            account_id,
            {name: str(after[name]) for name in changed if after[name] is not None},
            [name for name in changed if after[name] is None],
        )
        audit.record(
            tx, account_id, actor, "cabinet.updated", target_type="cabinet", target_id=account_id, details=changed
        )
        tx.commit()
    return after


def crm(account_id: str, analysis_id: str) -> dict[str, Any]:
    """The CRM as it opens: its own filled fields, and the firm's for the empty ones."""
    _check_analysis(account_id, analysis_id)
    own = _crm_fields(account_id, analysis_id)
    firm = get(account_id)
    return {"analysis_id": analysis_id, "fields": {name: own[name] or firm[name] for name in FIELDS}}


def save_crm(account_id: str, analysis_id: str, actor: audit.Actor, changes: dict[str, str | None]) -> dict[str, Any]:
    """Save the CRM's given fields, then fill each empty firm field from what the CRM now holds.

    Each back-filled field is its own conditional write with its audit event: when two CRMs are
    saved at once, each firm field takes exactly one of their values and keeps it.
    """
    _check_analysis(account_id, analysis_id)
    before = _crm_fields(account_id, analysis_id)
    after = {**before, **{name: value if _filled(value) else None for name, value in changes.items()}}
    changed = audit.changes(before, after)
    if changed:
        tx = Transaction()
        cabinet_store.save_crm(
            tx,
            account_id,
            analysis_id,
            {name: str(after[name]) for name in changed if after[name] is not None},
            [name for name in changed if after[name] is None],
        )
        audit.record(tx, account_id, actor, "crm.saved", target_type="analysis", target_id=analysis_id, details=changed)
        tx.commit()
    firm = get(account_id)
    for name in FIELDS:
        value = after[name]
        if value is not None and firm[name] is None:
            _backfill(account_id, analysis_id, actor, name, value)
    return crm(account_id, analysis_id)


def _backfill(account_id: str, analysis_id: str, actor: audit.Actor, name: str, value: str) -> None:
    tx = Transaction()
    cabinet_store.fill_if_empty(tx, account_id, name, value, on_condition_failed=_FilledMeanwhile())
    audit.record(
        tx,
        account_id,
        actor,
        "cabinet.backfilled_from_crm",
        target_type="cabinet",
        target_id=account_id,
        details={name: {"before": None, "after": value}, "analysis_id": analysis_id},
    )
    # Another CRM filled it first: its value stays, and so does this CRM's own copy.
    with contextlib.suppress(_FilledMeanwhile):
        tx.commit()


def _check_analysis(account_id: str, analysis_id: str) -> None:
    """Another account's analysis is not found, exactly like one that does not exist."""
    if not ANALYSIS_ID.fullmatch(analysis_id):
        raise cabinet_store.ANALYSIS_NOT_FOUND
    owner = cabinet_store.analysis_account(analysis_id)
    if owner is not None and owner != account_id:
        raise cabinet_store.ANALYSIS_NOT_FOUND


def _crm_fields(account_id: str, analysis_id: str) -> dict[str, str | None]:
    return _fields_of(cabinet_store.get_crm(account_id, analysis_id))

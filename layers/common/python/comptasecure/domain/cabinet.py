"""Firm information and the CRM of each analysis (SPEC R-CAB).

Opening a CRM pre-fills its empty fields from the filled firm fields of the same name (R-CAB-2);
saving a CRM fills the empty firm fields from it, never overwriting a filled one (R-CAB-3). A CRM
belongs to the account that saves it: two accounts using one analysis id each have their own.
"""

import re
from typing import TypedDict

from comptasecure.domain import audit_log
from comptasecure.errors import AnalysisNotFound, CabinetChanged, Conflict
from comptasecure.store import cabinet as cabinet_store
from comptasecure.store.cabinet import FieldsItem
from comptasecure.store.transaction import Transaction

# Each firm field by name: its text, or None when it is empty.
FirmFields = dict[str, str | None]


class Crm(TypedDict):
    """A CRM as it opens: the analysis, and each field from the CRM or else from the firm information."""

    analysis_id: str
    fields: FirmFields


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
# A save reads again only when another CRM filled a firm field meanwhile: rarely more than once.
SAVE_ATTEMPTS = 5


class _FilledMeanwhile(Conflict):
    """Another CRM filled this firm field first: its value stays."""


def _filled(value: str | None) -> bool:
    return value is not None and value != ""


def _fields_of(item: FieldsItem) -> FirmFields:
    return {name: item[name] if _filled(item.get(name)) else None for name in FIELDS}


def get(account_id: str) -> FirmFields:
    return _fields_of(cabinet_store.get_cabinet(account_id))


def update(account_id: str, actor: audit_log.Actor, changes: FirmFields) -> FirmFields:
    """Set the given firm fields; null or an empty string empties one."""
    before = get(account_id)
    after = {**before, **{name: value if _filled(value) else None for name, value in changes.items()}}
    changed = audit_log.changes(before, after)
    if changed:
        tx = Transaction()
        cabinet_store.update_cabinet(
            tx,
            account_id,
            {name: str(after[name]) for name in changed if after[name] is not None},
            [name for name in changed if after[name] is None],
        )
        audit_log.record(
            tx, account_id, actor, "cabinet.updated", target_type="cabinet", target_id=account_id, details=changed
        )
        tx.commit()
    return after


def crm(account_id: str, analysis_id: str) -> Crm:
    """The CRM as it opens: its own filled fields, and the firm's for the empty ones (one read)."""
    _check_analysis(analysis_id)
    own, firm = cabinet_store.get_crm_and_cabinet(account_id, analysis_id)
    return _opened(analysis_id, _fields_of(own), _fields_of(firm))


def save_crm(
    account_id: str, analysis_id: str, actor: audit_log.Actor, changes: FirmFields, *, may_edit_firm: bool
) -> Crm:
    """Save the CRM's given fields and, for a caller who may edit the firm information, fill each
    empty firm field from what the CRM now holds (R-CAB-3).

    A member (R-ROLE: reads the firm information) saves the CRM of the analysis they work on, but
    the firm fields stay as the owner and admins left them. One read of the CRM and the firm, one
    transaction: the back-fill is conditional on each field still being empty, so when two CRMs are
    saved at once each firm field takes exactly one of their values; the loser reads again and
    back-fills what is still empty.
    """
    _check_analysis(analysis_id)
    for _ in range(SAVE_ATTEMPTS):
        own, firm_item = cabinet_store.get_crm_and_cabinet(account_id, analysis_id)
        before, firm = _fields_of(own), _fields_of(firm_item)
        after = {**before, **{name: value if _filled(value) else None for name, value in changes.items()}}
        changed = audit_log.changes(before, after)
        backfill = {
            name: value for name, value in after.items() if may_edit_firm and value is not None and firm[name] is None
        }
        tx = Transaction()
        if changed:
            cabinet_store.save_crm(
                tx,
                account_id,
                analysis_id,
                {name: str(after[name]) for name in changed if after[name] is not None},
                [name for name in changed if after[name] is None],
            )
            audit_log.record(
                tx, account_id, actor, "crm.saved", target_type="analysis", target_id=analysis_id, details=changed
            )
        if backfill:
            cabinet_store.fill_if_empty(tx, account_id, backfill, on_condition_failed=_FilledMeanwhile())
            for name, value in backfill.items():
                audit_log.record(
                    tx,
                    account_id,
                    actor,
                    "cabinet.backfilled_from_crm",
                    target_type="cabinet",
                    target_id=account_id,
                    details={name: {"before": None, "after": value}, "analysis_id": analysis_id},
                )
        try:
            tx.commit()
        except _FilledMeanwhile:
            # Another CRM filled one of these firm fields first: its value stays; read again.
            continue
        return _opened(analysis_id, after, {**firm, **backfill})
    raise CabinetChanged()


def _opened(analysis_id: str, own: FirmFields, firm: FirmFields) -> Crm:
    return {"analysis_id": analysis_id, "fields": {name: own[name] or firm[name] for name in FIELDS}}


def _check_analysis(analysis_id: str) -> None:
    """An id that cannot name an analysis is not found. CRMs are the saving account's: an id another
    account also uses names that account's own CRM, invisible from here."""
    if not ANALYSIS_ID.fullmatch(analysis_id):
        raise AnalysisNotFound()

"""Invoices (SPEC R-BIL-4), as Stripe's webhooks recorded them in the account: newest first."""

from comptasecure.store import billing as billing_store
from comptasecure.store.billing import Invoice
from comptasecure.store.pages import StartKey


def page(account_id: str, limit: int, start_key: StartKey | None) -> tuple[list[Invoice], StartKey | None]:
    """One page of the account's invoices, newest first, after ``start_key``."""
    return billing_store.invoices_page(account_id, limit, start_key)

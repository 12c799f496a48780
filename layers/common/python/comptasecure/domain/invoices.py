"""Invoices (SPEC R-BIL-4), as Stripe's webhooks recorded them in the account: newest first."""

from typing import Any

from comptasecure.http import pagination
from comptasecure.store import billing as billing_store

INVOICE_FIELDS = ("id", "name", "paid_at", "amount_excluding_tax", "currency", "pdf_url")


def page(account_id: str, limit: int, cursor: str | None) -> tuple[list[dict[str, Any]], str | None]:
    items, last_key = billing_store.invoices_page(account_id, limit, pagination.decode(cursor, account_id))
    return [{name: item.get(name) for name in INVOICE_FIELDS} for item in items], pagination.encode(
        last_key, account_id
    )

"""The account's invoices."""

from pydantic import BaseModel


class Invoice(BaseModel):
    id: str
    name: str | None
    paid_at: str | None
    amount_excluding_tax: int | None
    currency: str | None
    pdf_url: str | None


class InvoicePage(BaseModel):
    items: list[Invoice]
    next_cursor: str | None

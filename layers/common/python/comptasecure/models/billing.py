"""Billing centre: address, payment methods, credits, invoices, the Stripe webhook and support's grant."""

from typing import Annotated, Literal

from pydantic import BaseModel, PositiveInt, StringConstraints

from comptasecure.models import Request
from comptasecure.validation import CompanyName, CountryCode, EuVatNumber, Name, ShortText

AddressLine = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
PostalCode = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9][A-Za-z0-9 \-]{1,11}$")]
PaymentMethodId = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,5}_[A-Za-z0-9]{1,100}$")]
CreditTypeId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]{1,50}$")]


class BillingAddress(Request):
    company_name: CompanyName
    line1: AddressLine
    line2: ShortText | None = None
    postal_code: PostalCode
    city: Name
    country: CountryCode
    vat_number: EuVatNumber | None = None


class BillingAddressView(BaseModel):
    """Every field null until the address is first filled."""

    company_name: str | None = None
    line1: str | None = None
    line2: str | None = None
    postal_code: str | None = None
    city: str | None = None
    country: str | None = None
    vat_number: str | None = None


class NewPaymentMethod(Request):
    type: Literal["card", "sepa_debit"]


class SetupIntentView(BaseModel):
    client_secret: str
    setup_intent_id: str


class PaymentMethodView(BaseModel):
    id: str
    type: Literal["card", "sepa_debit"]
    brand: str | None = None
    last4: str | None = None
    exp_month: int | None = None
    exp_year: int | None = None
    is_default: bool


class PaymentMethodList(BaseModel):
    items: list[PaymentMethodView]


class CreditBalance(BaseModel):
    type: str
    label: str
    granted: int
    consumed: int
    remaining: int


class CreditBalanceList(BaseModel):
    items: list[CreditBalance]


class CreditMovement(BaseModel):
    type: str
    delta: int
    reason: str
    at: str
    analysis_id: str | None = None  # on a consumption: the analysis it paid for


class CreditHistoryPage(BaseModel):
    items: list[CreditMovement]
    next_cursor: str | None


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


class WebhookAck(BaseModel):
    received: bool = True
    outcome: str  # applied, stale (an older event than what was applied) or ignored


class CreditGrant(Request):
    """Support's grant of credits (R-ACC-5): not an HTTP route, the Lambda's input."""

    account_id: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")]
    type: CreditTypeId
    amount: PositiveInt
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]

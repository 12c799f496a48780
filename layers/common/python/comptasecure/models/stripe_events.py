"""Stripe events as the webhook reads them (the envelope, then the object of each event type we apply) and its answer.

Parsed at the edge so a signed but unusual event (an array, a missing field, a text where a number
belongs) is refused or ignored, never a crash. Unknown fields are kept: Stripe adds fields freely.
"""

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PositiveInt


class _Stripe(BaseModel):
    model_config = ConfigDict(extra="allow")


class EventData(_Stripe):
    object: dict[str, Any]
    previous_attributes: dict[str, Any] | None = None


class StripeEvent(_Stripe):
    """What every Stripe event carries; ``created`` orders the events applied to one object."""

    id: str = Field(min_length=1, max_length=255)
    type: str = Field(min_length=1, max_length=255)
    created: int = Field(ge=0)
    data: EventData


class Address(_Stripe):
    line1: str | None = None
    line2: str | None = None
    postal_code: str | None = None
    city: str | None = None
    country: str | None = None
    state: str | None = None


class Customer(_Stripe):
    id: str = Field(min_length=1)
    object: str = "customer"
    name: str | None = None
    address: Address | None = None


class StatusTransitions(_Stripe):
    paid_at: int | None = None


class Invoice(_Stripe):
    id: str = Field(min_length=1)
    created: int = Field(ge=0)
    customer: str | None = None
    number: str | None = None
    status: str | None = None
    status_transitions: StatusTransitions | None = None
    total_excluding_tax: int | None = None
    subtotal_excluding_tax: int | None = None
    subtotal: int | None = None
    currency: str | None = None
    invoice_pdf: str | None = None


class PaymentMethod(_Stripe):
    id: str = Field(min_length=1)
    type: str = Field(min_length=1)
    customer: str | None = None


class PurchaseMetadata(_Stripe):
    purchase: str | None = None
    credit_type: str | None = None
    quantity: PositiveInt = Field(default=1, le=10_000)


class Payment(_Stripe):
    """A PaymentIntent or a Checkout Session: an analysis purchase says so in its metadata."""

    id: str = Field(min_length=1)
    object: str
    customer: str | None = None
    metadata: PurchaseMetadata = Field(default_factory=PurchaseMetadata)
    payment_status: str | None = None
    payment_intent: str | None = None


class WebhookAck(BaseModel):
    received: bool = True
    outcome: str  # applied, stale (an older event than what was applied) or ignored

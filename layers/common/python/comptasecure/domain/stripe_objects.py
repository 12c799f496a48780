"""Stripe's objects as the webhook reads them: the event envelope, then the object of each event type
we apply. They describe Stripe's API, not ours: the domain reasons on them, so they live beside it.

Parsed before anything is applied, so a signed but unusual event (an array, a missing field, a text
where a number belongs) is refused or ignored, never a crash. Unknown fields are kept: Stripe adds
fields freely.
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


class _OfCustomer(_Stripe):
    """An object that names the customer it belongs to."""

    customer: str | None = None


class Customer(_Stripe):
    id: str = Field(min_length=1)
    object: str = "customer"
    name: str | None = None
    address: Address | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    """Ours: ``account_id`` is set when we create the customer (domain/billing.ensure_customer)."""


class StatusTransitions(_Stripe):
    paid_at: int | None = None


class Invoice(_OfCustomer):
    id: str = Field(min_length=1)
    created: int = Field(ge=0)
    number: str | None = None
    status: str | None = None
    status_transitions: StatusTransitions | None = None
    total_excluding_tax: int | None = None
    subtotal_excluding_tax: int | None = None
    subtotal: int | None = None
    currency: str | None = None
    invoice_pdf: str | None = None


class PaymentMethod(_OfCustomer):
    id: str = Field(min_length=1)
    type: str = Field(min_length=1)


class PurchaseMetadata(_Stripe):
    purchase: str | None = None
    credit_type: str | None = None
    quantity: PositiveInt = Field(default=1, le=10_000)


class Payment(_OfCustomer):
    """A PaymentIntent or a Checkout Session: an analysis purchase says so in its metadata."""

    id: str = Field(min_length=1)
    object: str
    metadata: PurchaseMetadata = Field(default_factory=PurchaseMetadata)
    payment_status: str | None = None
    payment_intent: str | None = None


StripeObject = Customer | Invoice | PaymentMethod | Payment


def customer_of(event: StripeEvent, stripe_object: StripeObject) -> str | None:
    """The Stripe customer an event concerns."""
    if isinstance(stripe_object, Customer):
        return stripe_object.id
    # A detached payment method no longer names its customer; the event's previous state does.
    customer = stripe_object.customer or (event.data.previous_attributes or {}).get("customer")
    return customer if isinstance(customer, str) and customer else None

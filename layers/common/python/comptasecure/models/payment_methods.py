"""The account's payment methods, on Stripe."""

from typing import Literal

from pydantic import BaseModel

from comptasecure.models import Request


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

"""The account's payment methods, on Stripe."""

from typing import Annotated, Literal

from pydantic import BaseModel, StringConstraints

from comptasecure.models import Request

PaymentMethodId = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,5}_[A-Za-z0-9]{1,100}$")]


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

"""The billing centre on Stripe (SPEC R-BIL-1/2): the account's customer, its address, its payment methods.

Stripe is the system of record for payment methods: we ask it for what the page shows (brand,
last 4, expiry) and keep none of it. A card number or an IBAN never reaches this API: the front end
confirms the SetupIntent with Stripe.js.
"""

from collections.abc import Mapping
from contextlib import suppress
from typing import Any, Literal, TypedDict

from comptasecure import clock, idempotency, stripe_api
from comptasecure.domain import audit_log
from comptasecure.errors import (
    AccountNotFound,
    Conflict,
    InvalidVatNumber,
    NotFound,
    PaymentMethodNotFound,
)
from comptasecure.idempotency import replayable
from comptasecure.observability import logger
from comptasecure.store import accounts as account_store
from comptasecure.store import billing as billing_store
from comptasecure.store.billing import BillingAddress
from comptasecure.store.conditions import ConditionFailed
from comptasecure.store.records import Account
from comptasecure.store.transaction import Transaction

PaymentMethodType = Literal["card", "sepa_debit"]
EU_VAT = "eu_vat"


class SetupIntent(TypedDict):
    client_secret: str
    setup_intent_id: str


class ShownPaymentMethod(TypedDict):
    """What the page shows of a payment method, and all we ever keep of it."""

    id: str
    type: str
    brand: str | None
    last4: str | None
    exp_month: int | None
    exp_year: int | None


class PaymentMethodEntry(ShownPaymentMethod):
    is_default: bool


def payment_method_not_found() -> NotFound:
    return PaymentMethodNotFound()


class _AlreadyLinked(Conflict):
    """Another request linked the account's customer first."""


def ensure_customer(account_id: str, actor: audit_log.Actor, account: Account | None = None) -> str:
    """The account's Stripe customer, created on first need; concurrent first calls keep one.

    ``account``: the account item when the caller has just read it (no second read for its link).
    The idempotency key derived from the account makes Stripe answer a retried creation with the
    same customer; the conditional link on the account item settles concurrent first calls.
    """
    existing = _customer_in(account if account is not None else account_store.get(account_id))
    if existing:
        return existing
    with stripe_api.calls():
        customer = stripe_api.client().v1.customers.create(
            params={"metadata": {"account_id": account_id}, "preferred_locales": ["fr"]},
            options={"idempotency_key": f"comptasecure-customer-{account_id}"},
        )
    tx = Transaction()
    billing_store.link_customer(tx, account_id, customer.id, on_already_linked=_AlreadyLinked())
    audit_log.record(
        tx, account_id, actor, "billing.customer_created", target_type="stripe_customer", target_id=customer.id
    )
    try:
        tx.commit()
    except _AlreadyLinked:
        if not account_store.exists(account_id):
            # The account was deleted meanwhile: its purge cannot know this customer, so it goes now.
            with stripe_api.calls():
                stripe_api.client().v1.customers.delete(customer.id)
            raise AccountNotFound() from None
        winner = str(account_store.get(account_id)["stripe_customer_id"])
        if winner != customer.id:
            # Outside Stripe's idempotency window (or on an emulator without it) the loser created a
            # second customer: it was never linked to anything, so it goes.
            with stripe_api.calls():
                stripe_api.client().v1.customers.delete(customer.id)
            logger.info("duplicate Stripe customer removed", extra={"account_id": account_id})
        return winner
    return str(customer.id)


def delete_customer(customer_id: str, account_id: str) -> None:
    """A deleted account's customer goes from Stripe (address, VAT id, payment methods), then its link.

    Already gone at Stripe (a retried purge) is fine; any other Stripe error raises, so the purge
    is run again rather than leave the customer behind.
    """
    import stripe

    try:
        stripe_api.client().v1.customers.delete(customer_id)
    except stripe.InvalidRequestError as error:
        if error.http_status != 404:
            raise
    with suppress(ConditionFailed):  # another account's link to this customer is not ours to remove
        billing_store.unlink_customer(customer_id, account_id)
    logger.info("Stripe customer deleted", extra={"account_id": account_id, "customer_id": customer_id})


def customers_made_for(account_id: str) -> list[str]:
    """Every Stripe customer made for this account, linked or not, found by the ``account_id`` its
    creation put in its metadata (Stripe's Search API).

    A creation whose function died before the link was written, retried after Stripe's 24-hour
    idempotency window, leaves a customer nothing links: only this finds it for the purge.
    """
    with stripe_api.calls():
        found = stripe_api.client().v1.customers.search(params={"query": f"metadata['account_id']:'{account_id}'"})
        return [str(customer.id) for customer in found.auto_paging_iter()]


def customer_of(account_id: str) -> str | None:
    return _customer_in(account_store.get(account_id))


def _customer_in(account: Account) -> str | None:
    customer_id = account.get("stripe_customer_id")
    return str(customer_id) if customer_id else None


def address(account_id: str) -> BillingAddress:
    """The billing address kept on the account; every field null until it is first filled."""
    return address_in(account_store.get(account_id))


def address_in(account: Account) -> BillingAddress:
    """The billing address of an account item already read."""
    return _address(account.get("billing_address") or {})


def _address(fields: Mapping[str, str | None]) -> BillingAddress:
    return {
        "company_name": fields.get("company_name"),
        "line1": fields.get("line1"),
        "line2": fields.get("line2"),
        "postal_code": fields.get("postal_code"),
        "city": fields.get("city"),
        "country": fields.get("country"),
        "vat_number": fields.get("vat_number"),
    }


def update_address(account_id: str, actor: audit_log.Actor, new: Mapping[str, str | None]) -> BillingAddress:
    """Push the address to the Stripe customer (name, address, EU VAT id), then keep it on the account."""
    after = _address(new)
    account = account_store.get(account_id)  # one read: the address before and the customer link
    before = address_in(account)
    customer_id = ensure_customer(account_id, actor, account)
    client = stripe_api.client()
    with stripe_api.calls():
        _replace_vat_number(customer_id, after["vat_number"])
        client.v1.customers.update(
            customer_id,
            {
                "name": str(after["company_name"]),
                "address": {
                    "line1": str(after["line1"]),
                    "line2": str(after["line2"] or ""),
                    "postal_code": str(after["postal_code"]),
                    "city": str(after["city"]),
                    "country": str(after["country"]),
                },
            },
        )
    tx = Transaction()
    billing_store.set_address(tx, account_id, after, on_missing=AccountNotFound())
    # What we just sent is the customer's newest state: a late customer.updated must not undo it.
    billing_store.advance_version(tx, account_id, customer_id, clock.epoch(clock.now()), on_stale=None)
    changes = audit_log.changes(before, after)
    if changes:
        audit_log.record(
            tx,
            account_id,
            actor,
            "billing.address_updated",
            target_type="account",
            target_id=account_id,
            details=changes,
        )
    tx.commit()
    return after


def _replace_vat_number(customer_id: str, vat_number: str | None) -> None:
    """The customer's EU VAT id becomes this one; the new id is added before the old ones go."""
    import stripe

    tax_ids = stripe_api.client().v1.customers.tax_ids
    current = [tax_id for tax_id in tax_ids.list(customer_id).data if tax_id.type == EU_VAT]
    if vat_number and not any(tax_id.value == vat_number for tax_id in current):
        try:
            tax_ids.create(customer_id, {"type": EU_VAT, "value": vat_number})
        except stripe.InvalidRequestError as error:
            raise InvalidVatNumber() from error
    for stale in current:
        if stale.value != vat_number:
            tax_ids.delete(customer_id, stale.id)


def start_adding_payment_method(account_id: str, actor: audit_log.Actor, kind: PaymentMethodType) -> SetupIntent:
    """A SetupIntent the front end confirms with Stripe.js; Stripe then attaches the method to the customer."""
    customer_id = ensure_customer(account_id, actor)
    with stripe_api.calls():
        intent = stripe_api.client().v1.setup_intents.create(
            params={
                "customer": customer_id,
                "allowed_payment_method_types": [kind],
                "usage": "off_session",
                "metadata": {"account_id": account_id},
            },
            # Without a key of the request, stripe-python's own (the same for its retries of this call).
            options={"idempotency_key": key} if (key := idempotency.derived_key("setup-intent")) else {},
        )
    return {"client_secret": str(intent.client_secret), "setup_intent_id": str(intent.id)}


def payment_methods(account_id: str) -> list[PaymentMethodEntry]:
    """The customer's cards and IBANs as Stripe holds them, with the invoice default flagged."""
    customer_id = customer_of(account_id)
    if customer_id is None:
        return []
    client = stripe_api.client()
    with stripe_api.calls():
        customer = client.v1.customers.retrieve(customer_id)
        methods = client.v1.customers.payment_methods.list(customer_id, {"limit": 100})
    default = (customer.to_dict().get("invoice_settings") or {}).get("default_payment_method")
    return [
        _entry(display(method.to_dict()), is_default=method.id == default)
        for method in methods.data
        if method.type in ("card", "sepa_debit")
    ]


def display(method: Mapping[str, Any]) -> ShownPaymentMethod:
    """What the page shows of a payment method (Stripe's JSON of it): brand, last 4, expiry."""
    kind = method["type"]
    details = method.get(kind) or {}
    return {
        "id": method["id"],
        "type": kind,
        "brand": details.get("brand"),
        "last4": details.get("last4"),
        "exp_month": details.get("exp_month"),
        "exp_year": details.get("exp_year"),
    }


def remove_payment_method(account_id: str, actor: audit_log.Actor, method_id: str) -> None:
    """Detach a method from the account's customer; a method of another customer is not found."""
    _, method = _own_method(account_id, method_id)
    shown = display(method)
    with stripe_api.calls(not_found=payment_method_not_found()):
        stripe_api.client().v1.payment_methods.detach(method_id)
    tx = Transaction()
    audit_log.record(
        tx,
        account_id,
        actor,
        "billing.payment_method_removed",
        target_type="payment_method",
        target_id=method_id,
        details={"type": shown["type"], "brand": shown["brand"], "last4": shown["last4"]},
    )
    tx.commit()


@replayable
def set_default_payment_method(account_id: str, actor: audit_log.Actor, method_id: str) -> PaymentMethodEntry:
    """Make this method the one Stripe charges invoices to."""
    customer_id, method = _own_method(account_id, method_id)
    client = stripe_api.client()
    with stripe_api.calls():
        customer = client.v1.customers.retrieve(customer_id).to_dict()
        client.v1.customers.update(customer_id, {"invoice_settings": {"default_payment_method": method_id}})
    previous = (customer.get("invoice_settings") or {}).get("default_payment_method")
    tx = Transaction()
    audit_log.record(
        tx,
        account_id,
        actor,
        "billing.default_payment_method_set",
        target_type="payment_method",
        target_id=method_id,
        details={"default_payment_method": {"before": previous, "after": method_id}},
    )
    entry = _entry(display(method), is_default=True)
    tx.commit(answer=entry)
    return entry


def _entry(shown: ShownPaymentMethod, *, is_default: bool) -> PaymentMethodEntry:
    return {**shown, "is_default": is_default}


def _own_method(account_id: str, method_id: str) -> tuple[str, dict[str, Any]]:
    customer_id = customer_of(account_id)
    if customer_id is None:
        raise payment_method_not_found()
    with stripe_api.calls(not_found=payment_method_not_found()):
        method = stripe_api.client().v1.payment_methods.retrieve(method_id).to_dict()
    if method.get("customer") != customer_id:
        raise payment_method_not_found()
    return customer_id, method

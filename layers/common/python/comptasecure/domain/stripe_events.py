"""Stripe webhooks (SPEC R-BIL-5): verified, applied exactly once, and never older over newer.

- The signature is checked with the endpoint secret and Stripe's tolerance (5 minutes, into the
  past and the future), so a forged body or a captured delivery is refused.
- The event is parsed with pydantic models: a signed body that is no event is a 400, and an event
  whose object does not read as its type says is acknowledged as ``ignored``; never a 500.
- Powertools Idempotency, keyed on the event id, records each applied event in the table: a
  redelivery returns the first answer without touching anything. An event we cannot apply as it
  stands (a credit type or quantity the catalogue refuses) is acknowledged ``ignored``, logged and
  counted (metric ``StripeEventsNotApplied``): Stripe would send it unchanged for three days. Any
  other failure removes the event's in-progress record (Powertools does, on the exception), so
  Stripe's retry applies it afresh.
- Stripe does not promise order: each object remembers the ``created`` time of the last event
  applied to it (a condition in the change's own transaction), and an older event is skipped.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, Literal

from pydantic import ValidationError

from comptasecure import clock, stripe_api
from comptasecure.domain import audit_log, billing, credits
from comptasecure.domain.catalogue import catalogue
from comptasecure.domain.stripe_objects import (
    Address,
    Customer,
    Invoice,
    Payment,
    PaymentMethod,
    StripeEvent,
    StripeObject,
    customer_of,
)
from comptasecure.errors import (
    AccountTypeBusy,
    Conflict,
    EventInProgress,
    InvalidEvent,
    InvalidInput,
    InvalidSignature,
    NotFound,
)
from comptasecure.observability import count, logger
from comptasecure.settings import settings
from comptasecure.store import accounts as account_store
from comptasecure.store import billing as billing_store
from comptasecure.store import credits as credit_store
from comptasecure.store import keys
from comptasecure.store.billing import BillingAddress
from comptasecure.store.records import Account
from comptasecure.store.transaction import Transaction

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig
    from aws_lambda_powertools.utilities.typing import LambdaContext

ANALYSIS_PURCHASE = "analysis"
DEFAULT_PURCHASED_CREDIT = "analyse_fec"
TYPE_CHANGE_ATTEMPTS = 3
SIGNATURE_TOLERANCE_SECONDS = 300

Outcome = Literal["applied", "stale", "ignored"]


class StaleEvent(Conflict):
    """A newer event was already applied to this object."""


class _TypeChangedMeanwhile(Conflict):
    """The account type changed between reading it and upgrading it."""


class _AccountGone(NotFound):
    """The account was deleted: its customer link lives until its purge ends, its events change nothing."""


def receive(payload: str, signature: str | None, context: "LambdaContext") -> Outcome:
    """Verify a delivery and apply its event once; returns applied, stale or ignored (or the first answer).

    A body that is signed but is no Stripe event (no id, type, data or created) is a 400; an event
    whose object we cannot read is acknowledged as ignored (Stripe would resend it unchanged).
    """
    try:
        _verify(payload, signature)
    except InvalidSignature:
        count("StripeWebhookSignatureRefused")
        raise
    try:
        event = StripeEvent.model_validate_json(payload)
    except ValidationError as error:
        logger.warning("signed Stripe body that is no event", extra={"errors": _fields(error)})
        raise InvalidEvent(field=_fields(error)[0] if _fields(error) else None) from error
    from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyAlreadyInProgressError

    # The invocation's deadline bounds the "in progress" record: a crashed attempt does not block retries.
    _idempotency_config().register_lambda_context(context)
    try:
        result: dict[str, Outcome] = _apply_once()(event=event)
    except IdempotencyAlreadyInProgressError as error:
        # Stripe retries a non-2xx delivery: the first one is still being applied.
        raise EventInProgress() from error
    except Exception:
        # Answered with an error: Stripe delivers it again, for up to 3 days (StripeWebhookFailuresAlarm).
        count("StripeWebhookEvents", event_type=event.type, outcome="failed")
        count("StripeWebhookFailed")
        raise
    count("StripeWebhookEvents", event_type=event.type, outcome=result["status"])
    return result["status"]


def _verify(payload: str, signature: str | None) -> None:
    """Stripe's signature with its 5-minute tolerance, applied both ways: Stripe's library refuses an
    old timestamp only, and a delivery signed for the future is no more Stripe's than an old one."""
    import stripe

    try:
        stripe.WebhookSignature.verify_header(
            payload, signature or "", stripe_api.webhook_secret(), SIGNATURE_TOLERANCE_SECONDS
        )
    except stripe.SignatureVerificationError as error:
        raise InvalidSignature() from error
    timestamp = dict(part.split("=", 1) for part in (signature or "").split(",") if "=" in part).get("t", "")
    if not timestamp.isdigit() or int(timestamp) > clock.epoch(clock.now()) + SIGNATURE_TOLERANCE_SECONDS:
        raise InvalidSignature()


def _fields(error: ValidationError) -> list[str]:
    return [".".join(str(part) for part in detail["loc"]) for detail in error.errors()]


@cache
def _idempotency_config() -> "IdempotencyConfig":
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig

    return IdempotencyConfig(
        event_key_jmespath="id",
        raise_on_no_idempotency_key=True,
        expires_after_seconds=settings().stripe_event_retention_days * 24 * 3600,
    )


@cache
def _apply_once() -> Callable[..., dict[str, Outcome]]:
    """``apply`` wrapped by Powertools Idempotency, records in the single table (built on first use)."""
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer, idempotent_function

    persistence = DynamoDBPersistenceLayer(
        table_name=settings().table_name,
        key_attr="PK",
        sort_key_attr="SK",
        static_pk_value=keys.STRIPE_EVENT_PK,
        expiry_attr="ttl",
    )
    wrapped: Callable[..., dict[str, Outcome]] = idempotent_function(
        data_keyword_argument="event", persistence_store=persistence, config=_idempotency_config()
    )(apply)
    return wrapped


def apply(event: StripeEvent) -> dict[str, Outcome]:
    """Apply one verified event to the account of its Stripe customer (Powertools records the answer)."""
    handler = HANDLERS.get(event.type)
    if handler is None:
        return {"status": "ignored"}
    try:
        stripe_object = handler.model.model_validate(event.data.object)
    except ValidationError as error:
        # Signed by Stripe yet unreadable: acknowledged, since a resend would be just as unreadable.
        logger.warning(
            "Stripe event object we cannot read",
            extra={"event_id": event.id, "type": event.type, "fields": _fields(error)},
        )
        return {"status": "ignored"}
    account_id = _account_named_by(event, stripe_object)
    try:
        if account_id is None:
            raise _AccountGone()
        applied = handler.apply(account_id, event, stripe_object)
    except _AccountGone:
        # A deleted account's customer link lives until its purge ends: its events are acknowledged,
        # never answered 404 (Stripe would retry them for days). Each change's transaction holds
        # only while the account exists, so no second read is needed to know it.
        logger.info("Stripe event for no account of ours", extra={"event_id": event.id, "type": event.type})
        return {"status": "ignored"}
    except StaleEvent:
        logger.info("older Stripe event skipped", extra={"event_id": event.id, "type": event.type})
        return {"status": "stale"}
    except InvalidInput as error:
        # Signed, readable, yet refused by our rules (a credit type the catalogue does not hold): a
        # resend would be refused alike. Acknowledged, and told to whoever must apply it by hand.
        logger.error(
            "Stripe event we cannot apply",
            extra={"event_id": event.id, "type": event.type, "error": error.code, "field": error.field},
        )
        count("StripeEventsNotApplied")
        return {"status": "ignored"}
    return {"status": "applied" if applied else "ignored"}


def _account(account_id: str) -> Account:
    """The account item, for the handlers that decide on it; a deleted account changes nothing."""
    try:
        return account_store.get(account_id)
    except NotFound:
        raise _AccountGone() from None


def _newer_only(tx: Transaction, account_id: str, event: StripeEvent, object_id: str) -> None:
    billing_store.advance_version(tx, account_id, object_id, event.created, on_stale=StaleEvent())


def _change_of_live_account(account_id: str, event: StripeEvent, object_id: str) -> Transaction:
    """A transaction that holds only if the account still exists and nothing newer was applied to the object."""
    tx = Transaction()
    _newer_only(tx, account_id, event, object_id)
    credit_store.require_account(tx, account_id, on_missing=_AccountGone())
    return tx


def _account_named_by(event: StripeEvent, stripe_object: StripeObject) -> str | None:
    """The account an event concerns, or None when it is none of ours.

    A customer carries the account id we put in its metadata at its creation: the customer's own
    event names its account without a read, and ``_customer_updated`` holds it to the account's
    link to this customer (so an id edited in Stripe's dashboard changes nothing). Other objects
    name only their customer: its link item says which account it is.
    """
    if isinstance(stripe_object, Customer):
        claimed = stripe_object.metadata.get("account_id")
        if isinstance(claimed, str) and claimed:
            return claimed
    customer_id = customer_of(event, stripe_object)
    return billing_store.account_of_customer(customer_id) if customer_id else None


def _customer_updated(account_id: str, event: StripeEvent, customer: Customer) -> bool:
    """The address edited at Stripe (e.g. at payment time) becomes the account's billing address."""
    account = _account(account_id)
    if account.get("stripe_customer_id") != customer.id:
        raise _AccountGone()  # not (or no longer) this account's customer
    before = billing.address_in(account)
    at_stripe = customer.address or Address()
    after: BillingAddress = {
        "company_name": customer.name or before["company_name"],
        "line1": _taken(before["line1"], at_stripe.line1),
        "line2": _taken(before["line2"], at_stripe.line2),
        "postal_code": _taken(before["postal_code"], at_stripe.postal_code),
        "city": _taken(before["city"], at_stripe.city),
        "country": _taken(before["country"], at_stripe.country),
        "vat_number": before["vat_number"],  # Stripe's customer object does not carry it
    }
    tx = Transaction()
    _newer_only(tx, account_id, event, customer.id)
    changes = audit_log.changes(before, after)
    if changes:
        billing_store.set_address(tx, account_id, after, on_missing=_AccountGone())
        audit_log.record(
            tx,
            account_id,
            audit_log.STRIPE,
            "billing.address_updated",
            target_type="account",
            target_id=account_id,
            details=changes,
        )
    else:
        credit_store.require_account(tx, account_id, on_missing=_AccountGone())
    tx.commit()
    return True


def _taken(ours: str | None, at_stripe: str | None) -> str | None:
    """Stripe's value where it sends one (an empty one empties the field), ours where it sends none."""
    return ours if at_stripe is None else at_stripe or None


def _invoice(account_id: str, event: StripeEvent, invoice: Invoice) -> bool:
    """Keep what the invoices table shows: number, payment date, amount excluding VAT, PDF link."""
    paid_at = invoice.status_transitions.paid_at if invoice.status_transitions else None
    amounts = (invoice.total_excluding_tax, invoice.subtotal_excluding_tax, invoice.subtotal)
    record: billing_store.Invoice = {
        "id": invoice.id,
        "name": invoice.number,
        "status": invoice.status,
        "paid_at": clock.iso(clock.from_epoch(paid_at)) if paid_at else None,
        "amount_excluding_tax": next((value for value in amounts if value is not None), None),
        "currency": invoice.currency,
        "pdf_url": invoice.invoice_pdf,
    }
    tx = _change_of_live_account(account_id, event, invoice.id)
    billing_store.put_invoice(tx, account_id, clock.iso(clock.from_epoch(invoice.created)), record)
    audit_log.record(
        tx,
        account_id,
        audit_log.STRIPE,
        "billing.invoice_recorded",
        target_type="invoice",
        target_id=invoice.id,
        details={
            "name": record["name"],
            "status": record["status"],
            "amount_excluding_tax": record["amount_excluding_tax"],
            "currency": record["currency"],
        },
    )
    tx.commit()
    return True


def _payment_method(action: str) -> Callable[[str, StripeEvent, PaymentMethod], bool]:
    def record(account_id: str, event: StripeEvent, method: PaymentMethod) -> bool:
        tx = _change_of_live_account(account_id, event, method.id)
        shown = billing.display(method.model_dump())
        audit_log.record(
            tx,
            account_id,
            audit_log.STRIPE,
            action,
            target_type="payment_method",
            target_id=method.id,
            details={
                "type": shown["type"],
                "brand": shown["brand"],
                "last4": shown["last4"],
                "exp_month": shown["exp_month"],
                "exp_year": shown["exp_year"],
            },
        )
        tx.commit()
        return True

    return record


def _purchase(account_id: str, event: StripeEvent, payment: Payment) -> bool:
    """A paid analysis: its credits, and Freemium becomes Premium (R-ACC-3); no other type changes."""
    if payment.metadata.purchase != ANALYSIS_PURCHASE:
        return False
    if payment.object == "checkout.session" and payment.payment_status != "paid":
        return False
    # A Checkout payment also raises payment_intent.succeeded: whichever comes first applies it.
    payment_id = payment.payment_intent or payment.id
    credit_type = payment.metadata.credit_type or DEFAULT_PURCHASED_CREDIT
    signup_type = catalogue().obtained_by("signup").id
    purchase_type = catalogue().obtained_by("first_purchase").id
    for _ in range(TYPE_CHANGE_ATTEMPTS):
        current_type = _account(account_id)["type_id"]
        tx = Transaction()
        billing_store.claim_once(tx, account_id, payment_id, event.created, on_repeat=StaleEvent())
        credits.grant(
            tx, account_id, audit_log.STRIPE, credit_type, payment.metadata.quantity, f"Achat Stripe {payment_id}"
        )
        if current_type != signup_type:
            credit_store.require_account(tx, account_id, on_missing=_AccountGone())
        else:
            # Fails as well when the account is gone: the next attempt's read then finds no account.
            account_store.set_type(
                tx,
                account_id,
                purchase_type,
                expected_type=signup_type,
                on_unexpected_type=_TypeChangedMeanwhile(),
            )
            audit_log.record(
                tx,
                account_id,
                audit_log.STRIPE,
                "account.type_changed",
                target_type="account",
                target_id=account_id,
                details={"type": {"before": signup_type, "after": purchase_type}, "reason": "first_purchase"},
            )
        try:
            tx.commit()
        except _TypeChangedMeanwhile:
            continue  # support changed the type meanwhile: decide again on the new type
        return True
    raise AccountTypeBusy()


@dataclass(frozen=True)
class _Handler[T: StripeObject]:
    """An event type we apply: the model its object must match, and what applying it does."""

    model: type[T]
    apply: Callable[[str, StripeEvent, T], bool]


HANDLERS: dict[str, _Handler[Any]] = {
    "customer.updated": _Handler(Customer, _customer_updated),
    "invoice.finalized": _Handler(Invoice, _invoice),
    "invoice.paid": _Handler(Invoice, _invoice),
    "payment_method.attached": _Handler(PaymentMethod, _payment_method("billing.payment_method_added")),
    "payment_method.detached": _Handler(PaymentMethod, _payment_method("billing.payment_method_detached")),
    "payment_intent.succeeded": _Handler(Payment, _purchase),
    "checkout.session.completed": _Handler(Payment, _purchase),
}

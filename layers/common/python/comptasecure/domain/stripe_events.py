"""Stripe webhooks (SPEC R-BIL-5): verified, applied exactly once, and never older over newer.

- The signature is checked with the endpoint secret and Stripe's tolerance (5 minutes, into the
  past and the future), so a forged body or a captured delivery is refused.
- The event is parsed with pydantic models: a signed body that is no event is a 400, and an event
  whose object does not read as its type says is acknowledged as ``ignored``; never a 500.
- Powertools Idempotency, keyed on the event id, records each applied event in the table: a
  redelivery returns the first answer without touching anything.
- Stripe does not promise order: each object remembers the ``created`` time of the last event
  applied to it (a condition in the change's own transaction), and an older event is skipped.
"""

from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from comptasecure import clock, stripe_api
from comptasecure.domain import audit_log, billing, credits
from comptasecure.domain.catalogue import catalogue
from comptasecure.errors import Conflict, DomainError
from comptasecure.models.stripe_events import Customer, Invoice, Payment, PaymentMethod, StripeEvent
from comptasecure.observability import logger
from comptasecure.settings import settings
from comptasecure.store import accounts as account_store
from comptasecure.store import billing as billing_store
from comptasecure.store import credits as credit_store
from comptasecure.store import keys
from comptasecure.store.transaction import Transaction

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig
    from aws_lambda_powertools.utilities.typing import LambdaContext

ANALYSIS_PURCHASE = "analysis"
DEFAULT_PURCHASED_CREDIT = "analyse_fec"
TYPE_CHANGE_ATTEMPTS = 3

Event = dict[str, Any]
SIGNATURE_TOLERANCE_SECONDS = 300


class InvalidSignature(DomainError):
    code = "invalid_signature"
    message = "La signature de l'événement Stripe n'est pas valide."


class InvalidEvent(DomainError):
    code = "invalid_event"
    message = "Le corps n'est pas un événement Stripe lisible."


class StaleEvent(Conflict):
    """A newer event was already applied to this object."""


class _TypeChangedMeanwhile(Conflict):
    """The account type changed between reading it and upgrading it."""


def receive(payload: str, signature: str | None, context: "LambdaContext") -> str:
    """Verify a delivery and apply its event once; returns applied, stale or ignored (or the first answer).

    A body that is signed but is no Stripe event (no id, type, data or created) is a 400; an event
    whose object we cannot read is acknowledged as ignored (Stripe would resend it unchanged).
    """
    _verify(payload, signature)
    try:
        event = StripeEvent.model_validate_json(payload)
    except ValidationError as error:
        logger.warning("signed Stripe body that is no event", extra={"errors": _fields(error)})
        raise InvalidEvent(field=_fields(error)[0] if _fields(error) else None) from error
    from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyAlreadyInProgressError

    # The invocation's deadline bounds the "in progress" record: a crashed attempt does not block retries.
    _idempotency_config().register_lambda_context(context)
    try:
        result: dict[str, str] = _apply_once()(event=event.model_dump(mode="json"))
    except IdempotencyAlreadyInProgressError as error:
        # Stripe retries a non-2xx delivery: the first one is still being applied.
        raise Conflict("Cet événement est déjà en cours de traitement.", code="event_in_progress") from error
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
def _apply_once() -> Callable[..., dict[str, str]]:
    """``apply`` wrapped by Powertools Idempotency, records in the single table (built on first use)."""
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer, idempotent_function

    persistence = DynamoDBPersistenceLayer(
        table_name=settings().table_name,
        key_attr="PK",
        sort_key_attr="SK",
        static_pk_value=keys.STRIPE_EVENT_PK,
        expiry_attr="ttl",
    )
    wrapped: Callable[..., dict[str, str]] = idempotent_function(
        data_keyword_argument="event", persistence_store=persistence, config=_idempotency_config()
    )(apply)
    return wrapped


def apply(event: Event) -> dict[str, str]:
    """Apply one verified event to the account of its Stripe customer."""
    if event["type"] not in HANDLERS:
        return {"status": "ignored"}
    model, handler = HANDLERS[event["type"]]
    try:
        stripe_object = model.model_validate(event["data"]["object"]).model_dump(mode="json")
    except ValidationError as error:
        # Signed by Stripe yet unreadable: acknowledged, since a resend would be just as unreadable.
        logger.warning(
            "Stripe event object we cannot read",
            extra={"event_id": event["id"], "type": event["type"], "fields": _fields(error)},
        )
        return {"status": "ignored"}
    customer_id = _customer_of(event, stripe_object)
    account_id = billing_store.account_of_customer(customer_id) if customer_id else None
    # A deleted account's customer link lives until its purge ends: its events are acknowledged,
    # never answered 404 (Stripe would retry them for days).
    if account_id is None or not account_store.exists(account_id):
        logger.info("Stripe event for no account of ours", extra={"event_id": event["id"], "type": event["type"]})
        return {"status": "ignored"}
    try:
        applied = handler(account_id, event, stripe_object)
    except StaleEvent:
        logger.info("older Stripe event skipped", extra={"event_id": event["id"], "type": event["type"]})
        return {"status": "stale"}
    return {"status": "applied" if applied else "ignored"}


def _customer_of(event: Event, stripe_object: dict[str, Any]) -> str | None:
    if event["type"].startswith("customer."):
        return str(stripe_object["id"])
    # A detached payment method no longer names its customer; the event's previous state does.
    customer = stripe_object.get("customer") or (event["data"].get("previous_attributes") or {}).get("customer")
    return customer if isinstance(customer, str) and customer else None


def _newer_only(tx: Transaction, account_id: str, event: Event, object_id: str) -> None:
    billing_store.advance_version(tx, account_id, object_id, int(event["created"]), on_stale=StaleEvent())


def _customer_updated(account_id: str, event: Event, customer: dict[str, Any]) -> bool:
    """The address edited at Stripe (e.g. at payment time) becomes the account's billing address."""
    before = billing.address(account_id)
    after = dict(before)
    if customer.get("name"):
        after["company_name"] = customer["name"]
    for name, value in (customer.get("address") or {}).items():
        if name in after and value is not None:
            after[name] = value or None
    tx = Transaction()
    _newer_only(tx, account_id, event, customer["id"])
    changes = audit_log.changes(before, after)
    if changes:
        billing_store.set_address(tx, account_id, after)
        audit_log.record(
            tx,
            account_id,
            audit_log.STRIPE,
            "billing.address_updated",
            target_type="account",
            target_id=account_id,
            details=changes,
        )
    tx.commit()
    return True


def _invoice(account_id: str, event: Event, invoice: dict[str, Any]) -> bool:
    """Keep what the invoices table shows: number, payment date, amount excluding VAT, PDF link."""
    paid_at = (invoice.get("status_transitions") or {}).get("paid_at")
    amounts = (invoice.get(name) for name in ("total_excluding_tax", "subtotal_excluding_tax", "subtotal"))
    amount = next((value for value in amounts if value is not None), None)
    record = {
        "id": invoice["id"],
        "name": invoice.get("number"),
        "status": invoice.get("status"),
        "paid_at": clock.iso(clock.from_epoch(paid_at)) if paid_at else None,
        "amount_excluding_tax": amount,
        "currency": invoice.get("currency"),
        "pdf_url": invoice.get("invoice_pdf"),
    }
    tx = Transaction()
    _newer_only(tx, account_id, event, invoice["id"])
    billing_store.put_invoice(tx, account_id, clock.iso(clock.from_epoch(invoice["created"])), record)
    audit_log.record(
        tx,
        account_id,
        audit_log.STRIPE,
        "billing.invoice_recorded",
        target_type="invoice",
        target_id=invoice["id"],
        details={key: record[key] for key in ("name", "status", "amount_excluding_tax", "currency")},
    )
    tx.commit()
    return True


def _payment_method(action: str) -> Callable[[str, Event, dict[str, Any]], bool]:
    def record(account_id: str, event: Event, method: dict[str, Any]) -> bool:
        tx = Transaction()
        _newer_only(tx, account_id, event, method["id"])
        shown = billing.display(method)
        audit_log.record(
            tx,
            account_id,
            audit_log.STRIPE,
            action,
            target_type="payment_method",
            target_id=method["id"],
            details={key: shown[key] for key in ("type", "brand", "last4", "exp_month", "exp_year")},
        )
        tx.commit()
        return True

    return record


def _purchase(account_id: str, event: Event, payment: dict[str, Any]) -> bool:
    """A paid analysis: its credits, and Freemium becomes Premium (R-ACC-3); no other type changes."""
    metadata = payment.get("metadata") or {}
    if metadata.get("purchase") != ANALYSIS_PURCHASE:
        return False
    if payment.get("object") == "checkout.session" and payment.get("payment_status") != "paid":
        return False
    # A Checkout payment also raises payment_intent.succeeded: whichever comes first applies it.
    payment_id = str(payment.get("payment_intent") or payment["id"])
    credit_type = str(metadata.get("credit_type") or DEFAULT_PURCHASED_CREDIT)
    quantity = int(metadata["quantity"])
    signup_type = catalogue().obtained_by("signup").id
    purchase_type = catalogue().obtained_by("first_purchase").id
    for _ in range(TYPE_CHANGE_ATTEMPTS):
        current_type = account_store.get(account_id)["type_id"]
        tx = Transaction()
        billing_store.claim_once(tx, account_id, payment_id, int(event["created"]), on_repeat=StaleEvent())
        credits.grant(tx, account_id, audit_log.STRIPE, credit_type, quantity, f"Achat Stripe {payment_id}")
        if current_type != signup_type:
            credit_store.require_account(tx, account_id)
        else:
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
    raise Conflict("Le type du compte change trop souvent ; Stripe renverra l'événement.", code="account_type_busy")


Apply = Callable[[str, Event, dict[str, Any]], bool]

# Each event type we apply: the model its object must match, and what applying it does.
HANDLERS: dict[str, tuple[type[BaseModel], Apply]] = {
    "customer.updated": (Customer, _customer_updated),
    "invoice.finalized": (Invoice, _invoice),
    "invoice.paid": (Invoice, _invoice),
    "payment_method.attached": (PaymentMethod, _payment_method("billing.payment_method_added")),
    "payment_method.detached": (PaymentMethod, _payment_method("billing.payment_method_detached")),
    "payment_intent.succeeded": (Payment, _purchase),
    "checkout.session.completed": (Payment, _purchase),
}

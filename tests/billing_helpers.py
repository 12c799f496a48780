"""Billing test helpers: Stripe's side of the flows, signed webhooks, and what billing wrote."""

import copy
import hashlib
import hmac
import json
import os
import time
import uuid
from typing import Any

import boto3
import stripe

from local import template
from local.stripe import LOCAL_API_KEY, confirm_setup_as_stripe_js
from tests.helpers import Client, Member, account_item, partition

STRIPE_EVENTS = template.ROOT / "events" / "stripe"
ADDRESS = {
    "company_name": "Cabinet Dupont SAS",
    "line1": "12 rue de la Paix",
    "line2": "3e étage",
    "postal_code": "75002",
    "city": "Paris",
    "country": "FR",
    "vat_number": "FR40303265045",
}
CARD = {"number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "123"}
IBAN = "FR1420041010050500013M02606"


# ---------------------------------------------------------------- Stripe's side
def stripe_client() -> stripe.StripeClient:
    """Stripe's side (the secret key): what a test reads or does at Stripe, played against localstripe."""
    return stripe.StripeClient(LOCAL_API_KEY, base_addresses={"api": os.environ["STRIPE_API_BASE"]})


def confirm_setup(client_secret: str, kind: str) -> str:
    """The page confirms the SetupIntent as Stripe.js does (publishable key and client secret only);
    Stripe (the corrected emulator) attaches the method to the intent's customer. Returns its id."""
    method: dict[str, Any] = {"type": kind, "billing_details": {"name": "Claire Dupont"}}
    method.update({"card": dict(CARD)} if kind == "card" else {"sepa_debit": {"iban": IBAN}})
    intent = confirm_setup_as_stripe_js(client_secret, method)
    assert intent["status"] == "succeeded", intent
    return str(intent["payment_method"])


def add_method(owner: Member, kind: str) -> str:
    reply = owner.client.post("/billing/payment-methods", {"type": kind})
    assert reply.status == 201, reply.body
    return confirm_setup(reply.body["client_secret"], kind)


# ---------------------------------------------------------------- webhooks
def webhook_secret() -> str:
    value = boto3.client("secretsmanager").get_secret_value(SecretId=os.environ["STRIPE_WEBHOOK_SECRET_NAME"])
    return str(value["SecretString"])


def stripe_event(sample: str, customer_id: str, **changes: Any) -> dict[str, Any]:
    """A sample of events/stripe/ for this customer, with a fresh event id and the given object fields."""
    event: dict[str, Any] = copy.deepcopy(json.loads((STRIPE_EVENTS / f"{sample}.json").read_text()))
    event["id"] = f"evt_{uuid.uuid4().hex[:24]}"
    event["created"] = changes.pop("event_created", int(time.time()))
    stripe_object = event["data"]["object"]
    if stripe_object["object"] == "customer":
        stripe_object["id"] = customer_id
        stripe_object["metadata"] = customer_metadata(customer_id)
    elif stripe_object.get("customer") is None and "previous_attributes" in event["data"]:
        event["data"]["previous_attributes"]["customer"] = customer_id
    else:
        stripe_object["customer"] = customer_id
    stripe_object.update(changes)
    return event


def customer_metadata(customer_id: str) -> dict[str, Any]:
    """The metadata Stripe holds for the customer (ours, set at its creation), as its events carry it;
    the sample's own for a customer localstripe does not have (deleted, or made up by the test)."""
    try:
        return stripe_client().customers.retrieve(customer_id).to_dict().get("metadata") or {}
    except stripe.InvalidRequestError:
        return dict(json.loads((STRIPE_EVENTS / "customer_updated.json").read_text())["data"]["object"]["metadata"])


def signature(payload: str, secret: str, timestamp: int | None = None) -> str:
    """Stripe's documented scheme: t=<unix time>,v1=HMAC-SHA256(secret, "<t>.<payload>")."""
    moment = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{moment}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={moment},v1={digest}"


def deliver(client: Client, event: dict[str, Any], *, header: str | None = None, timestamp: int | None = None) -> Any:
    payload = json.dumps(event)
    signed = signature(payload, webhook_secret(), timestamp) if header is None else header
    sent = Client(client.api, headers={"stripe-signature": signed})
    return sent.post("/webhooks/stripe", raw=payload.encode(), content_type="application/json; charset=utf-8")


def linked_customer(owner: Member) -> str:
    """The account's Stripe customer, created through the API as the first billing action would."""
    reply = owner.client.put("/billing/address", ADDRESS)
    assert reply.status == 200, reply.body
    table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])
    return str(account_item(table, owner.account_id)["stripe_customer_id"])


def billing_writes(table: Any, account_id: str) -> list[dict[str, Any]]:
    """Every billing item and billing audit event of the account, and billing fields of its account item."""
    found = [
        item
        for item in partition(table, account_id)
        if item["SK"].startswith(("CREDIT", "INVOICE#", "STRIPE_VERSION#"))
        or (item["SK"].startswith("AUDIT#") and item["action"].startswith("billing."))
    ]
    meta = account_item(table, account_id)
    found.extend({name: meta[name]} for name in ("billing_address", "stripe_customer_id") if name in meta)
    return found

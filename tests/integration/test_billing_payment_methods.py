"""Payment methods (R-BIL-2): added through a SetupIntent, listed from Stripe, default chosen, removed."""

import json
import uuid
from typing import Any

from tests.billing_helpers import CARD, IBAN, add_method, billing_writes, deliver, stripe_client, stripe_event
from tests.faults import injection
from tests.helpers import Client, audit_events, owner_of_new_account, partition
from tests.integration.test_idempotency import FUNCTION_TIMEOUT_SECONDS


def test_card_and_iban_are_added_listed_made_default_and_removed(client: Client, table: Any) -> None:
    alice = owner_of_new_account(client)
    started = alice.client.post("/billing/payment-methods", {"type": "card"})
    assert started.status == 201
    assert set(started.body) == {"client_secret", "setup_intent_id"}
    assert started.body["client_secret"].startswith(started.body["setup_intent_id"])

    card = add_method(alice, "card")
    iban = add_method(alice, "sepa_debit")
    listed = alice.client.get("/billing/payment-methods")
    assert listed.status == 200
    by_id = {item["id"]: item for item in listed.body["items"]}
    assert by_id[card] == {
        "id": card,
        "type": "card",
        "brand": "visa",
        "last4": "4242",
        "exp_month": 12,
        "exp_year": 2030,
        "is_default": False,
    }
    assert by_id[iban]["type"] == "sepa_debit"
    assert by_id[iban]["last4"] == IBAN[-4:]
    assert by_id[iban]["brand"] is None

    made_default = alice.client.post(f"/billing/payment-methods/{iban}/default")
    assert made_default.status == 200
    assert made_default.body["is_default"] is True
    flags = {item["id"]: item["is_default"] for item in alice.client.get("/billing/payment-methods").body["items"]}
    assert flags == {card: False, iban: True}

    assert alice.client.delete(f"/billing/payment-methods/{card}").status == 204
    remaining = [item["id"] for item in alice.client.get("/billing/payment-methods").body["items"]]
    assert remaining == [iban]
    assert stripe_client().v1.payment_methods.retrieve(card).customer is None

    [default_set] = audit_events(table, alice.account_id, "billing.default_payment_method_set")
    assert default_set["actor_id"] == alice.user_id
    assert default_set["details"]["default_payment_method"] == {"before": None, "after": iban}
    [removed] = audit_events(table, alice.account_id, "billing.payment_method_removed")
    assert removed["target_id"] == card
    assert removed["details"] == {"type": "card", "brand": "visa", "last4": "4242"}


def test_a_method_of_another_customer_is_not_found(client: Client) -> None:
    alice, bob = owner_of_new_account(client), owner_of_new_account(client)
    add_method(alice, "card")
    bobs_card = add_method(bob, "card")
    for reply in (
        alice.client.delete(f"/billing/payment-methods/{bobs_card}"),
        alice.client.post(f"/billing/payment-methods/{bobs_card}/default"),
    ):
        assert reply.status == 404
        assert reply.error["code"] == "payment_method_not_found"
    assert [item["id"] for item in bob.client.get("/billing/payment-methods").body["items"]] == [bobs_card]
    assert alice.client.delete("/billing/payment-methods/pm_doesnotexist").status == 404


def test_an_account_without_customer_lists_nothing_and_finds_nothing(client: Client, table: Any) -> None:
    alice = owner_of_new_account(client)
    assert alice.client.get("/billing/payment-methods").body == {"items": []}
    assert alice.client.delete("/billing/payment-methods/pm_1NoSuchMethod").status == 404
    assert "stripe_customer_id" not in table.get_item(Key={"PK": f"ACCOUNT#{alice.account_id}", "SK": "META"})["Item"]


def test_unknown_payment_method_type_is_refused_naming_the_field(client: Client, table: Any) -> None:
    alice = owner_of_new_account(client)
    reply = alice.client.post("/billing/payment-methods", {"type": "paypal"})
    assert reply.status == 400
    assert reply.error["field"] == "type"
    bad_id = alice.client.delete("/billing/payment-methods/not-an-id")
    assert bad_id.status == 422
    assert bad_id.error["field"] == "method_id"
    assert billing_writes(table, alice.account_id) == []


def test_nothing_of_a_card_or_iban_is_stored_beyond_brand_last4_and_expiry(client: Client, table: Any) -> None:
    alice = owner_of_new_account(client)
    card = add_method(alice, "card")
    add_method(alice, "sepa_debit")
    customer_id = table.get_item(Key={"PK": f"ACCOUNT#{alice.account_id}", "SK": "META"})["Item"]["stripe_customer_id"]
    # Stripe tells us about the new card, with its full display details: we keep an audit line of it.
    attached = stripe_event("payment_method_attached", customer_id, id=card)
    assert deliver(client, attached).status == 200
    alice.client.post(f"/billing/payment-methods/{card}/default")
    alice.client.delete(f"/billing/payment-methods/{card}")

    stored = json.dumps(partition(table, alice.account_id), default=str)
    # The CVC is three digits any id or timestamp may contain: what must not be stored is a field for it.
    for secret in (CARD["number"], '"cvc"', IBAN, IBAN[4:12], "fingerprint", "bank_code", "_secret_", "iban"):
        assert secret not in stored, secret
    # localstripe may also deliver its own payment_method.attached (its webhook is registered by
    # another test): every such line holds display details only.
    added_events = audit_events(table, alice.account_id, "billing.payment_method_added")
    assert added_events
    for added in added_events:
        assert set(added["details"]) == {"type", "brand", "last4", "exp_month", "exp_year"}


def test_a_keyed_retry_of_choosing_the_default_gets_the_first_answer(client: Client, table: Any) -> None:
    """The route keeps its Idempotency-Key record (an UpdateItem its role needs: it answered 500 without)."""
    alice = owner_of_new_account(client)
    card = add_method(alice, "card")
    first = alice.client.post(f"/billing/payment-methods/{card}/default", idempotency_key="default-1")
    again = alice.client.post(f"/billing/payment-methods/{card}/default", idempotency_key="default-1")
    assert (first.status, again.status) == (200, 200) and again.headers["Idempotent-Replayed"] == "true"
    assert first.body == again.body and first.body["is_default"] is True
    assert len(audit_events(table, alice.account_id, "billing.default_payment_method_set")) == 1


def test_a_keyed_retry_after_the_setup_intent_was_made_gets_the_same_one(client: Client, shift_clock: Any) -> None:
    """The function dies once Stripe made the SetupIntent: the retry (same Idempotency-Key) asks Stripe
    again with a key derived from the request's, and gets that SetupIntent, not a second one."""
    owner = owner_of_new_account(client)
    sent = str(uuid.uuid4())
    with injection.injected("AddPaymentMethodFunction", "die", name="stripe POST /v1/setup_intents") as plan:
        died = owner.client.post("/billing/payment-methods", {"type": "card"}, idempotency_key=sent)
    assert plan.hit is not None and died.status == 500
    shift_clock(FUNCTION_TIMEOUT_SECONDS + 1)  # the dead attempt's claim runs out
    retried = owner.client.post("/billing/payment-methods", {"type": "card"}, idempotency_key=sent)
    assert retried.status == 201, retried.body
    customer_id = stripe_client().v1.setup_intents.retrieve(retried.body["setup_intent_id"]).customer
    made = [
        intent.id
        for intent in stripe_client().v1.setup_intents.list().auto_paging_iter()
        if intent.customer == customer_id
    ]
    assert made == [retried.body["setup_intent_id"]]

"""Signed but unusual Stripe deliveries (issue 11 item 4): a 400 or a 200 `ignored`, never a 500,
nothing written; and the signature's 5-minute tolerance holds into the future as into the past."""

import json
import time
from typing import Any

import pytest

from tests.billing_helpers import billing_writes, linked_customer, signature, stripe_event, webhook_secret
from tests.helpers import Client, owner_of_new_account


def deliver_raw(client: Client, body: str, timestamp: int | None = None) -> Any:
    sent = Client(client.api, headers={"stripe-signature": signature(body, webhook_secret(), timestamp)})
    return sent.post("/webhooks/stripe", raw=body.encode(), content_type="application/json")


def without(event: dict[str, Any], name: str) -> dict[str, Any]:
    return {key: value for key, value in event.items() if key != name}


def with_object(event: dict[str, Any], **changes: Any) -> dict[str, Any]:
    event["data"]["object"].update(changes)
    return event


# Each case: a builder of the event from (customer_id) and the answer expected.
NOT_AN_EVENT = [
    ("json_array", lambda c: [stripe_event("customer_updated", c)]),
    ("json_null", lambda c: None),
    ("no_id", lambda c: without(stripe_event("customer_updated", c), "id")),
    ("no_type", lambda c: without(stripe_event("customer_updated", c), "type")),
    ("no_data", lambda c: without(stripe_event("customer_updated", c), "data")),
    ("no_created", lambda c: without(stripe_event("customer_updated", c), "created")),
    ("created_yesterday", lambda c: {**stripe_event("customer_updated", c), "created": "yesterday"}),
    ("type_not_text", lambda c: {**stripe_event("customer_updated", c), "type": 42}),
    ("data_object_null", lambda c: {**stripe_event("customer_updated", c), "data": {"object": None}}),
    ("data_not_object", lambda c: {**stripe_event("customer_updated", c), "data": "x"}),
]
UNREADABLE_OBJECT = [
    (
        "quantity_abc",
        lambda c: stripe_event("payment_intent_succeeded", c, metadata={"purchase": "analysis", "quantity": "abc"}),
    ),
    ("metadata_not_object", lambda c: stripe_event("payment_intent_succeeded", c, metadata="analysis")),
    ("address_text", lambda c: stripe_event("customer_updated", c, address="1 rue")),
    ("customer_without_id", lambda c: with_object(stripe_event("customer_updated", c), id=None)),
    (
        "payment_method_without_type",
        lambda c: {
            **(event := stripe_event("payment_method_attached", c)),
            "data": {"object": without(event["data"]["object"], "type")},
        },
    ),
    ("invoice_created_text", lambda c: stripe_event("invoice_paid", c, created="hier")),
]


@pytest.fixture(scope="module")
def account(api: Any) -> Any:
    """One account for the module's cases: signup and a Stripe customer are slow, and no case changes it."""
    alice = owner_of_new_account(Client(api))
    return alice, linked_customer(alice)


@pytest.mark.parametrize(("case", "build"), NOT_AN_EVENT, ids=[case for case, _ in NOT_AN_EVENT])
def test_a_signed_body_that_is_no_event_is_400(client: Client, table: Any, account: Any, case: str, build: Any) -> None:
    alice, customer_id = account
    before = billing_writes(table, alice.account_id)
    reply = deliver_raw(client, json.dumps(build(customer_id)))
    assert reply.status == 400, reply.raw
    assert reply.error["code"] == "invalid_event"
    assert billing_writes(table, alice.account_id) == before


@pytest.mark.parametrize(("case", "build"), UNREADABLE_OBJECT, ids=[case for case, _ in UNREADABLE_OBJECT])
def test_an_event_whose_object_is_unreadable_is_acknowledged_and_ignored(
    client: Client, table: Any, account: Any, case: str, build: Any
) -> None:
    alice, customer_id = account
    before = billing_writes(table, alice.account_id)
    reply = deliver_raw(client, json.dumps(build(customer_id)))
    assert reply.status == 200, reply.raw
    assert reply.body["outcome"] == "ignored"
    assert billing_writes(table, alice.account_id) == before


def test_a_signature_from_the_future_is_refused(client: Client, table: Any, account: Any) -> None:
    alice, customer_id = account
    before = billing_writes(table, alice.account_id)
    event = stripe_event("payment_intent_succeeded", customer_id, metadata={"purchase": "analysis"})
    reply = deliver_raw(client, json.dumps(event), timestamp=int(time.time()) + 600)
    assert reply.status == 400
    assert reply.error["code"] == "invalid_signature"
    assert billing_writes(table, alice.account_id) == before
    # Within the tolerance, a clock a little ahead is fine.
    assert deliver_raw(client, json.dumps(event), timestamp=int(time.time()) + 60).body["outcome"] == "applied"

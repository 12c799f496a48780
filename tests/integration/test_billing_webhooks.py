"""POST /webhooks/stripe (R-BIL-5): verified, applied once, out-of-order safe; purchases and invoices."""

import json
import time
from typing import Any

import pytest

from comptasecure import clock
from comptasecure.store import keys
from tests import seed
from tests.billing_helpers import billing_writes, deliver, linked_customer, signature, stripe_event
from tests.helpers import (
    CallCounter,
    Client,
    account_item,
    audit_events,
    failing_once,
    owner_of_new_account,
    partition,
)


def credits_of(owner_client: Client, credit_type: str = "analyse_fec") -> dict[str, Any]:
    return next(item for item in owner_client.get("/billing/credits").body["items"] if item["type"] == credit_type)


def test_bad_signature_is_refused_and_changes_nothing(client: Client, table: Any) -> None:
    alice = owner_of_new_account(client)
    customer_id = linked_customer(alice)
    before = billing_writes(table, alice.account_id)
    event = stripe_event("payment_intent_succeeded", customer_id)
    forged = signature("{}", "not-the-endpoint-secret")
    reply = deliver(client, event, header=forged)
    assert reply.status == 400
    assert reply.error["code"] == "invalid_signature"
    assert deliver(client, event, header="").status == 400
    assert billing_writes(table, alice.account_id) == before
    assert account_item(table, alice.account_id)["type_id"] == "freemium"


def test_stale_timestamp_is_refused(client: Client, table: Any) -> None:
    alice = owner_of_new_account(client)
    customer_id = linked_customer(alice)
    event = stripe_event("payment_intent_succeeded", customer_id)
    # Correctly signed, but 6 minutes ago: beyond Stripe's 5-minute tolerance, a captured replay.
    reply = deliver(client, event, timestamp=int(time.time()) - 360)
    assert reply.status == 400
    assert reply.error["code"] == "invalid_signature"
    assert credits_of(alice.client)["granted"] == 0


def test_replayed_event_is_applied_once(client: Client, table: Any) -> None:
    alice = owner_of_new_account(client)
    customer_id = linked_customer(alice)
    event = stripe_event("payment_intent_succeeded", customer_id, metadata={"purchase": "analysis", "quantity": "2"})
    first = deliver(client, event)
    assert first.status == 200
    assert first.body["outcome"] == "applied"
    again = deliver(client, event)  # Stripe redelivers the same event, freshly signed
    assert again.status == 200
    assert credits_of(alice.client)["granted"] == 2
    assert len(audit_events(table, alice.account_id, "billing.credits_granted")) == 1
    assert len(audit_events(table, alice.account_id, "account.type_changed")) == 1
    assert len(partition(table, alice.account_id, "CREDIT_HISTORY#")) == 1


def test_a_customer_naming_another_account_in_its_metadata_changes_nothing(client: Client, table: Any) -> None:
    """The metadata's account id is only a pointer: a customer edited in Stripe's dashboard (or any
    customer but the account's own) to name another account must not reach that account."""
    mallory, alice = owner_of_new_account(client), owner_of_new_account(client)
    mallory_customer, _ = linked_customer(mallory), linked_customer(alice)
    before = alice.client.get("/billing/address").body
    event = stripe_event("customer_updated", mallory_customer, event_created=int(time.time()) + 60)
    event["data"]["object"]["metadata"] = {"account_id": alice.account_id}
    reply = deliver(client, event)
    assert (reply.status, reply.body["outcome"]) == (200, "ignored")
    assert alice.client.get("/billing/address").body == before
    assert not [
        e for e in audit_events(table, alice.account_id, "billing.address_updated") if e["actor_id"] == "stripe"
    ]


def test_out_of_order_customer_updated_never_overwrites_newer_state(client: Client, table: Any) -> None:
    alice = owner_of_new_account(client)
    customer_id = linked_customer(alice)
    now = int(time.time()) + 5  # after the address PUT
    newer = stripe_event("customer_updated", customer_id, event_created=now + 10)  # Lyon, sample's address
    older = stripe_event(
        "customer_updated",
        customer_id,
        event_created=now,
        name="Cabinet Dupont Marseille",
        address={
            "city": "Marseille",
            "country": "FR",
            "line1": "1 quai du Port",
            "line2": None,
            "postal_code": "13002",
            "state": None,
        },
    )
    assert deliver(client, newer).body["outcome"] == "applied"
    late = deliver(client, older)
    assert late.status == 200
    assert late.body["outcome"] == "stale"
    address = alice.client.get("/billing/address").body
    assert address["city"] == "Lyon"
    assert address["company_name"] == "Cabinet Dupont Lyon"
    assert address["vat_number"] == "FR40303265045"  # Stripe's customer object does not carry it
    [by_stripe] = [
        e for e in audit_events(table, alice.account_id, "billing.address_updated") if e["actor_id"] == "stripe"
    ]
    assert by_stripe["details"]["city"] == {"before": "Paris", "after": "Lyon"}


def test_a_customer_updated_older_than_our_own_address_change_is_ignored(client: Client) -> None:
    alice = owner_of_new_account(client)
    customer_id = linked_customer(alice)
    older = stripe_event("customer_updated", customer_id, event_created=int(time.time()) - 60)
    assert deliver(client, older).body["outcome"] == "stale"
    assert alice.client.get("/billing/address").body["city"] == "Paris"


def test_first_paid_purchase_moves_freemium_to_premium(client: Client, table: Any) -> None:
    alice = owner_of_new_account(client)
    customer_id = linked_customer(alice)
    reply = deliver(client, stripe_event("payment_intent_succeeded", customer_id))
    assert reply.status == 200
    assert alice.client.get("/account").body["type"]["id"] == "premium"
    [changed] = audit_events(table, alice.account_id, "account.type_changed")
    assert changed["actor_id"] == "stripe"
    assert changed["details"]["type"] == {"before": "freemium", "after": "premium"}
    history = alice.client.get("/billing/credits/history").body["items"]
    assert [(item["type"], item["delta"]) for item in history] == [("analyse_fec", 1)]

    deliver(client, stripe_event("payment_intent_succeeded", customer_id, id="pi_SecondPurchase"))
    assert alice.client.get("/account").body["type"]["id"] == "premium"
    assert len(audit_events(table, alice.account_id, "account.type_changed")) == 1
    assert credits_of(alice.client)["granted"] == 2


def test_a_purchase_never_changes_an_expert_comptable_account(client: Client, table: Any) -> None:
    alice = owner_of_new_account(client)
    customer_id = linked_customer(alice)
    seed.account_type(alice.account_id, "expert_comptable")
    assert deliver(client, stripe_event("payment_intent_succeeded", customer_id)).status == 200
    assert alice.client.get("/account").body["type"]["id"] == "expert_comptable"
    assert audit_events(table, alice.account_id, "account.type_changed") == []
    assert credits_of(alice.client)["granted"] == 1


def test_a_payment_that_is_not_an_analysis_purchase_changes_nothing(client: Client, table: Any) -> None:
    alice = owner_of_new_account(client)
    customer_id = linked_customer(alice)
    reply = deliver(client, stripe_event("payment_intent_succeeded", customer_id, metadata={}))
    assert reply.body["outcome"] == "ignored"
    assert account_item(table, alice.account_id)["type_id"] == "freemium"


def test_unknown_event_types_and_customers_are_acknowledged(client: Client, table: Any) -> None:
    alice = owner_of_new_account(client)
    customer_id = linked_customer(alice)
    before = billing_writes(table, alice.account_id)
    unknown_type = stripe_event("invoice_paid", customer_id)
    unknown_type["type"] = "invoice.upcoming"
    assert deliver(client, unknown_type).body == {"received": True, "outcome": "ignored"}
    stranger = stripe_event("invoice_paid", "cus_NotOneOfOurs")
    assert deliver(client, stranger).body["outcome"] == "ignored"
    assert billing_writes(table, alice.account_id) == before


def test_invoices_are_recorded_from_webhooks_and_listed_newest_first(client: Client, table: Any) -> None:
    alice = owner_of_new_account(client)
    customer_id = linked_customer(alice)
    now = int(time.time())
    paid = stripe_event("invoice_paid", customer_id, event_created=now + 2, id="in_April", created=now - 100)
    finalized = stripe_event("invoice_finalized", customer_id, event_created=now + 1, id="in_April", created=now - 100)
    older = stripe_event("invoice_paid", customer_id, id="in_March", created=now - 1000, number="B1C2D3E4-0000")
    assert deliver(client, paid).body["outcome"] == "applied"
    assert deliver(client, finalized).body["outcome"] == "stale"  # arrived late: the invoice stays paid
    assert deliver(client, older).status == 200

    first = alice.client.get("/billing/invoices?limit=1")
    assert first.status == 200
    [april] = first.body["items"]
    assert april == {
        "id": "in_April",
        "name": "B1C2D3E4-0001",
        "paid_at": clock.iso(clock.from_epoch(paid["data"]["object"]["status_transitions"]["paid_at"])),
        "amount_excluding_tax": 4900,
        "currency": "eur",
        "pdf_url": "https://pay.stripe.com/invoice/acct_1Abc/test_YWNjdF8x/pdf?s=ap",
    }
    second = alice.client.get(f"/billing/invoices?limit=1&cursor={first.body['next_cursor']}")
    assert [item["id"] for item in second.body["items"]] == ["in_March"]
    recorded = audit_events(table, alice.account_id, "billing.invoice_recorded")
    assert {event["target_id"] for event in recorded} == {"in_April", "in_March"}
    assert all(event["actor_id"] == "stripe" for event in recorded)


def test_payment_method_attached_and_detached_are_audited(client: Client, table: Any) -> None:
    alice = owner_of_new_account(client)
    customer_id = linked_customer(alice)
    assert deliver(client, stripe_event("payment_method_attached", customer_id)).body["outcome"] == "applied"
    assert deliver(client, stripe_event("payment_method_detached", customer_id)).body["outcome"] == "applied"
    [added] = audit_events(table, alice.account_id, "billing.payment_method_added")
    assert added["details"] == {"type": "card", "brand": "visa", "last4": "4242", "exp_month": 12, "exp_year": 2030}
    [detached] = audit_events(table, alice.account_id, "billing.payment_method_detached")
    assert detached["details"]["type"] == "sepa_debit"
    assert detached["details"]["last4"] == "2606"


def test_a_checkout_payment_is_applied_once_whichever_event_comes_first(client: Client, table: Any) -> None:
    alice = owner_of_new_account(client)
    customer_id = linked_customer(alice)
    checkout = stripe_event("checkout_session_completed", customer_id)
    payment = stripe_event("payment_intent_succeeded", customer_id, event_created=checkout["created"] + 1)
    assert checkout["data"]["object"]["payment_intent"] == payment["data"]["object"]["id"]
    assert deliver(client, checkout).body["outcome"] == "applied"
    assert deliver(client, payment).body["outcome"] == "stale"
    assert credits_of(alice.client)["granted"] == 1
    assert alice.client.get("/account").body["type"]["id"] == "premium"


def test_an_unpaid_checkout_changes_nothing(client: Client, table: Any) -> None:
    alice = owner_of_new_account(client)
    customer_id = linked_customer(alice)
    unpaid = stripe_event("checkout_session_completed", customer_id, payment_status="unpaid")
    assert deliver(client, unpaid).body["outcome"] == "ignored"
    assert account_item(table, alice.account_id)["type_id"] == "freemium"


def test_a_webhook_reads_the_account_only_where_it_decides_on_it(client: Client) -> None:
    """Issue 13: one read each. An invoice names only its customer: the customer link is read, and the
    account's existence is held by the change's transaction. A customer names its account in the
    metadata we gave it: the account is read (its address to compare, its link to this customer).
    (Powertools' idempotency record has a client of its own: the call budget counts it.)"""
    alice = owner_of_new_account(client)
    customer_id = linked_customer(alice)
    for sample, reads in (("invoice_paid", 1), ("customer_updated", 1)):
        with CallCounter(function="StripeWebhookFunction") as counted:
            # Later than the address PUT that linked the customer (our push to Stripe is the newest state).
            event = stripe_event(sample, customer_id, event_created=int(time.time()) + 60)
            assert deliver(client, event).body["outcome"] == "applied"
        assert counted.calls == {"GetItem": reads, "TransactWriteItems": 1}, (sample, counted.calls)


def event_records(table: Any, event_id: str) -> list[dict[str, Any]]:
    """Powertools' idempotency records of this event (its key holds the event id's hash)."""
    import hashlib

    digest = hashlib.md5(json.dumps(event_id).encode(), usedforsecurity=False).hexdigest()
    items = table.query(KeyConditionExpression="PK = :pk", ExpressionAttributeValues={":pk": keys.STRIPE_EVENT_PK})
    return [item for item in items["Items"] if item["SK"].endswith(digest)]


def test_a_signed_event_we_cannot_apply_is_acknowledged_logged_and_counted(
    client: Client,
    table: Any,
    configure: Any,
    capfd: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Issue 20 item 6: a credit type the catalogue does not hold failed inside the once-only step:
    500, then 409 event_in_progress, then 500… for Stripe's three days of retries."""
    alice = owner_of_new_account(client)
    customer_id = linked_customer(alice)
    before = billing_writes(table, alice.account_id)
    metadata = {"purchase": "analysis", "credit_type": "nope"}
    event = stripe_event("payment_intent_succeeded", customer_id, metadata=metadata)
    configure(powertools_metrics_disabled="false")  # the local run publishes no metric otherwise
    capfd.readouterr()
    first, retried = deliver(client, event), deliver(client, event)
    assert (first.status, first.body) == (200, {"received": True, "outcome": "ignored"})
    assert (retried.status, retried.body) == (200, first.body)
    assert billing_writes(table, alice.account_id) == before
    [logged] = [record for record in caplog.records if record.getMessage() == "Stripe event we cannot apply"]
    assert (logged.levelname, logged.event_id, logged.error) == ("ERROR", event["id"], "invalid_credit_type")
    published = [json.loads(line) for line in capfd.readouterr().out.splitlines() if '"_aws"' in line]
    assert [metric["StripeEventsNotApplied"] for metric in published if "StripeEventsNotApplied" in metric] == [[1.0]]


def test_a_failure_while_applying_an_event_lets_stripes_retry_apply_it(client: Client, table: Any) -> None:
    """Issue 20 item 6: the in-progress record of an event whose step failed could not be removed
    (the webhook's role lacked dynamodb:DeleteItem), so every retry answered 409 until it expired."""
    alice = owner_of_new_account(client)
    customer_id = linked_customer(alice)
    event = stripe_event("payment_intent_succeeded", customer_id)
    with failing_once("TransactWriteItems", "StripeWebhookFunction") as failed:
        first = deliver(client, event)
    assert failed == ["TransactWriteItems"]
    assert first.status == 500, first.body
    assert event_records(table, event["id"]) == []  # nothing says the event is being applied
    assert credits_of(alice.client)["granted"] == 0
    retried = deliver(client, event)
    assert (retried.status, retried.body["outcome"]) == (200, "applied")
    assert [record["status"] for record in event_records(table, event["id"])] == ["COMPLETED"]
    assert credits_of(alice.client)["granted"] == 1
    assert deliver(client, event).body["outcome"] == "applied"  # Stripe's next retry: the first answer again
    assert credits_of(alice.client)["granted"] == 1

"""A payment made at the Stripe emulator reaches POST /webhooks/stripe as Stripe would deliver it.

The event is built and signed by localstripe (an independent implementation of Stripe's scheme) and
posted over HTTP to the local API, as `make run` wires it.
"""

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from local.emulator import Emulator, free_port
from local.server import LocalApi, make_server
from tests.billing_helpers import add_method, stripe_client, webhook_secret
from tests.helpers import Client, account_item, audit_events, eventually, owner_of_new_account


@pytest.fixture
def webhooks_from_localstripe(emulator: Emulator, api: LocalApi) -> Iterator[None]:
    assert emulator.stripe is not None
    port = free_port()
    server = make_server(api, "127.0.0.1", port)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    emulator.stripe.send_webhooks_to(f"http://127.0.0.1:{port}/webhooks/stripe", webhook_secret())
    try:
        yield
    finally:
        emulator.stripe.stop_webhooks()
        server.shutdown()
        server.server_close()


def test_a_purchase_paid_at_stripe_makes_the_account_premium(
    client: Client, table: Any, webhooks_from_localstripe: None
) -> None:
    alice = owner_of_new_account(client)
    card = add_method(alice, "card")
    customer_id = account_item(table, alice.account_id)["stripe_customer_id"]
    paid = stripe_client().v1.payment_intents.create(
        {
            "amount": 5880,
            "currency": "eur",
            "customer": customer_id,
            "payment_method": card,
            "confirm": True,
            "metadata": {"purchase": "analysis", "credit_type": "ecf", "quantity": "3"},
        }
    )
    assert paid.status == "succeeded"
    # localstripe delivers about a second later
    eventually(lambda: account_item(table, alice.account_id)["type_id"] == "premium", "the purchase's webhook")
    ecf = next(item for item in alice.client.get("/billing/credits").body["items"] if item["type"] == "ecf")
    assert ecf["granted"] == 3
    [changed] = audit_events(table, alice.account_id, "account.type_changed")
    assert changed["actor_id"] == "stripe"


def test_a_method_confirmed_as_stripe_js_does_is_attached_and_announced_as_stripe_does(
    client: Client, table: Any, webhooks_from_localstripe: None
) -> None:
    # No one attaches it but Stripe: the SetupIntent's customer gets it, then the webhooks tell us.
    alice = owner_of_new_account(client)
    card = add_method(alice, "card")
    [listed] = alice.client.get("/billing/payment-methods").body["items"]
    assert (listed["id"], listed["last4"]) == (card, "4242")
    [added] = eventually(lambda: audit_events(table, alice.account_id, "billing.payment_method_added"), "attached")
    assert (added["actor_id"], added["target_id"], added["details"]["last4"]) == ("stripe", card, "4242")
    # Every page: the worker's earlier tests raised events of this type too.
    succeeded = stripe_client().v1.events.list({"type": "setup_intent.succeeded"}).auto_paging_iter()
    assert any(event.data.object["payment_method"] == card for event in succeeded)

    assert alice.client.delete(f"/billing/payment-methods/{card}").status == 204
    [detached] = eventually(
        lambda: audit_events(table, alice.account_id, "billing.payment_method_detached"), "detached"
    )
    assert detached["target_id"] == card

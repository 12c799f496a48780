"""Billing address (R-BIL-1) on the account and the Stripe customer; roles on every billing route."""

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from comptasecure.store import keys
from local import template
from tests.billing_helpers import ADDRESS, billing_writes, stripe_client
from tests.helpers import Client, account_item, add_member, audit_events, owner_of_new_account

BILLING_ROUTES = [route for route in template.routes() if route.path.startswith("/billing/")]


def test_owner_sets_the_address_on_the_account_and_the_stripe_customer(client: Client, table: Any) -> None:
    alice = owner_of_new_account(client)
    assert alice.client.get("/billing/address").body == dict.fromkeys(ADDRESS)

    reply = alice.client.put("/billing/address", {**ADDRESS, "country": "fr", "vat_number": "fr 40 303 265 045"})
    assert reply.status == 200
    assert reply.body == ADDRESS
    assert alice.client.get("/billing/address").body == ADDRESS

    account = account_item(table, alice.account_id)
    customer_id = account["stripe_customer_id"]
    link = table.get_item(Key=keys.key(keys.stripe_customer_pk(customer_id), keys.STRIPE_CUSTOMER_SK))["Item"]
    assert link["account_id"] == alice.account_id
    customer = stripe_client().v1.customers.retrieve(customer_id)
    assert customer.name == "Cabinet Dupont SAS"
    assert customer.address.city == "Paris"
    assert customer.address.line2 == "3e étage"
    assert customer.metadata["account_id"] == alice.account_id
    tax_ids = stripe_client().v1.customers.tax_ids.list(customer_id).data
    assert [(tax_id.type, tax_id.value) for tax_id in tax_ids] == [("eu_vat", "FR40303265045")]

    [event] = audit_events(table, alice.account_id, "billing.address_updated")
    assert event["actor_id"] == alice.user_id
    assert event["details"]["city"] == {"before": None, "after": "Paris"}


def test_changing_the_vat_number_replaces_the_stripe_tax_id(client: Client, table: Any) -> None:
    alice = owner_of_new_account(client)
    alice.client.put("/billing/address", ADDRESS)
    moved = {**ADDRESS, "vat_number": "BE0123456749", "city": "Bruxelles", "postal_code": "1000", "country": "BE"}
    assert alice.client.put("/billing/address", moved).status == 200
    customer_id = account_item(table, alice.account_id)["stripe_customer_id"]
    tax_ids = stripe_client().v1.customers.tax_ids.list(customer_id).data
    assert [tax_id.value for tax_id in tax_ids] == ["BE0123456749"]
    assert alice.client.put("/billing/address", {**moved, "vat_number": None}).status == 200
    assert stripe_client().v1.customers.tax_ids.list(customer_id).data == []
    assert len(audit_events(table, alice.account_id, "billing.address_updated")) == 3


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"country": "XX"}, 422, "country"),
        ({"country": "France"}, 422, "country"),
        ({"vat_number": "FR123"}, 422, "vat_number"),
        ({"vat_number": "US123456789"}, 422, "vat_number"),
        ({"postal_code": "75 002 Paris cedex"}, 422, "postal_code"),
        ({"city": ""}, 422, "city"),
        ({"company_name": None}, 400, "company_name"),
        ({"line1": 12}, 400, "line1"),
        ({"iban": "FR1420041010050500013M02606"}, 422, "iban"),
    ],
)
def test_bad_address_is_refused_naming_the_field_and_nothing_is_written(
    client: Client, table: Any, change: dict[str, Any], status: int, field: str
) -> None:
    alice = owner_of_new_account(client)
    reply = alice.client.put("/billing/address", {**ADDRESS, **change})
    assert reply.status == status, reply.body
    assert reply.error["field"] == field
    assert billing_writes(table, alice.account_id) == []


def test_missing_field_is_named(client: Client, table: Any) -> None:
    alice = owner_of_new_account(client)
    body = {name: value for name, value in ADDRESS.items() if name != "line1"}
    reply = alice.client.put("/billing/address", body)
    assert reply.status == 422
    assert reply.error == {"code": "missing_field", "message": reply.error["message"], "field": "line1"}
    assert billing_writes(table, alice.account_id) == []


def test_concurrent_first_calls_keep_one_stripe_customer(client: Client, table: Any) -> None:
    alice = owner_of_new_account(client)
    with ThreadPoolExecutor(max_workers=6) as pool:
        replies = list(pool.map(lambda _: alice.client.post("/billing/payment-methods", {"type": "card"}), range(6)))
    assert [reply.status for reply in replies] == [201] * 6
    customer_id = account_item(table, alice.account_id)["stripe_customer_id"]
    intents = [stripe_client().v1.setup_intents.retrieve(reply.body["setup_intent_id"]) for reply in replies]
    assert {intent.customer for intent in intents} == {customer_id}
    ours = [
        customer.id
        for customer in stripe_client().v1.customers.list({"limit": 100}).auto_paging_iter()
        if customer.to_dict().get("metadata", {}).get("account_id") == alice.account_id
    ]
    assert ours == [customer_id]  # one customer: Stripe answers a creation sent again with its key with the first
    assert len(audit_events(table, alice.account_id, "billing.customer_created")) == 1


@pytest.mark.parametrize("route", BILLING_ROUTES, ids=lambda route: f"{route.method} {route.path}")
def test_members_get_403_on_every_billing_route(client: Client, table: Any, route: template.Route) -> None:
    alice = owner_of_new_account(client)
    member = add_member(client, alice.account_id, "member").client
    path = route.path.replace("{method_id}", "pm_1NoSuchMethod")
    body = {"PUT": ADDRESS, "POST": {"type": "card"}}.get(route.method)
    reply = member.call(route.method, path, body if not path.endswith("/default") else None)
    assert reply.status == 403, reply.body
    assert reply.error["code"] == "forbidden"
    assert billing_writes(table, alice.account_id) == []


def test_admins_manage_billing(client: Client) -> None:
    alice = owner_of_new_account(client)
    admin = add_member(client, alice.account_id, "admin").client
    assert admin.put("/billing/address", ADDRESS).status == 200
    assert admin.get("/billing/address").body["city"] == "Paris"
    assert admin.post("/billing/payment-methods", {"type": "sepa_debit"}).status == 201
    assert admin.get("/billing/credits").status == 200


def test_billing_routes_need_a_token(client: Client) -> None:
    for route in BILLING_ROUTES:
        path = route.path.replace("{method_id}", "pm_1NoSuchMethod")
        body = {"PUT": ADDRESS, "POST": {"type": "card"}}.get(route.method)
        assert client.call(route.method, path, body if not path.endswith("/default") else None).status == 401


def test_a_vat_number_stripe_refuses_is_named_and_the_address_not_kept(client: Client, table: Any) -> None:
    alice = owner_of_new_account(client)
    # A well-formed Luxembourg number that the emulator's Stripe refuses (it wants more than 10 characters).
    reply = alice.client.put("/billing/address", {**ADDRESS, "country": "LU", "vat_number": "LU12345678"})
    assert reply.status == 422
    assert reply.error["field"] == "vat_number"
    assert "billing_address" not in account_item(table, alice.account_id)
    assert audit_events(table, alice.account_id, "billing.address_updated") == []

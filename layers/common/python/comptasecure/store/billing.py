"""Billing items: the Stripe customer link, the billing address, invoices and Stripe event versions."""

from typing import TypedDict, cast

from comptasecure import aws
from comptasecure.errors import DomainError
from comptasecure.store import keys
from comptasecure.store.conditions import conditional
from comptasecure.store.pages import StartKey, newest_first
from comptasecure.store.transaction import Transaction


class BillingAddress(TypedDict):
    """The account's billing address; a field never filled is None."""

    company_name: str | None
    line1: str | None
    line2: str | None
    postal_code: str | None
    city: str | None
    country: str | None
    vat_number: str | None


class Invoice(TypedDict):
    """``ACCOUNT#<aid>`` / ``INVOICE#<created>#<id>``: what Stripe's invoice webhooks recorded."""

    id: str
    name: str | None
    status: str | None
    paid_at: str | None
    amount_excluding_tax: int | None
    currency: str | None
    pdf_url: str | None


def link_customer(tx: Transaction, account_id: str, customer_id: str, *, on_already_linked: DomainError) -> None:
    """Record the account's one Stripe customer, and the reverse link webhooks use to find the account."""
    tx.update(
        keys.key(keys.account_pk(account_id), keys.ACCOUNT_META),
        "SET stripe_customer_id = :customer",
        condition="attribute_exists(PK) AND attribute_not_exists(stripe_customer_id)",
        values={":customer": customer_id},
        on_condition_failed=on_already_linked,
    )
    tx.put(
        {
            **keys.key(keys.stripe_customer_pk(customer_id), keys.STRIPE_CUSTOMER_SK),
            "kind": "stripe_customer",
            "account_id": account_id,
        },
        condition="attribute_not_exists(PK)",
        on_condition_failed=on_already_linked,
    )


def account_of_customer(customer_id: str) -> str | None:
    item = aws.table().get_item(Key=keys.key(keys.stripe_customer_pk(customer_id), keys.STRIPE_CUSTOMER_SK)).get("Item")
    return str(item["account_id"]) if item else None


def unlink_customer(customer_id: str, account_id: str) -> None:
    """Remove the customer's link to this account; raises ConditionFailed when another account holds it."""
    with conditional():
        aws.table().delete_item(
            Key=keys.key(keys.stripe_customer_pk(customer_id), keys.STRIPE_CUSTOMER_SK),
            ConditionExpression="account_id = :account_id",
            ExpressionAttributeValues={":account_id": account_id},
        )


def set_address(tx: Transaction, account_id: str, address: BillingAddress, *, on_missing: DomainError) -> None:
    tx.update(
        keys.key(keys.account_pk(account_id), keys.ACCOUNT_META),
        "SET billing_address = :address",
        condition="attribute_exists(PK)",
        values={":address": address},
        on_condition_failed=on_missing,
    )


def advance_version(
    tx: Transaction, account_id: str, object_id: str, created: int, *, on_stale: DomainError | None
) -> None:
    """Remember the Stripe time of the change applied to this object.

    With ``on_stale`` (a webhook), the write holds only if nothing newer was applied, so an event
    Stripe delivers late never overwrites newer state. Without it (our own push to Stripe), it is
    set unconditionally: what we just sent is the newest.
    """
    condition = "attribute_not_exists(PK) OR event_created < :created" if on_stale else None
    tx.update(
        keys.key(keys.account_pk(account_id), keys.stripe_version_sk(object_id)),
        "SET event_created = :created, kind = :kind",
        condition=condition,
        values={":created": created, ":kind": "stripe_version"},
        on_condition_failed=on_stale,
    )


def claim_once(tx: Transaction, account_id: str, object_id: str, created: int, *, on_repeat: DomainError) -> None:
    """Mark a Stripe object (a payment) as applied; the write fails if any event applied it before."""
    tx.put(
        {
            **keys.key(keys.account_pk(account_id), keys.stripe_version_sk(object_id)),
            "kind": "stripe_version",
            "event_created": created,
        },
        condition="attribute_not_exists(PK)",
        on_condition_failed=on_repeat,
    )


def put_invoice(tx: Transaction, account_id: str, created_at: str, invoice: Invoice) -> None:
    tx.put(
        {
            **keys.key(keys.account_pk(account_id), keys.invoice_sk(created_at, invoice["id"])),
            "kind": "invoice",
            **invoice,
        }
    )


def invoices_page(account_id: str, limit: int, start_key: StartKey | None) -> tuple[list[Invoice], StartKey | None]:
    items, last_key = newest_first(account_id, keys.INVOICE_PREFIX, limit, start_key)
    return cast(list[Invoice], items), last_key

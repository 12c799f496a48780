"""Billing items: the Stripe customer link, the billing address, invoices and Stripe event versions."""

from typing import Any

from boto3.dynamodb.conditions import Key

from comptasecure import aws
from comptasecure.errors import DomainError, NotFound
from comptasecure.store import keys
from comptasecure.store.transaction import Transaction
from comptasecure.store.values import plain


def account_not_found() -> NotFound:
    return NotFound("Compte introuvable.", code="account_not_found")


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
    """Remove the customer's link to this account (never one another account holds)."""
    from botocore.exceptions import ClientError

    try:
        aws.table().delete_item(
            Key=keys.key(keys.stripe_customer_pk(customer_id), keys.STRIPE_CUSTOMER_SK),
            ConditionExpression="account_id = :account_id",
            ExpressionAttributeValues={":account_id": account_id},
        )
    except ClientError as error:
        if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
            raise


def set_address(tx: Transaction, account_id: str, address: dict[str, Any]) -> None:
    tx.update(
        keys.key(keys.account_pk(account_id), keys.ACCOUNT_META),
        "SET billing_address = :address",
        condition="attribute_exists(PK)",
        values={":address": address},
        on_condition_failed=account_not_found(),
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


def put_invoice(tx: Transaction, account_id: str, created_at: str, invoice: dict[str, Any]) -> None:
    tx.put(
        {
            **keys.key(keys.account_pk(account_id), keys.invoice_sk(created_at, invoice["id"])),
            "kind": "invoice",
            **invoice,
        }
    )


def invoices_page(
    account_id: str, limit: int, start_key: dict[str, Any] | None
) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    return newest_first(account_id, keys.INVOICE_PREFIX, limit, start_key)


def newest_first(
    account_id: str, prefix: str, limit: int, start_key: dict[str, Any] | None
) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    query: dict[str, Any] = {
        "KeyConditionExpression": Key("PK").eq(keys.account_pk(account_id)) & Key("SK").begins_with(prefix),
        "ScanIndexForward": False,
        "Limit": limit,
    }
    if start_key:
        query["ExclusiveStartKey"] = start_key
    response = aws.table().query(**query)
    return [plain(item) for item in response.get("Items", [])], response.get("LastEvaluatedKey")

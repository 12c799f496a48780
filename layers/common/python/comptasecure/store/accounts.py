"""The account item: name, type, owner and the user counter that guards quotas and deletion."""

import random
import time
from typing import Any, TypedDict, cast

from comptasecure import aws
from comptasecure.errors import (
    AccountExists,
    AccountNotEmpty,
    AccountNotFound,
    AloneOnAccount,
    DomainError,
    NotOwner,
    QuotaExceeded,
)
from comptasecure.store import keys
from comptasecure.store.records import Account
from comptasecure.store.transaction import Transaction


def get(account_id: str) -> Account:
    item = aws.table().get_item(Key=keys.key(keys.account_pk(account_id), keys.ACCOUNT_META)).get("Item")
    if item is None:
        raise AccountNotFound()
    return cast(Account, item)


def put_new(tx: Transaction, account: Account) -> None:
    tx.put(
        {**keys.key(keys.account_pk(account["id"]), keys.ACCOUNT_META), "kind": "account", **account},
        condition="attribute_not_exists(PK)",
        on_condition_failed=AccountExists(),
    )


class AccountChanges(TypedDict, total=False):
    """What the owner changes on the account item (R-ACC-2, R-MFA-2)."""

    name: str
    require_mfa: bool


def change(tx: Transaction, account_id: str, changes: AccountChanges) -> None:
    """Every change in one update of the item: a transaction may not touch one item twice."""
    names = {f"#f{i}": name for i, name in enumerate(changes)}
    tx.update(
        keys.key(keys.account_pk(account_id), keys.ACCOUNT_META),
        "SET " + ", ".join(f"#f{i} = :v{i}" for i in range(len(changes))),
        condition="attribute_exists(PK)",
        names=names,
        values={f":v{i}": value for i, value in enumerate(changes.values())},
        on_condition_failed=AccountNotFound(),
    )


def set_type(
    tx: Transaction,
    account_id: str,
    type_id: str,
    *,
    expected_type: str | None = None,
    on_unexpected_type: DomainError | None = None,
) -> None:
    """Set the account type; with ``expected_type``, only if the account still has that type."""
    condition = "attribute_exists(PK)"
    values = {":type_id": type_id}
    if expected_type is not None:
        condition += " AND type_id = :expected"
        values[":expected"] = expected_type
    tx.update(
        keys.key(keys.account_pk(account_id), keys.ACCOUNT_META),
        "SET type_id = :type_id",
        condition=condition,
        values=values,
        on_condition_failed=on_unexpected_type or AccountNotFound(),
    )


def count_new_users(tx: Transaction, account_id: str, count: int, max_users: int) -> None:
    """``count`` more users, only if they all fit under the account type's limit: one conditional
    update, so concurrent batches can never overshoot. A refusal hands back the account as it was
    (``user_count_in``), so the batch knows how many still fit without reading it again."""
    tx.update(
        keys.key(keys.account_pk(account_id), keys.ACCOUNT_META),
        "SET user_count = user_count + :count",
        condition="attribute_exists(PK) AND user_count <= :last_that_fits",
        values={":count": count, ":last_that_fits": max_users - count},
        on_condition_failed=QuotaExceeded(),
        return_item_on_failure=True,
    )


def user_count_in(reason: dict[str, Any]) -> int | None:
    """The account's user count in a refused ``count_new_users`` (None: the account is gone)."""
    value = (reason.get("Item") or {}).get("user_count")
    if value is None:
        return None
    # Cancellation reasons come back in DynamoDB's typed form, which the resource does not convert.
    return int(value["N"] if isinstance(value, dict) else value)


def count_removed_user(tx: Transaction, account_id: str) -> None:
    """One user fewer, never the last one: the account keeps its owner (R-PRO-3 "alone on the account")."""
    tx.update(
        keys.key(keys.account_pk(account_id), keys.ACCOUNT_META),
        "SET user_count = user_count - :one",
        condition="attribute_exists(PK) AND user_count > :one",
        values={":one": 1},
        on_condition_failed=AloneOnAccount(),
    )


def set_owner(tx: Transaction, account_id: str, new_owner_id: str, *, expected_owner_id: str) -> None:
    """Only from the current owner: two transfers at once cannot both succeed."""
    tx.update(
        keys.key(keys.account_pk(account_id), keys.ACCOUNT_META),
        "SET owner_id = :new",
        condition="owner_id = :expected",
        values={":new": new_owner_id, ":expected": expected_owner_id},
        on_condition_failed=NotOwner(),
    )


def exists(account_id: str) -> bool:
    key = keys.key(keys.account_pk(account_id), keys.ACCOUNT_META)
    return "Item" in aws.table().get_item(Key=key, ProjectionExpression="PK", ConsistentRead=True)


def delete_if_alone(tx: Transaction, account_id: str, owner_id: str, *, stripe_customer_id: str | None) -> None:
    """Delete the account item only while its owner is its one user (invited and pending users count).

    A user being added at the same moment increments user_count on this very item under a
    condition that it exists: whichever transaction commits first makes the other fail. The
    Stripe customer must still be the one the caller read, so the purge is told the right one.
    """
    condition = "user_count = :one AND owner_id = :owner AND "
    values: dict[str, Any] = {":one": 1, ":owner": owner_id}
    if stripe_customer_id:
        condition += "stripe_customer_id = :customer"
        values[":customer"] = stripe_customer_id
    else:
        condition += "attribute_not_exists(stripe_customer_id)"
    tx.delete(
        keys.key(keys.account_pk(account_id), keys.ACCOUNT_META),
        condition=condition,
        values=values,
        on_condition_failed=AccountNotEmpty(),
    )


# What the purge needs to know of each item to undo its links outside the partition.
_PURGE_ATTRIBUTES = ("PK", "SK", "kind", "task_token", "email", "analysis_id", "id")
BATCH_WRITE_MAX = 25  # BatchWriteItem's limit per request
UNPROCESSED_ATTEMPTS = 8


def items_page(account_id: str) -> tuple[list[dict[str, Any]], bool]:
    """The first items left in the account's partition, as many as one Query returns (1 MB), and
    whether more remain. The purge deletes each page before asking for the next, so it always
    starts from the partition's beginning."""
    names = {f"#a{i}": name for i, name in enumerate(_PURGE_ATTRIBUTES)}
    response = aws.table().query(
        KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues={":pk": keys.account_pk(account_id)},
        ProjectionExpression=", ".join(names),
        ExpressionAttributeNames=names,
        ConsistentRead=True,
    )
    return response.get("Items", []), "LastEvaluatedKey" in response


def delete_items(items: list[dict[str, Any]]) -> int:
    """BatchWriteItem, 25 deletions per request; unprocessed ones (throttling) sent again with
    exponential backoff. Returns the number of requests made."""
    name = aws.table().name
    requests = 0
    for start in range(0, len(items), BATCH_WRITE_MAX):
        pending: dict[str, Any] = {
            name: [
                {"DeleteRequest": {"Key": {"PK": item["PK"], "SK": item["SK"]}}}
                for item in items[start : start + BATCH_WRITE_MAX]
            ]
        }
        for attempt in range(UNPROCESSED_ATTEMPTS):
            if attempt:
                time.sleep(min(0.05 * 2**attempt, 2.0) * random.uniform(0.5, 1.0))
            pending = aws.dynamodb_client().batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
            requests += 1
            if not pending:
                break
        else:
            raise DeletionThrottled()
    return requests


class DeletionThrottled(Exception):
    """DynamoDB kept items unprocessed after every retry: the purge fails and Lambda runs it again."""

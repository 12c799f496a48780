"""The account item: name, type, owner and the user counter that guards quotas and deletion."""

from typing import Any

from comptasecure import aws
from comptasecure.errors import Conflict, DomainError, NotFound
from comptasecure.store import keys
from comptasecure.store.transaction import Transaction


def get(account_id: str) -> dict[str, Any]:
    item = aws.table().get_item(Key=keys.key(keys.account_pk(account_id), keys.ACCOUNT_META)).get("Item")
    if item is None:
        raise NotFound("Compte introuvable.", code="account_not_found")
    return item


def put_new(tx: Transaction, account: dict[str, Any]) -> None:
    tx.put(
        {**keys.key(keys.account_pk(account["id"]), keys.ACCOUNT_META), "kind": "account", **account},
        condition="attribute_not_exists(PK)",
        on_condition_failed=Conflict("Ce compte existe déjà.", code="account_exists"),
    )


def rename(tx: Transaction, account_id: str, name: str) -> None:
    tx.update(
        keys.key(keys.account_pk(account_id), keys.ACCOUNT_META),
        "SET #name = :name",
        condition="attribute_exists(PK)",
        names={"#name": "name"},
        values={":name": name},
        on_condition_failed=NotFound("Compte introuvable.", code="account_not_found"),
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
        on_condition_failed=on_unexpected_type or NotFound("Compte introuvable.", code="account_not_found"),
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
        on_condition_failed=Conflict(
            "Le nombre maximal d'utilisateurs de votre type de compte est atteint.", code="quota_exceeded"
        ),
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
        on_condition_failed=Conflict(
            "Vous êtes seul sur le compte : votre profil ne peut pas être supprimé.", code="alone_on_account"
        ),
    )


def set_owner(tx: Transaction, account_id: str, new_owner_id: str, *, expected_owner_id: str) -> None:
    """Only from the current owner: two transfers at once cannot both succeed."""
    tx.update(
        keys.key(keys.account_pk(account_id), keys.ACCOUNT_META),
        "SET owner_id = :new",
        condition="owner_id = :expected",
        values={":new": new_owner_id, ":expected": expected_owner_id},
        on_condition_failed=Conflict("Vous n'êtes plus propriétaire de ce compte.", code="not_owner"),
    )


def delete_if_alone(tx: Transaction, account_id: str, owner_id: str) -> None:
    """Delete the account item only while its owner is its one user (invited and pending users count).

    A user being added at the same moment increments user_count on this very item under a
    condition that it exists: whichever transaction commits first makes the other fail.
    """
    tx.delete(
        keys.key(keys.account_pk(account_id), keys.ACCOUNT_META),
        condition="user_count = :one AND owner_id = :owner",
        values={":one": 1, ":owner": owner_id},
        on_condition_failed=Conflict(
            "Le compte compte d'autres utilisateurs (y compris invités) : supprimez-les avant de supprimer le compte.",
            code="account_not_empty",
        ),
    )


# What the deletion sweep needs to know of each item to undo its links outside the partition.
_SWEEP_ATTRIBUTES = ("PK", "SK", "kind", "task_token", "email", "analysis_id")


def first_items(account_id: str, limit: int) -> list[dict[str, Any]]:
    """The first items left in the account's partition (the deletion sweep's bounded page)."""
    names = {f"#a{i}": name for i, name in enumerate(_SWEEP_ATTRIBUTES)}
    response = aws.table().query(
        KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues={":pk": keys.account_pk(account_id)},
        ProjectionExpression=", ".join(names),
        ExpressionAttributeNames=names,
        Limit=limit,
        ConsistentRead=True,
    )
    return response.get("Items", [])


def delete_items(items: list[dict[str, Any]]) -> None:
    """Batch delete (25 per request, unprocessed items retried by the batch writer)."""
    with aws.table().batch_writer() as batch:
        for item in items:
            batch.delete_item(Key={"PK": item["PK"], "SK": item["SK"]})

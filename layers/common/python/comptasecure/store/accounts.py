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


def count_new_user(tx: Transaction, account_id: str, max_users: int) -> None:
    """One more user, only while under the account type's limit: concurrent invitations cannot overshoot."""
    tx.update(
        keys.key(keys.account_pk(account_id), keys.ACCOUNT_META),
        "SET user_count = user_count + :one",
        condition="attribute_exists(PK) AND user_count < :max",
        values={":one": 1, ":max": max_users},
        on_condition_failed=Conflict(
            "Le nombre maximal d'utilisateurs de votre type de compte est atteint.", code="quota_exceeded"
        ),
    )


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

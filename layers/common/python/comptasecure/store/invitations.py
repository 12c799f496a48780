"""Invitation links: the hash of the link's token, its expiry and the workflow task waiting on it."""

from typing import Any

from comptasecure import aws
from comptasecure.errors import DomainError
from comptasecure.store import keys
from comptasecure.store.batch import get_many
from comptasecure.store.transaction import Transaction

EXPIRY_KIND = "invitation"


def get(account_id: str, user_id: str) -> dict[str, Any] | None:
    return aws.table().get_item(Key=keys.key(keys.account_pk(account_id), keys.invitation_sk(user_id))).get("Item")


def get_with_user(account_id: str, user_id: str) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The invitation link and its user in one BatchGetItem: accepting needs both."""
    pk = keys.account_pk(account_id)
    invitation = user = None
    for item in get_many([keys.key(pk, keys.invitation_sk(user_id)), keys.key(pk, keys.user_sk(user_id))]):
        if item["SK"] == keys.user_sk(user_id):
            user = item
        else:
            invitation = item
    return invitation, user


def replace(tx: Transaction, account_id: str, user_id: str, fields: dict[str, Any]) -> None:
    """Store a new link; the previous token of this user stops working at once."""
    tx.put(
        {
            **keys.key(keys.account_pk(account_id), keys.invitation_sk(user_id)),
            "kind": "invitation",
            "expiry_kind": EXPIRY_KIND,
            "account_id": account_id,
            "user_id": user_id,
            **fields,
        }
    )


def consume(tx: Transaction, account_id: str, user_id: str, token_hash: str, now: str, gone: DomainError) -> None:
    """Delete the link only if it is still this one and still valid: two concurrent uses, one wins."""
    tx.delete(
        keys.key(keys.account_pk(account_id), keys.invitation_sk(user_id)),
        condition="token_hash = :hash AND expires_at > :now",
        values={":hash": token_hash, ":now": now},
        on_condition_failed=gone,
    )


def delete(tx: Transaction, account_id: str, user_id: str) -> None:
    tx.delete(keys.key(keys.account_pk(account_id), keys.invitation_sk(user_id)))

"""Invitation links: the hash of the link's token, its expiry and the workflow task waiting on it."""

from typing import Any

from comptasecure import aws
from comptasecure.store import keys

EXPIRY_KIND = "invitation"


def get(account_id: str, user_id: str) -> dict[str, Any] | None:
    return aws.table().get_item(Key=keys.key(keys.account_pk(account_id), keys.invitation_sk(user_id))).get("Item")


def replace(account_id: str, user_id: str, fields: dict[str, Any]) -> None:
    """Store a new link; the previous token of this user stops working at once."""
    aws.table().put_item(
        Item={
            **keys.key(keys.account_pk(account_id), keys.invitation_sk(user_id)),
            "kind": "invitation",
            "expiry_kind": EXPIRY_KIND,
            "account_id": account_id,
            "user_id": user_id,
            **fields,
        }
    )

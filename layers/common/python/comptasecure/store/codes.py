"""One-time confirmation codes: only an HMAC of the code is stored, with its attempts and expiry."""

from typing import Any

from comptasecure import aws
from comptasecure.errors import TooManyAttempts
from comptasecure.store import keys
from comptasecure.store.transaction import Transaction

EXPIRY_KIND = "code"


def get(account_id: str, user_id: str, purpose: str) -> dict[str, Any] | None:
    return aws.table().get_item(Key=keys.key(keys.account_pk(account_id), keys.code_sk(user_id, purpose))).get("Item")


def replace(account_id: str, user_id: str, purpose: str, fields: dict[str, Any]) -> None:
    """Store a new code for this purpose; the previous one, if any, stops working at once."""
    aws.table().put_item(
        Item={
            **keys.key(keys.account_pk(account_id), keys.code_sk(user_id, purpose)),
            "kind": "code",
            "expiry_kind": EXPIRY_KIND,
            "account_id": account_id,
            "user_id": user_id,
            "purpose": purpose,
            "attempts": 0,
            **fields,
        }
    )


def count_failed_attempt(account_id: str, user_id: str, purpose: str, code_hash: str, max_attempts: int) -> int:
    """Add one failed attempt to this very code; past the limit the code is locked (429)."""
    from botocore.exceptions import ClientError

    try:
        response = aws.table().update_item(
            Key=keys.key(keys.account_pk(account_id), keys.code_sk(user_id, purpose)),
            UpdateExpression="ADD attempts :one",
            ConditionExpression="code_hash = :hash AND attempts < :max",
            ExpressionAttributeValues={":one": 1, ":hash": code_hash, ":max": max_attempts},
            ReturnValues="UPDATED_NEW",
        )
    except ClientError as error:
        if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise TooManyAttempts() from error
        raise
    return int(str(response["Attributes"]["attempts"]))


def consume(
    tx: Transaction, account_id: str, user_id: str, purpose: str, code_hash: str, max_attempts: int, now: str
) -> None:
    """Delete the code inside the caller's transaction, only if it is still this one, unlocked and valid.

    A concurrent use of the same code loses the race here and its whole transaction is cancelled.
    """
    tx.delete(
        keys.key(keys.account_pk(account_id), keys.code_sk(user_id, purpose)),
        condition="code_hash = :hash AND attempts < :max AND expires_at > :now",
        values={":hash": code_hash, ":max": max_attempts, ":now": now},
        on_condition_failed=TooManyAttempts(),
    )


def delete(account_id: str, user_id: str, purpose: str) -> None:
    aws.table().delete_item(Key=keys.key(keys.account_pk(account_id), keys.code_sk(user_id, purpose)))


def delete_in(tx: Transaction, account_id: str, user_id: str, purpose: str) -> None:
    tx.delete(keys.key(keys.account_pk(account_id), keys.code_sk(user_id, purpose)))

"""One-time confirmation codes: only an HMAC of the code is stored, with its attempts and expiry."""

from decimal import Decimal
from typing import NotRequired, TypedDict, cast

from comptasecure import aws
from comptasecure.errors import DomainError, TooManyAttempts
from comptasecure.store import keys
from comptasecure.store.batch import get_many
from comptasecure.store.conditions import conditional
from comptasecure.store.records import User
from comptasecure.store.transaction import Transaction

EXPIRY_KIND = "code"

# Counters of the confirmation by email, in the email's partition (whether or not a user has it):
# CONFIRMATION#<day> counts the tries since the last code request and the tries of the day;
# CODE_REQUESTS#<hour> counts the code requests of the hour and keeps the last one's time.
# Each key names its window, so a window is one conditional ADD and a new window a new item (TTL).
TRIES_SK = "CONFIRMATION#"
REQUESTS_SK = "CODE_REQUESTS#"
# Counters of the email change, one for the user (in its account's partition) and one for the new
# address (in the address's partition), each keyed by its window: the codes of the hour, the tries of
# the day.
EMAIL_CHANGE_REQUESTS = "NEW_EMAIL_CODES#"
EMAIL_CHANGE_TRIES = "NEW_EMAIL_TRIES#"


def take_confirmation_try(email: str, day: int, *, per_code: int, per_day: int, ttl: int) -> None:
    """Count one confirmation try for this email before the code is looked at; ConditionFailed past
    either limit.

    Counting first, in one conditional ADD, bounds the guesses however many arrive at once.
    """
    with conditional():
        aws.table().update_item(
            Key=keys.key(keys.email_pk(email), f"{TRIES_SK}{day}"),
            UpdateExpression="ADD tries :one, day_tries :one SET #ttl = :ttl",
            ConditionExpression="(attribute_not_exists(tries) OR tries < :per_code) "
            "AND (attribute_not_exists(day_tries) OR day_tries < :per_day)",
            ExpressionAttributeNames={"#ttl": "ttl"},
            ExpressionAttributeValues={":one": 1, ":per_code": per_code, ":per_day": per_day, ":ttl": ttl},
        )


def forget_tries(tx: Transaction, email: str, day: int) -> None:
    """A confirmed email starts again from nothing, as an email that never tried."""
    tx.delete(keys.key(keys.email_pk(email), f"{TRIES_SK}{day}"))


def take_code_request(
    tx: Transaction, email: str, hour: int, *, per_hour: int, now: str, resend_after: str, ttl: int
) -> None:
    """Count one code request for this email in the caller's transaction, which fails (ConditionFailed)
    past the hour's limit or right after the previous request."""
    tx.update(
        keys.key(keys.email_pk(email), f"{REQUESTS_SK}{hour}"),
        "ADD requests :one SET requested_at = :now, #ttl = :ttl",
        condition="(attribute_not_exists(requests) OR requests < :per_hour) "
        "AND (attribute_not_exists(requested_at) OR requested_at <= :resend_after)",
        names={"#ttl": "ttl"},
        values={":one": 1, ":per_hour": per_hour, ":now": now, ":resend_after": resend_after, ":ttl": ttl},
    )


def record_code_request(tx: Transaction, email: str, hour: int, *, now: str, ttl: int) -> None:
    """The first code (at signup) counts as a request, in the signup's transaction."""
    tx.update(
        keys.key(keys.email_pk(email), f"{REQUESTS_SK}{hour}"),
        "ADD requests :one SET requested_at = :now, #ttl = :ttl",
        names={"#ttl": "ttl"},
        values={":one": 1, ":now": now, ":ttl": ttl},
    )


def reset_tries_per_code(tx: Transaction, email: str, day: int, ttl: int) -> None:
    """A new code brings fresh tries; the day's count stays."""
    tx.update(
        keys.key(keys.email_pk(email), f"{TRIES_SK}{day}"),
        "SET tries = :zero, #ttl = :ttl",
        names={"#ttl": "ttl"},
        values={":zero": 0, ":ttl": ttl},
    )


def count_email_change(
    tx: Transaction,
    counter: str,
    account_id: str,
    user_id: str,
    new_email: str,
    window: int,
    *,
    limit: int,
    ttl: int,
    on_limit: DomainError,
) -> None:
    """In the caller's transaction, one more email-change code request or try (``counter``) in this
    window, for the user and for the new address, each only below ``limit`` (else ``on_limit``).

    Conditional ADDs in one transaction: both counted or neither, however many requests arrive at once.
    """
    for key in (
        keys.key(keys.account_pk(account_id), f"{counter}{user_id}#{window}"),
        keys.key(keys.email_pk(new_email), f"{counter}{window}"),
    ):
        tx.update(
            key,
            "ADD #count :one SET #ttl = :ttl",
            condition="attribute_not_exists(#count) OR #count < :limit",
            names={"#count": "count", "#ttl": "ttl"},
            values={":one": 1, ":limit": limit, ":ttl": ttl},
            on_condition_failed=on_limit,
        )


class StoredCode(TypedDict):
    """``ACCOUNT#<aid>`` / ``CODE#<uid>#<purpose>``: the pending code of one purpose, as its HMAC."""

    account_id: str
    user_id: str
    purpose: str
    code_hash: str
    issued_at: str
    expires_at: str
    attempts: int | Decimal
    ttl: int | Decimal
    task_token: NotRequired[str]
    """The workflow task waiting for this code, if one is."""
    execution_arn: NotRequired[str]
    issued_by: NotRequired[str]
    """The outbox follow-up that issued it, when one did (its code is the same on every run)."""


def get(account_id: str, user_id: str, purpose: str) -> StoredCode | None:
    key = keys.key(keys.account_pk(account_id), keys.code_sk(user_id, purpose))
    return cast(StoredCode | None, aws.table().get_item(Key=key).get("Item"))


def with_user(account_id: str, user_id: str, purpose: str) -> tuple[User | None, StoredCode | None]:
    """The user and its code for this purpose, in one BatchGetItem (None for what does not exist)."""
    user_key = keys.key(keys.account_pk(account_id), keys.user_sk(user_id))
    code_key = keys.key(keys.account_pk(account_id), keys.code_sk(user_id, purpose))
    found = {str(item["SK"]): item for item in get_many([user_key, code_key])}
    return cast(User | None, found.get(user_key["SK"])), cast(StoredCode | None, found.get(code_key["SK"]))


def replace(
    account_id: str, user_id: str, purpose: str, fields: dict[str, str | int], *, unless_issued_by: str | None = None
) -> None:
    """Store a new code for this purpose; the previous one, if any, stops working at once.

    ``unless_issued_by``: ConditionFailed, and nothing written, if the stored code came from that issuer.
    """
    item = {
        **keys.key(keys.account_pk(account_id), keys.code_sk(user_id, purpose)),
        "kind": "code",
        "expiry_kind": EXPIRY_KIND,
        "account_id": account_id,
        "user_id": user_id,
        "purpose": purpose,
        "attempts": 0,
        **fields,
    }
    if unless_issued_by is None:
        aws.table().put_item(Item=item)
        return
    with conditional():
        aws.table().put_item(
            Item=item,
            ConditionExpression="attribute_not_exists(issued_by) OR issued_by <> :issuer",
            ExpressionAttributeValues={":issuer": unless_issued_by},
        )


def count_failed_attempt(account_id: str, user_id: str, purpose: str, code_hash: str, max_attempts: int) -> None:
    """Add one failed attempt to this very code; ConditionFailed once the code is locked (or replaced)."""
    with conditional():
        aws.table().update_item(
            Key=keys.key(keys.account_pk(account_id), keys.code_sk(user_id, purpose)),
            UpdateExpression="ADD attempts :one",
            ConditionExpression="code_hash = :hash AND attempts < :max",
            ExpressionAttributeValues={":one": 1, ":hash": code_hash, ":max": max_attempts},
        )


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

"""Credit balances (one item per type) and their movements, newest first."""

from typing import Any

from boto3.dynamodb.conditions import Key

from comptasecure import aws
from comptasecure.errors import DomainError
from comptasecure.store import keys
from comptasecure.store.billing import ACCOUNT_NOT_FOUND, newest_first
from comptasecure.store.transaction import Transaction
from comptasecure.store.values import plain

# Several balance attributes are DynamoDB reserved words.
NAMES = {"#consumed": "consumed", "#granted": "granted", "#remaining": "remaining"}


def require_account(tx: Transaction, account_id: str) -> None:
    tx.check(
        keys.key(keys.account_pk(account_id), keys.ACCOUNT_META),
        "attribute_exists(PK)",
        on_condition_failed=ACCOUNT_NOT_FOUND,
    )


def grant(tx: Transaction, account_id: str, credit_type: str, amount: int) -> None:
    tx.update(
        keys.key(keys.account_pk(account_id), keys.credit_sk(credit_type)),
        "SET kind = :kind, credit_type = :type, #consumed = if_not_exists(#consumed, :zero) "
        "ADD #granted :n, #remaining :n",
        names=NAMES,
        values={":kind": "credit", ":type": credit_type, ":zero": 0, ":n": amount},
    )


def consume(tx: Transaction, account_id: str, credit_type: str, amount: int, *, on_insufficient: DomainError) -> None:
    # The condition is the invariant: two concurrent consumptions cannot both pass it on the last credit.
    tx.update(
        keys.key(keys.account_pk(account_id), keys.credit_sk(credit_type)),
        "ADD #consumed :n, #remaining :minus",
        condition="#remaining >= :n",
        names={name: NAMES[name] for name in ("#consumed", "#remaining")},
        values={":n": amount, ":minus": -amount},
        on_condition_failed=on_insufficient,
    )


def add_movement(tx: Transaction, account_id: str, movement: dict[str, Any]) -> None:
    tx.put(
        {
            **keys.key(keys.account_pk(account_id), keys.credit_history_sk(movement["at"], movement["id"])),
            "kind": "credit_movement",
            **movement,
        },
        condition="attribute_not_exists(PK)",
    )


def balances(account_id: str) -> list[dict[str, Any]]:
    response = aws.table().query(
        KeyConditionExpression=Key("PK").eq(keys.account_pk(account_id)) & Key("SK").begins_with(keys.CREDIT_PREFIX)
    )
    return [plain(item) for item in response.get("Items", [])]


def history_page(
    account_id: str, limit: int, start_key: dict[str, Any] | None
) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    return newest_first(account_id, keys.CREDIT_HISTORY_PREFIX, limit, start_key)

"""Credit balances (one item per type) and their movements, newest first."""

from typing import NotRequired, TypedDict, cast

from boto3.dynamodb.conditions import Key

from comptasecure import aws
from comptasecure.errors import DomainError
from comptasecure.store import keys
from comptasecure.store.pages import StartKey, newest_first, record
from comptasecure.store.transaction import Transaction
from comptasecure.store.values import plain


class Balance(TypedDict):
    """``ACCOUNT#<aid>`` / ``CREDIT#<type>``: one credit type's balance."""

    credit_type: str
    granted: int
    consumed: int
    remaining: int


class Consumption(TypedDict):
    """``ACCOUNT#<aid>`` / ``CONSUMPTION#<analysis id>``: what one analysis consumed, written once."""

    analysis_id: str
    account_id: str
    credit_type: str
    amount: int
    consumed_at: str


class Movement(TypedDict):
    """``ACCOUNT#<aid>`` / ``CREDIT_HISTORY#<at>#<id>``: one grant or consumption, as the history shows it."""

    id: str
    at: str
    type: str
    delta: int
    reason: str
    analysis_id: NotRequired[str]


# Several balance attributes are DynamoDB reserved words.
NAMES = {"#consumed": "consumed", "#granted": "granted", "#remaining": "remaining"}


def require_account(tx: Transaction, account_id: str, *, on_missing: DomainError) -> None:
    """The transaction holds only while the account exists."""
    tx.check(
        keys.key(keys.account_pk(account_id), keys.ACCOUNT_META),
        "attribute_exists(PK)",
        on_condition_failed=on_missing,
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


def record_consumption(tx: Transaction, account_id: str, consumption: Consumption, *, on_repeat: DomainError) -> None:
    """The analysis's consumption, written once: a retry of the same analysis fails this condition."""
    tx.put(
        {
            **keys.key(keys.account_pk(account_id), keys.consumption_sk(consumption["analysis_id"])),
            "kind": "credit_consumption",
            **consumption,
        },
        condition="attribute_not_exists(PK)",
        on_condition_failed=on_repeat,
    )


def consumption(account_id: str, analysis_id: str) -> Consumption | None:
    """What an analysis consumed, read strongly so a retry right after the first call finds it."""
    item = (
        aws.table()
        .get_item(Key=keys.key(keys.account_pk(account_id), keys.consumption_sk(analysis_id)), ConsistentRead=True)
        .get("Item")
    )
    return None if item is None else cast(Consumption, record(item))


def count_analysis(tx: Transaction, account_id: str, month: str, max_per_month: int, *, on_limit: DomainError) -> None:
    # One counter item per month: the condition holds the limit however many consumptions run at once.
    tx.update(
        keys.key(keys.account_pk(account_id), keys.analyses_month_sk(month)),
        "SET kind = :kind ADD #analyses :one",
        condition="attribute_not_exists(#analyses) OR #analyses < :max",
        names={"#analyses": "analyses"},
        values={":kind": "analyses_of_month", ":one": 1, ":max": max_per_month},
        on_condition_failed=on_limit,
    )


def add_movement(tx: Transaction, account_id: str, movement: Movement) -> None:
    tx.put(
        {
            **keys.key(keys.account_pk(account_id), keys.credit_history_sk(movement["at"], movement["id"])),
            "kind": "credit_movement",
            **movement,
        },
        condition="attribute_not_exists(PK)",
    )


def balances(account_id: str) -> list[Balance]:
    response = aws.table().query(
        KeyConditionExpression=Key("PK").eq(keys.account_pk(account_id)) & Key("SK").begins_with(keys.CREDIT_PREFIX)
    )
    return [cast(Balance, plain(item)) for item in response.get("Items", [])]


def history_page(account_id: str, limit: int, start_key: StartKey | None) -> tuple[list[Movement], StartKey | None]:
    items, last_key = newest_first(account_id, keys.CREDIT_HISTORY_PREFIX, limit, start_key)
    return cast(list[Movement], items), last_key

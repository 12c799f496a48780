"""Pages of an account's items, newest first, continued from the key the previous page ended on."""

from collections.abc import Callable
from typing import Any

from boto3.dynamodb.conditions import Key

from comptasecure import aws
from comptasecure.errors import InvalidCursor
from comptasecure.store import keys
from comptasecure.store.values import plain

StartKey = dict[str, Any]
"""DynamoDB's LastEvaluatedKey of a page, handed back to continue after it."""

# What makes an item a row of the table, not a field of the record it holds.
ITEM_ATTRIBUTES = frozenset({"PK", "SK", "kind", "ttl"})


def record(item: dict[str, Any]) -> dict[str, Any]:
    """The record an item holds: plain values, without its keys, kind and expiry."""
    return {name: plain(value) for name, value in item.items() if name not in ITEM_ATTRIBUTES}


def checked_start(start_key: StartKey | None, pk: str, in_list: Callable[[str], bool]) -> StartKey | None:
    """The start key, if it continues this list (its partition, an item of its kind); raises otherwise.

    A start key comes back from a client (inside a signed cursor): the store still refuses one that
    would read another partition or another kind of item, as the invalid cursor it came in.
    """
    if start_key is None:
        return None
    if set(start_key) != {"PK", "SK"} or start_key["PK"] != pk or not in_list(str(start_key["SK"])):
        raise InvalidCursor()
    return start_key


def check_start_key(start_key: StartKey, pk: str, sk_prefix: str) -> None:
    """A start key may only continue the list of items whose sort key starts with ``sk_prefix``."""
    checked_start(start_key, pk, lambda sk: sk.startswith(sk_prefix))


def newest_first(
    account_id: str, prefix: str, limit: int, start_key: StartKey | None
) -> tuple[list[dict[str, Any]], StartKey | None]:
    """One page of the account's items whose sort key starts with ``prefix``, newest first."""
    pk = keys.account_pk(account_id)
    query: dict[str, Any] = {
        "KeyConditionExpression": Key("PK").eq(pk) & Key("SK").begins_with(prefix),
        "ScanIndexForward": False,
        "Limit": limit,
    }
    start = checked_start(start_key, pk, lambda sk: sk.startswith(prefix))
    if start is not None:
        query["ExclusiveStartKey"] = start
    response = aws.table().query(**query)
    return [record(item) for item in response.get("Items", [])], response.get("LastEvaluatedKey")


def query(
    pk: str, prefix: str, limit: int, start_key: StartKey | None, *, projection: str | None = None
) -> tuple[list[dict[str, Any]], StartKey | None]:
    """One page (one Query) of the partition's items whose sort key starts with ``prefix``; a start key
    may only continue them (else InvalidCursor)."""
    request: dict[str, Any] = {
        "KeyConditionExpression": Key("PK").eq(pk) & Key("SK").begins_with(prefix),
        "Limit": limit,
    }
    if start_key:
        check_start_key(start_key, pk, prefix)
        request["ExclusiveStartKey"] = start_key
    if projection:
        request["ProjectionExpression"] = projection
    response = aws.table().query(**request)
    return list(response.get("Items", [])), response.get("LastEvaluatedKey")

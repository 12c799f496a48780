"""The expiry index: finds what has expired by a Query on its kind, never by scanning the table."""

from collections.abc import Iterator
from typing import Any

from boto3.dynamodb.conditions import Key

from comptasecure import aws
from comptasecure.store import keys
from comptasecure.store.transaction import MAX_TRANSACTION_ITEMS, Transaction


def expired(kind: str, now: str) -> Iterator[dict[str, Any]]:
    """Keys of the items of this kind whose expiry is before now, page after page."""
    query: dict[str, Any] = {
        "IndexName": keys.EXPIRY_INDEX,
        "KeyConditionExpression": Key("expiry_kind").eq(kind) & Key("expires_at").lt(now),
    }
    while True:
        response = aws.table().query(**query)
        yield from response.get("Items", [])
        if "LastEvaluatedKey" not in response:
            return
        query["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def delete_if_expired(items: list[dict[str, Any]], now: str) -> int:
    """Delete those still expired, 100 conditional deletes per transaction; returns how many went.

    Conditional, not a BatchWriteItem: a code replaced since the index was read survives. A failed
    condition cancels its whole transaction, so the items that failed are dropped and the rest tried
    again: one call per 100 expired items, plus one per batch where something was replaced meanwhile.
    """
    removed = 0
    for start in range(0, len(items), MAX_TRANSACTION_ITEMS):
        batch = items[start : start + MAX_TRANSACTION_ITEMS]
        while batch:
            tx = Transaction()
            for item in batch:
                tx.delete(
                    {"PK": item["PK"], "SK": item["SK"]},
                    condition="expires_at < :now",
                    values={":now": now},
                )
            failed = tx.commit_or_failed()
            if not failed:
                removed += len(batch)
                break
            batch = [item for position, item in enumerate(batch) if position not in failed]
    return removed

"""Audit events: appended inside the transaction of the change they record; read newest first."""

from typing import Any

from boto3.dynamodb.conditions import Attr, ConditionBase, Key

from comptasecure import aws
from comptasecure.store import keys
from comptasecure.store.transaction import Transaction
from comptasecure.store.values import plain


def append(tx: Transaction, account_id: str, event: dict[str, Any], expires_epoch: int) -> None:
    item = {
        **keys.key(keys.account_pk(account_id), keys.audit_sk(event["at"], event["id"])),
        "kind": "audit",
        "ttl": expires_epoch,
        **event,
    }
    # attribute_not_exists makes the event append-only even if an id ever collided.
    tx.put(item, condition="attribute_not_exists(PK)")


def page(
    account_id: str,
    *,
    since: str | None,
    until: str | None,
    actor_id: str | None,
    action: str | None,
    limit: int,
    start_key: dict[str, Any] | None,
) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    low = keys.audit_sk(since or "")
    # "~" sorts after every character of an ISO time, so the upper bound includes the whole second.
    high = keys.audit_sk(until or "~", "~")
    query: dict[str, Any] = {
        "KeyConditionExpression": Key("PK").eq(keys.account_pk(account_id)) & Key("SK").between(low, high),
        "ScanIndexForward": False,
        "Limit": limit,
    }
    filters: list[ConditionBase] = []
    if actor_id:
        filters.append(Attr("actor_id").eq(actor_id))
    if action:
        filters.append(Attr("action").eq(action))
    if filters:
        combined = filters[0]
        for extra in filters[1:]:
            combined = combined & extra
        query["FilterExpression"] = combined
    if start_key:
        query["ExclusiveStartKey"] = start_key
    response = aws.table().query(**query)
    return [plain(item) for item in response.get("Items", [])], response.get("LastEvaluatedKey")

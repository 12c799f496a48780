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
    limit: int | None,
    start_key: dict[str, Any] | None,
) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """One page, newest first; without ``limit``, as much as DynamoDB returns at once (1 MB)."""
    low = keys.audit_sk(since or "")
    # "~" sorts after every character of an ISO time, so the upper bound includes the whole second.
    high = keys.audit_sk(until or "~", "~")
    query: dict[str, Any] = {
        "KeyConditionExpression": Key("PK").eq(keys.account_pk(account_id)) & Key("SK").between(low, high),
        "ScanIndexForward": False,
    }
    if limit is not None:
        query["Limit"] = limit
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


def put_export(account_id: str, export: dict[str, Any], expires_epoch: int) -> None:
    """A new asynchronous export of the audit trail, in the account's partition (so only it reads it)."""
    aws.table().put_item(
        Item={
            **keys.key(keys.account_pk(account_id), keys.audit_export_sk(export["id"])),
            "kind": "audit_export",
            "ttl": expires_epoch,
            **export,
        },
        ConditionExpression="attribute_not_exists(PK)",
    )


def get_export(account_id: str, export_id: str) -> dict[str, Any] | None:
    item = (
        aws.table()
        .get_item(Key=keys.key(keys.account_pk(account_id), keys.audit_export_sk(export_id)), ConsistentRead=True)
        .get("Item")
    )
    return plain(item) if item else None


def finish_export(account_id: str, export_id: str, fields: dict[str, Any]) -> bool:
    """Record the outcome of a running export once; False when it had already ended (a retried run)."""
    names = {f"#f{i}": name for i, name in enumerate(fields)}
    values: dict[str, Any] = {f":v{i}": value for i, value in enumerate(fields.values())}
    values[":running"] = "running"
    try:
        aws.table().update_item(
            Key=keys.key(keys.account_pk(account_id), keys.audit_export_sk(export_id)),
            UpdateExpression="SET " + ", ".join(f"#f{i} = :v{i}" for i in range(len(fields))),
            ConditionExpression="attribute_exists(PK) AND #status = :running",
            ExpressionAttributeNames={**names, "#status": "status"},
            ExpressionAttributeValues=values,
        )
    except aws.dynamodb_client().exceptions.ConditionalCheckFailedException:
        return False
    return True

"""Audit events: appended inside the transaction of the change they record; read newest first."""

from typing import Any, Literal, NotRequired, TypedDict, cast

from boto3.dynamodb.conditions import Attr, ConditionBase, Key

from comptasecure import aws
from comptasecure.store import keys
from comptasecure.store.conditions import conditional
from comptasecure.store.pages import StartKey, checked_start, record
from comptasecure.store.transaction import Transaction
from comptasecure.store.values import plain


class AuditEvent(TypedDict):
    """``ACCOUNT#<aid>`` / ``AUDIT#<at>#<id>``: who changed what, and when."""

    id: str
    at: str
    actor_id: str
    actor_email: str | None
    action: str
    target_type: str
    target_id: str
    details: dict[str, Any]


ExportStatus = Literal["running", "ready", "failed"]


# An export's filters as stored ("from" and "to" as ISO times); an absent or None one narrows nothing.
ExportFilters = TypedDict(
    "ExportFilters", {"from": str | None, "to": str | None, "actor_id": str | None, "action": str | None}, total=False
)


class AuditExport(TypedDict):
    """``ACCOUNT#<aid>`` / ``AUDIT_EXPORT#<id>``: an asynchronous export of the audit trail."""

    id: str
    status: ExportStatus
    requested_by: str
    filters: ExportFilters
    object_key: str
    created_at: str
    deadline_at: str
    expires_at: str
    rows: NotRequired[int]
    pages: NotRequired[int]
    ended_at: NotRequired[str]


def append(tx: Transaction, account_id: str, event: AuditEvent, expires_epoch: int) -> None:
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
    start_key: StartKey | None,
) -> tuple[list[AuditEvent], StartKey | None]:
    """One page, newest first; without ``limit``, as much as DynamoDB returns at once (1 MB)."""
    pk = keys.account_pk(account_id)
    low = keys.audit_sk(since or "")
    # "~" sorts after every character of an ISO time, so the upper bound includes the whole second.
    high = keys.audit_sk(until or "~", "~")
    query: dict[str, Any] = {
        "KeyConditionExpression": Key("PK").eq(pk) & Key("SK").between(low, high),
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
    start = checked_start(start_key, pk, lambda sk: low <= sk <= high)
    if start is not None:
        query["ExclusiveStartKey"] = start
    response = aws.table().query(**query)
    return [cast(AuditEvent, record(item)) for item in response.get("Items", [])], response.get("LastEvaluatedKey")


def put_export(tx: Transaction, account_id: str, export: AuditExport, expires_epoch: int) -> None:
    """A new asynchronous export of the audit trail, in the account's partition (so only it reads it)."""
    item: dict[str, Any] = {
        **keys.key(keys.account_pk(account_id), keys.audit_export_sk(export["id"])),
        "kind": "audit_export",
        "ttl": expires_epoch,
        **export,
    }
    tx.put(item, condition="attribute_not_exists(PK)")


def get_export(account_id: str, export_id: str) -> AuditExport | None:
    item = (
        aws.table()
        .get_item(Key=keys.key(keys.account_pk(account_id), keys.audit_export_sk(export_id)), ConsistentRead=True)
        .get("Item")
    )
    return cast(AuditExport, plain(item)) if item else None


def mark_ready(account_id: str, export_id: str, *, rows: int, pages: int, ended_at: str) -> None:
    """A running export's CSV is written; raises ConditionFailed when the export had already ended (a retried run)."""
    with conditional():
        aws.table().update_item(
            Key=keys.key(keys.account_pk(account_id), keys.audit_export_sk(export_id)),
            UpdateExpression="SET #status = :ready, #rows = :rows, #pages = :pages, ended_at = :ended_at",
            ConditionExpression="attribute_exists(PK) AND #status = :running",
            ExpressionAttributeNames={"#status": "status", "#rows": "rows", "#pages": "pages"},
            ExpressionAttributeValues={
                ":ready": "ready",
                ":rows": rows,
                ":pages": pages,
                ":ended_at": ended_at,
                ":running": "running",
            },
        )

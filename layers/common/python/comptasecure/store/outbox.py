"""The transactional outbox (R-REL-1): what must follow a change, written in the change's own transaction.

An outbox item sits in the partition of what owes it (an account's, or an email's for what is owed
before any account is known), as ``OUTBOX#<id>``, and commits or vanishes with the change that owes
it. The table's stream carries each new item to FollowUpDispatcherFunction (its
event source mapping is filtered on ``kind = outbox``), which carries the follow-up out and deletes
the item: an item still present is a follow-up still owed, whatever happened to the stream's
delivery. Each item is also in the ``ByExpiry`` index under its due time, so the cleanup job finds
one that outlived its due time (a delivery that failed past every retry) and drives it again.
"""

import json
import secrets
import time
from typing import Any, NotRequired, TypedDict, cast

from comptasecure import aws, clock
from comptasecure.store import keys
from comptasecure.store.conditions import conditional
from comptasecure.store.transaction import Transaction

KIND = "outbox"
EXPIRY_KIND = "outbox"
# A follow-up not carried out this long after its change is overdue: its stream delivery failed.
DUE_SECONDS = 15 * 60
# The cleanup job drives an overdue item again at most this many times; then it stays, for a person.
MAX_REDRIVES = 3


class OutboxItem(TypedDict):
    PK: str
    SK: str
    kind: str
    follow_up: str
    payload: str
    """The follow-up's parameters as JSON (no DynamoDB number or empty-set surprises)."""
    created_at: str
    expiry_kind: NotRequired[str]
    expires_at: str
    redriven: NotRequired[int]


def new_outbox_id() -> str:
    """Time-ordered (milliseconds first) then 64 random bits: an account's items list in order."""
    return f"{time.time_ns() // 1_000_000:012x}{secrets.token_hex(8)}"


def add(tx: Transaction, pk: str, follow_up: str, payload: dict[str, Any]) -> str:
    """Record a follow-up in the change's transaction, in partition ``pk``; returns its id (which makes
    its effect idempotent)."""
    outbox_id = new_outbox_id()
    moment = clock.now()
    item: OutboxItem = {
        **keys.key(pk, keys.outbox_sk(outbox_id)),  # type: ignore[typeddict-item]
        "kind": KIND,
        "follow_up": follow_up,
        "payload": json.dumps(payload, separators=(",", ":"), sort_keys=True),
        "created_at": clock.iso(moment),
        "expiry_kind": EXPIRY_KIND,
        "expires_at": clock.iso(clock.from_epoch(clock.epoch(moment) + DUE_SECONDS)),
    }
    tx.put(dict(item), condition="attribute_not_exists(PK)")
    return outbox_id


def get(pk: str, sk: str) -> OutboxItem | None:
    """The item if its follow-up is still owed (consistent: a follow-up just done is seen as done)."""
    item = aws.table().get_item(Key=keys.key(pk, sk), ConsistentRead=True).get("Item")
    return cast(OutboxItem, item) if item else None


def done(pk: str, sk: str) -> None:
    aws.table().delete_item(Key=keys.key(pk, sk))


def redrive(pk: str, sk: str, next_due: str) -> None:
    """Touch an overdue item so the stream delivers it again (a MODIFY record), due again at ``next_due``;
    ConditionFailed once it is done, or was driven again MAX_REDRIVES times already."""
    with conditional():
        aws.table().update_item(
            Key=keys.key(pk, sk),
            UpdateExpression="ADD redriven :one SET expires_at = :due",
            ConditionExpression="attribute_exists(PK) AND (attribute_not_exists(redriven) OR redriven < :max)",
            ExpressionAttributeValues={":one": 1, ":max": MAX_REDRIVES, ":due": next_due},
        )


def give_up(pk: str, sk: str) -> None:
    """An item driven again MAX_REDRIVES times leaves the expiry index: it waits for a person (its
    failures are in the dead-letter queue, and the replay command runs it again)."""
    aws.table().update_item(
        Key=keys.key(pk, sk),
        UpdateExpression="REMOVE expiry_kind SET stuck = :true",
        ConditionExpression="attribute_exists(PK)",
        ExpressionAttributeValues={":true": True},
    )

"""What `make benchmark` measures besides cold starts: list pages at scale and the cleanup job's reads.

Items are seeded straight into the table with BatchWriteItem (25 a call): the journeys that create
them are not what is measured, and seeding 10,000 items one request at a time would take hours in moto.
"""

import json
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import boto3

from benchmarks.call_budget import recording
from comptasecure import aws, clock
from comptasecure.store import keys
from local import template
from local.emulator import invoke
from tests.helpers import Client

CLEANUP_EVENT = json.loads((template.ROOT / "events/jobs/cleanup.json").read_text())


@dataclass(frozen=True)
class Cost:
    calls: Counter[str]
    items_read: int
    handler_cpu_ms: float
    total_ms: float

    @property
    def total_calls(self) -> int:
        return sum(self.calls.values())


@contextmanager
def items_read() -> Iterator[list[int]]:
    """Items DynamoDB read for the queries and batch reads made meanwhile (ScannedCount, BatchGet answers)."""
    read = [0]

    def count(parsed: dict[str, Any], model: Any, **_: Any) -> None:
        if "ScannedCount" in parsed:
            read[0] += int(parsed["ScannedCount"])
        elif model.name == "BatchGetItem":
            read[0] += sum(len(items) for items in parsed.get("Responses", {}).values())
        elif model.name == "GetItem" and "Item" in parsed:
            read[0] += 1

    # Every client boto3 makes from now on (aws.table() makes a resource per call) and the cached one.
    emitters = [boto3._get_default_session()._session, aws.dynamodb_client().meta.events]
    for emitter in emitters:
        emitter.register("after-call.dynamodb", count)
    try:
        yield read
    finally:
        for emitter in emitters:
            emitter.unregister("after-call.dynamodb", count)


@contextmanager
def costing(function: str) -> Iterator[list[Cost]]:
    """The calls one function made, items read, and time: CPU time in this process (our code and
    botocore's client side, the emulator runs in its own threads) beside the wall clock."""
    result: list[Cost] = []
    with recording() as calls, items_read() as read:
        began_cpu, began = time.thread_time(), time.perf_counter()
        yield result
        cpu, wall = (time.thread_time() - began_cpu) * 1000, (time.perf_counter() - began) * 1000
    result.append(Cost(Counter(op for name, op in calls if name == function), read[0], cpu, wall))


def batch_put(items: Iterator[dict[str, Any]]) -> None:
    with aws.table().batch_writer() as batch:
        for item in items:
            batch.put_item(Item=item)


# ---------------------------------------------------------------- list pages at scale
def seed_users(account_id: str, count: int) -> None:
    batch_put(
        {
            **keys.key(keys.account_pk(account_id), keys.user_sk(f"u{number:09d}")),
            "kind": "user",
            "id": f"u{number:09d}",
            "account_id": account_id,
            "email": f"user{number}@cabinet-dupont.fr",
            "first_name": "Léa",
            "last_name": f"Bénard {number}",
            "role": "member",
            "status": "active",
            "groups": {},
        }
        for number in range(count)
    )


def seed_groups(account_id: str, count: int) -> None:
    batch_put(
        {
            **keys.key(keys.account_pk(account_id), keys.group_sk(f"g{number:09d}")),
            "kind": "group",
            "id": f"g{number:09d}",
            "account_id": account_id,
            "name": f"Mission {number}",
            "member_count": 0,
        }
        for number in range(count)
    )


def seed_fecs(account_id: str, user_id: str, count: int) -> None:
    batch_put(
        {
            **keys.key(keys.account_pk(account_id), keys.fec_sk(f"f{number:09d}")),
            "kind": "fec",
            "id": f"f{number:09d}",
            "account_id": account_id,
            "file_name": f"732829320FEC{number:08d}.txt",
            "folder": "Clients",
            "imported_by": user_id,
            "imported_by_email": "claire.dupont@cabinet-dupont.fr",
            "imported_at": "2026-11-01T00:00:00.000000Z",
            "naming_warning": None,
            "s3_key": f"accounts/{account_id}/fecs/f{number:09d}/732829320FEC{number:08d}.txt",
        }
        for number in range(count)
    )


def page_costs(client: Client, path: str, function: str) -> tuple[Cost, Cost | None]:
    """The first page and one in the middle (following next_cursor halfway when there are pages)."""
    with costing(function) as first_cost:
        first = client.get(path)
    assert first.status == 200, (path, first.body)
    cursor, pages = first.body.get("next_cursor"), 1
    middle_cost = None
    # Follow the cursor to the middle: at most a few hundred pages, the middle one measured.
    cursors = []
    while cursor and pages < 1_000:
        cursors.append(cursor)
        page = client.get(f"{path}?cursor={cursor}")
        cursor, pages = page.body.get("next_cursor"), pages + 1
    if cursors:
        with costing(function) as cost:
            client.get(f"{path}?cursor={cursors[len(cursors) // 2]}")
        middle_cost = cost[0]
    return first_cost[0], middle_cost


# ---------------------------------------------------------------- the cleanup job
def seed_codes(live: int, expired: int) -> None:
    """Codes on the expiry index: ``live`` valid an hour more, ``expired`` an hour overdue."""
    now = clock.now().timestamp()
    run = uuid.uuid4().hex[:8]

    def code(number: int, expires: float) -> dict[str, Any]:
        account = f"bench{run}{number:06d}"
        return {
            **keys.key(keys.account_pk(account), keys.code_sk(account, "confirmation")),
            "kind": "code",
            "expiry_kind": "code",
            "expires_at": clock.iso(clock.from_epoch(expires)),
            "hash": "0" * 64,
            "attempts": 0,
        }

    batch_put(code(number, now + 3600) for number in range(live))
    batch_put(code(live + number, now - 3600) for number in range(expired))


def cleanup_cost() -> tuple[Cost, dict[str, int]]:
    with costing("CleanupFunction") as cost:
        removed: dict[str, int] = invoke("CleanupFunction", CLEANUP_EVENT)
    return cost[0], removed

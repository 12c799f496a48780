"""Folder sharing at scale (R-FOL-1): 1,000 files in 50 folders, every folder shared with a group.

What it shows: a member's `GET /fecs` stays one Query and one BatchGetItem per page whatever the number
of folders shared with them (a folder share is materialised as one grant per user and file), and what
that costs on the writing side: each share, a file registered in a shared folder, and a large folder
(1,000 files, 10 users) granted by its outbox follow-up.

    PYTHONPATH=layers/common/python:. .venv/bin/python benchmarks/folders.py [--files 1000 --folders 50]

Everything goes through the routes (the local run's handlers over moto): the figures are calls and
items, which are AWS's, and times, which are moto's in one process (read them relative to each other).
"""

import argparse
import statistics
import time
from collections import Counter

from benchmarks import scale
from benchmarks.measures import Cost, costing
from tests import seed
from tests.helpers import Client, Member, add_member, follow_ups_done


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--folders", type=int, default=50)
    args = parser.parse_args()
    emulator, client, token, account_id = scale.start()
    try:
        run(client, token, account_id, args.files, args.folders)
    finally:
        emulator.stop()


def run(client: Client, token: str, account_id: str, files: int, folders: int) -> None:
    owner = client.as_user(token)
    seed.account_type(account_id, "entreprise")
    member = add_member(client, account_id)
    group = owner.post("/groups", {"name": "Mission Dupont", "member_ids": [member.user_id]}).body["id"]
    names = [f"Client {n:03d}" for n in range(folders)]

    began = time.perf_counter()
    registrations: list[Cost] = []
    for number in range(files):
        with costing("RegisterFecFunction") as cost:
            reply = owner.post(
                "/fecs", {"file_name": f"732829320FEC{number:08d}.txt", "folder": names[number % folders]}
            )
        assert reply.status == 201, reply.body
        registrations.append(cost[0])
    print(f"{files} files registered in {folders} folders in {time.perf_counter() - began:.1f} s")
    _row("POST /fecs, folder not shared", registrations[-1])

    shares: list[Cost] = []
    for name in names:
        with costing("ShareFolderFunction") as cost:
            reply = owner.post("/fecs/folder-shares", {"folder": name, "group_ids": [group]})
        assert reply.status == 200, reply.body
        shares.append(cost[0])
    _row(f"POST /fecs/folder-shares (x{folders}, median)", _median(shares))

    with costing("RegisterFecFunction") as cost:
        assert owner.post("/fecs", {"file_name": "552100554FEC20251231.txt", "folder": names[0]}).status == 201
    _row("POST /fecs, folder shared with 1 user", cost[0])

    with costing("ListFoldersFunction") as cost:
        listed = owner.get("/fecs/folders?limit=100").body
    assert len(listed["items"]) == folders
    _row(f"GET /fecs/folders ({folders} folders, 1 page)", cost[0])

    for limit in (100, 50):
        pages = _pages(member, limit)
        seen = sum(items for items, _ in pages)
        assert seen == files + 1, seen
        per_page = {str(dict(cost.calls)) for _, cost in pages}
        print(
            f"GET /fecs as the member, {folders} folders shared, limit {limit}: {len(pages)} pages, {seen} files; "
            f"calls per page {' | '.join(sorted(per_page))}; "
            f"median {statistics.median(c.total_ms for _, c in pages):.1f} ms a page "
            f"(handler CPU {statistics.median(c.handler_cpu_ms for _, c in pages):.1f} ms)"
        )

    large(client, owner, account_id)


def large(client: Client, owner: Client, account_id: str) -> None:
    """One folder of 1,000 files shared with 10 users: the answer at once, the grants by the follow-up."""
    users = [add_member(client, account_id) for _ in range(10)]
    for number in range(1000):
        assert owner.post("/fecs", {"file_name": f"552100554FEC{number:08d}.txt", "folder": "Archives"}).status == 201
    began = time.perf_counter()
    with costing("ShareFolderFunction") as cost:
        reply = owner.post("/fecs/folder-shares", {"folder": "Archives", "user_ids": [u.user_id for u in users]})
    assert reply.status == 200, reply.body
    answered = time.perf_counter() - began
    _row("POST /fecs/folder-shares, 1,000 files x 10 users", cost[0])
    follow_ups_done(client)
    print(
        f"  answered in {answered * 1000:.0f} ms; 10,000 grants written by the follow-up "
        f"{time.perf_counter() - began:.1f} s after the request"
    )
    assert sum(items for items, _ in _pages(users[-1], 100)) == 1000


def _pages(user: Member, limit: int) -> list[tuple[int, Cost]]:
    pages: list[tuple[int, Cost]] = []
    cursor = ""
    while True:
        with costing("ListFecsFunction") as cost:
            reply = user.client.get(f"/fecs?limit={limit}{cursor}")
        assert reply.status == 200, reply.body
        pages.append((len(reply.body["items"]), cost[0]))
        if not reply.body["next_cursor"]:
            return pages
        cursor = f"&cursor={reply.body['next_cursor']}"


def _median(costs: list[Cost]) -> Cost:
    middle = sorted(costs, key=lambda cost: cost.total_ms)[len(costs) // 2]
    return Cost(Counter(middle.calls), middle.items_read, middle.handler_cpu_ms, middle.total_ms)


def _row(what: str, cost: Cost) -> None:
    print(f"{what}: {cost.total_calls} calls {dict(cost.calls)}, {cost.items_read} items read, {cost.total_ms:.1f} ms")


if __name__ == "__main__":
    main()

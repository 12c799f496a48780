"""Prints figures, not a test: DELETE /account on a large account (issue 10 item 3).

    PYTHONPATH=layers/common/python:. .venv/bin/python benchmarks/account_deletion.py --items 10000

An owner alone on an account of ``--items`` table items (audit events) and ``--objects`` uploaded
files: the route's time and calls, then the asynchronous purge's time and calls.
"""

import argparse
import time

import boto3

from benchmarks import scale
from comptasecure.settings import settings
from comptasecure.store import keys
from tests.helpers import Client, signup_confirmed


def rename_time(client: Client, token: str) -> float:
    began = time.perf_counter()
    assert client.patch("/account", {"name": f"Cabinet {time.time()}"}, token=token).status == 200
    return (time.perf_counter() - began) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--objects", type=int, default=200)
    parser.add_argument("--timeout", type=float, default=3600)
    arguments = parser.parse_args()

    emulator, client, token, account_id = scale.start()
    _, other = signup_confirmed(client)
    before = rename_time(client, str(other["access_token"]))
    seeding = scale.seed_audit_events(account_id, arguments.items)
    after = rename_time(client, str(other["access_token"]))
    # moto copies the whole table on each transaction: a one-transaction route of *another* account
    # shows what the emulation alone costs, apart from our work.
    print(f"baseline PATCH /account of another account: {before:.0f} ms before seeding, {after:.0f} ms after")
    s3, dynamodb = boto3.client("s3"), boto3.client("dynamodb")
    for number in range(arguments.objects):
        s3.put_object(Bucket=settings().fec_bucket, Key=f"accounts/{account_id}/fecs/{number}/f.txt", Body=b"FEC")
    print(f"seeding {arguments.items:,} items and {arguments.objects} objects: {seeding:.1f} s for the items")

    with scale.counting_calls() as calls:
        scale.timed_route("DELETE /account", lambda: client.delete("/account", token=token))
        route_calls = dict(calls)
        print(f"calls made by the route: {route_calls}")

        def purged() -> bool:
            # Checked with clients of its own, so the counts are the purge's calls only.
            items = dynamodb.query(
                TableName=settings().table_name,
                KeyConditionExpression="PK = :pk",
                ExpressionAttributeValues={":pk": {"S": keys.account_pk(account_id)}},
                Limit=1,
            )["Items"]
            left = s3.list_object_versions(Bucket=settings().fec_bucket, Prefix=f"accounts/{account_id}/")
            return not items and "Versions" not in left

        cpu = time.process_time()
        purge = scale.wait(purged, arguments.timeout)
        purge_cpu = time.process_time() - cpu
        purge_calls = {name: count - route_calls.get(name, 0) for name, count in calls.items()}
    print(f"purge: done after {purge:.1f} s ({purge_cpu:.1f} s of CPU), calls {purge_calls}")
    emulator.stop()


if __name__ == "__main__":
    main()

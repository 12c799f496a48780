"""Prints figures, not a test: GET /audit/export on a large audit trail (issue 10 item 3).

    PYTHONPATH=layers/common/python:. .venv/bin/python benchmarks/audit_export.py --events 1000000

Seeds the trail (timed apart), then times the route's answer (a 202 once the trail is over the
budget) and the export worker's whole run, with its DynamoDB pages and S3 calls.
"""

import argparse
import time

from benchmarks import scale
from comptasecure.store import audit as audit_store


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--timeout", type=float, default=3600)
    arguments = parser.parse_args()

    emulator, client, token, account_id = scale.start()
    seeding = scale.seed_audit_events(account_id, arguments.events)
    print(f"seeding {arguments.events:,} audit events: {seeding:.1f} s ({arguments.events / seeding:,.0f} items/s)")

    with scale.counting_calls() as calls:
        reply = scale.timed_route("GET /audit/export", lambda: client.get("/audit/export", token=token))
        route_calls = dict(calls)
        print(f"calls made by the route: {route_calls}")
        if reply.status != 202:
            print(f"answered synchronously ({len(reply.raw):,} bytes): below the budget")
            emulator.stop()
            return
        export_id = reply.body["export_id"]

        def ready() -> bool:
            job = audit_store.get_export(account_id, export_id)
            return job is not None and job["status"] != "running"

        cpu = time.process_time()
        worker = scale.wait(ready, arguments.timeout)
        worker_cpu = time.process_time() - cpu
        worker_calls = {name: count - route_calls.get(name, 0) for name, count in calls.items()}
    job = audit_store.get_export(account_id, export_id) or {}
    print(
        f"export worker: {job.get('status')} after {worker:.1f} s ({worker_cpu:.1f} s of CPU), "
        f"{job.get('rows', 0):,} rows, "
        f"{job.get('pages', 0):,} DynamoDB pages of up to 1 MB, calls {worker_calls}"
    )
    status = client.get(f"/audit/exports/{export_id}", token=token)
    print(f"GET /audit/exports/{{id}}: {status.status} {status.body['status']}")
    emulator.stop()


if __name__ == "__main__":
    main()

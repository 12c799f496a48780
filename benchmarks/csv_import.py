"""Prints figures, not a test: a CSV import of 1,000 rows through POST /users/import on the local run.

The route's time, and every AWS call it costs, counted by wrapping botocore's ``_make_api_call``:
before the answer (the authorizer and the route: the rows' transactions, which owe the workflow
starts), in the follow-ups (FollowUpDispatcherFunction, from the table's stream: the workflow starts)
and in the workflow (the invitation task of each row, until every invitation email is sent).
API Gateway gives the route 29 s (issue 10); the follow-ups and the workflow run after the answer.

    PYTHONPATH=layers/common/python:. .venv/bin/python benchmarks/csv_import.py [rows]   (or make benchmark)
"""

import json
import os
import sys
import threading
import time
from collections import Counter, defaultdict
from typing import Any

import boto3
import botocore.client

from local.emulator import Emulator
from local.server import LocalApi
from tests import seed
from tests.helpers import Client, signup_confirmed, unique_email

ROWS = 1000
# Typical latencies in the same region, to project the route's time on AWS from its calls: the
# emulator's are far higher (moto copies the whole table on each transaction, and runs each
# workflow's first task inside StartExecution), and they say nothing about the code.
AWS_SECONDS = {
    "dynamodb.BatchGetItem": 0.010,
    "dynamodb.Query": 0.010,
    "dynamodb.TransactWriteItems": 0.060,
    "ssm.GetParameter": 0.015,
}
API_GATEWAY_LIMIT_SECONDS = 29
# The emulator is far slower than DynamoDB (see AWS_SECONDS): its own 30 s gateway cut would stop the
# measurement itself. The figure to hold against the limit is the projection from the calls.
os.environ.setdefault("LOCAL_INTEGRATION_TIMEOUT_SECONDS", "3600")
WORKFLOW_TIMEOUT_SECONDS = 900
STALL_SECONDS = 90
# A type that lets one account hold the whole file (the catalogue's largest allows 200 users).
BENCHMARK_TYPE_ID = "benchmark"
BENCHMARK_TYPE = {
    "id": BENCHMARK_TYPE_ID,
    "label": "Benchmark",
    "obtained_by": "support",
    "limits": {"max_users": 5000, "max_groups": 100, "max_analyses_per_month": 0},
}


class CallLog:
    """Every botocore call our code makes, filed by who made it (found on the caller's stack)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.calls: dict[str, Counter[str]] = {"route": Counter(), "follow-ups": Counter(), "workflow": Counter()}
        self.seconds: dict[str, float] = defaultdict(float)  # wall time inside each operation, summed over threads
        self.recording = False
        self._original = botocore.client.BaseClient._make_api_call  # type: ignore[attr-defined]

    def __enter__(self) -> "CallLog":
        log, original = self, self._original

        def counted(client: Any, operation: str, params: dict[str, Any]) -> Any:
            side = log.side_of_caller() if log.recording else None
            if side is None:
                return original(client, operation, params)
            name = f"{client.meta.service_model.service_name}.{operation}"
            start = time.perf_counter()
            try:
                return original(client, operation, params)
            finally:
                end = time.perf_counter()
                with log.lock:
                    log.calls[side][name] += 1
                    log.seconds[f"{side}:{name}"] += end - start

        botocore.client.BaseClient._make_api_call = counted  # type: ignore[attr-defined]
        return self

    def __exit__(self, *_: object) -> None:
        botocore.client.BaseClient._make_api_call = self._original  # type: ignore[attr-defined]

    @staticmethod
    def side_of_caller() -> str | None:
        frame = sys._getframe(2)
        while frame is not None:
            name = frame.f_code.co_filename
            if "/functions/workflow/" in name:
                return "workflow"
            if name.endswith("/comptasecure/domain/dispatch.py"):  # its pool's threads too: their task is there
                return "follow-ups"
            if "/moto/" in name:
                return None  # the emulator's own plumbing (Step Functions invoking the task), not AWS calls
            frame = frame.f_back  # type: ignore[assignment]
        return "route"


def csv_file(rows: int) -> bytes:
    lines = ["email;prenom;nom;role"] + [f"{unique_email(f'r{i}')};Prénom{i};Nom{i};utilisateur" for i in range(rows)]
    return ("\r\n".join(lines) + "\r\n").encode()


def allow_the_whole_file(emulator: Emulator) -> None:
    ssm = boto3.client("ssm")
    name = emulator.resolve({"Ref": "AccountTypesParameter"})
    catalogue = json.loads(ssm.get_parameter(Name=name)["Parameter"]["Value"])
    catalogue["types"].append(BENCHMARK_TYPE)
    ssm.put_parameter(Name=name, Value=json.dumps(catalogue), Overwrite=True)


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else ROWS
    emulator = Emulator().start()
    allow_the_whole_file(emulator)
    client = Client(LocalApi(emulator))
    _, tokens = signup_confirmed(client)
    owner = client.as_user(tokens["access_token"])
    account_id = owner.get("/me").body["account_id"]

    seed.account_type(account_id, BENCHMARK_TYPE_ID)
    data = csv_file(rows)
    with CallLog() as log:
        log.recording = True
        start = time.perf_counter()
        reply = owner.call("POST", "/users/import", raw=data, content_type="text/csv")
        route_seconds = time.perf_counter() - start
        assert reply.status == 207, reply.body
        route_calls = Counter(log.calls["route"])
        invited = sum(1 for result in reply.body["results"] if result["status"] == "invited")
        print(f"CSV import of {rows} rows: {invited} invited")
        report_route(log, route_calls, route_seconds)
        sent = wait_for_the_emails(log, invited)
        workflow_seconds = time.perf_counter() - start
    emulator.stop()
    report_workflow(log, sent, invited, workflow_seconds)


def report_route(log: CallLog, route_calls: Counter[str], route_seconds: float) -> None:
    verdict = "within" if route_seconds < API_GATEWAY_LIMIT_SECONDS else "OVER"
    print(
        f"  route time on the emulator {route_seconds:8.2f} s ({verdict} API Gateway's {API_GATEWAY_LIMIT_SECONDS} s)"
    )
    print(f"  AWS calls before the answer: {sum(route_calls.values())}")
    for name, count in sorted(route_calls.items()):
        print(f"    {name:<40} {count:6}   {log.seconds[f'route:{name}']:7.2f} s in the calls (all threads)")
    in_calls = sum(seconds for name, seconds in log.seconds.items() if name.startswith("route:"))
    own = route_seconds - in_calls
    print(f"  of which: in AWS calls {in_calls:.2f} s, the code {own:.2f} s")
    projected = own + sum(count * AWS_SECONDS.get(name, 0.05) for name, count in route_calls.items())
    print(f"  projected on AWS at typical latencies {AWS_SECONDS}: {projected:.1f} s", flush=True)


def wait_for_the_emails(log: CallLog, invited: int) -> int:
    """Until every invitation email is sent, or the emulator stops making progress (with 1,000
    executions in one process, its Lambda invocations can time out: those tasks fail there)."""
    sent, progress_at = 0, time.monotonic()
    deadline = progress_at + WORKFLOW_TIMEOUT_SECONDS
    while sent < invited and time.monotonic() < min(deadline, progress_at + STALL_SECONDS):
        time.sleep(0.5)
        now_sent = log.calls["workflow"]["sesv2.SendEmail"]
        if now_sent > sent:
            sent, progress_at = now_sent, time.monotonic()
    return sent


def report_workflow(log: CallLog, sent: int, invited: int, workflow_seconds: float) -> None:
    print(f"  invitation emails sent: {sent} of {invited} ({workflow_seconds:.1f} s after the request)")
    print(f"  AWS calls in the follow-ups: {sum(log.calls['follow-ups'].values())}")
    for name, count in sorted(log.calls["follow-ups"].items()):
        print(f"    {name:<40} {count:6}  ({count / max(invited, 1):.2f} per invited row)")
    print(f"  AWS calls in the workflow: {sum(log.calls['workflow'].values())}")
    for name, count in sorted(log.calls["workflow"].items()):
        print(f"    {name:<40} {count:6}  ({count / max(sent, 1):.2f} per email sent)")


if __name__ == "__main__":
    main()

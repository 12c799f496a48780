"""Prints figures, not a test: a CSV import of 1,000 rows through POST /users/import on the local run.

The route's time, and every AWS call it costs, counted by wrapping botocore's ``_make_api_call``:
before the answer (the authorizer and the route, including the threads that start the workflows)
and in the workflow (the invitation task of each row, until every invitation email is sent).
API Gateway gives the route 29 s (issue 10); the workflow runs after the answer.

    PYTHONPATH=layers/common/python:. .venv/bin/python benchmarks/csv_import.py [rows]   (or make benchmark)
"""

import json
import sys
import threading
import time
from collections import Counter
from typing import Any

import boto3
import botocore.client

from comptasecure.domain import workflow
from local.emulator import Emulator
from local.server import LocalApi
from tests.helpers import Client, signup_confirmed, unique_email

ROWS = 1000
# Typical latencies in the same region, to project the route's time on AWS from its calls: the
# emulator's are far higher (moto copies the whole table on each transaction, and runs each
# workflow's first task inside StartExecution), and they say nothing about the code.
AWS_SECONDS = {
    "dynamodb.BatchGetItem": 0.010,
    "dynamodb.Query": 0.010,
    "dynamodb.TransactWriteItems": 0.060,
    "stepfunctions.StartExecution": 0.040,
    "ssm.GetParameter": 0.015,
}
API_GATEWAY_LIMIT_SECONDS = 29
WORKFLOW_TIMEOUT_SECONDS = 600
# A type that lets one account hold the whole file (the catalogue's largest allows 200 users).
BENCHMARK_TYPE = {
    "id": "benchmark",
    "label": "Benchmark",
    "obtained_by": "support",
    "limits": {"max_users": 5000, "max_groups": 100, "max_analyses_per_month": 0},
}


class CallLog:
    """Every botocore call our code makes, filed by who made it (found on the caller's stack)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.calls: dict[str, Counter[str]] = {"route": Counter(), "workflow": Counter()}
        self.seconds: Counter[str] = Counter()  # wall time inside each operation, summed over threads
        self.spans: dict[str, tuple[float, float]] = {}  # first start and last end of each operation
        self.recording = False
        self._original = botocore.client.BaseClient._make_api_call

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
                    first, last = log.spans.get(f"{side}:{name}", (start, end))
                    log.spans[f"{side}:{name}"] = (min(first, start), max(last, end))

        botocore.client.BaseClient._make_api_call = counted  # type: ignore[method-assign]
        return self

    def __exit__(self, *_: object) -> None:
        botocore.client.BaseClient._make_api_call = self._original  # type: ignore[method-assign]

    @staticmethod
    def side_of_caller() -> str | None:
        frame = sys._getframe(2)
        while frame is not None:
            name = frame.f_code.co_filename
            if "/functions/workflow/" in name:
                return "workflow"
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

    from tests.helpers import set_account_type

    set_account_type(account_id, BENCHMARK_TYPE["id"])
    data = csv_file(rows)
    with CallLog() as log:
        log.recording = True
        start = time.perf_counter()
        reply = owner.call("POST", "/users/import", raw=data, content_type="text/csv")
        route_seconds = time.perf_counter() - start
        before_answer = sum(log.calls["route"].values())
        route_calls = Counter(log.calls["route"])
        invited = sum(1 for result in reply.body["results"] if result["status"] == "invited")
        deadline = time.monotonic() + WORKFLOW_TIMEOUT_SECONDS
        while log.calls["workflow"]["sesv2.SendEmail"] < invited and time.monotonic() < deadline:
            time.sleep(0.2)
        workflow_seconds = time.perf_counter() - start
    emulator.stop()

    assert reply.status == 207, reply.body
    print(f"CSV import of {rows} rows: {invited} invited")
    verdict = "within" if route_seconds < API_GATEWAY_LIMIT_SECONDS else "OVER"
    print(f"  route time          {route_seconds:8.2f} s   ({verdict} API Gateway's {API_GATEWAY_LIMIT_SECONDS} s)")
    print(f"  AWS calls before the answer: {before_answer}")
    for name, count in sorted(route_calls.items()):
        print(f"    {name:<40} {count:6}   {log.seconds[f'route:{name}']:7.2f} s in the calls (all threads)")
    starts = route_calls["stepfunctions.StartExecution"]
    first, last = log.spans.get("route:stepfunctions.StartExecution", (0.0, 0.0))
    sequential = sum(seconds for name, seconds in log.seconds.items() if name.startswith("route:dynamodb."))
    own = route_seconds - sequential - (last - first)
    print(f"  of which: DynamoDB {sequential:.2f} s, workflow starts {last - first:.2f} s, the code {own:.2f} s")
    projected = own + sum(
        count * AWS_SECONDS.get(name, 0.05)
        for name, count in route_calls.items()
        if not name.startswith("stepfunctions")
    )
    projected += -(-starts // workflow.STARTS_AT_ONCE) * AWS_SECONDS["stepfunctions.StartExecution"]
    print(f"  projected on AWS at typical latencies {AWS_SECONDS}: {projected:.1f} s")
    in_workflow = sum(log.calls["workflow"].values())
    print(f"  AWS calls in the workflow:   {in_workflow} ({workflow_seconds:.1f} s to the last email)")
    for name, count in sorted(log.calls["workflow"].items()):
        print(f"    {name:<40} {count:6}  ({count / max(invited, 1):.1f} per row)")


if __name__ == "__main__":
    main()

"""Work too long for API Gateway's 29 s, handed to a worker function invoked asynchronously.

Lambda's asynchronous invocation (``InvocationType=Event``) was chosen over a queue or a state
machine: the route gets Lambda's acceptance in milliseconds, Lambda keeps the event durably,
retries a failed run twice and gives the worker up to 15 minutes, and no other resource is
needed. Each worker is idempotent (it re-reads its state from the table), so a retry is safe.
"""

import json
from functools import cache
from typing import Any

import boto3


@cache
def _lambda_client() -> Any:
    return boto3.client("lambda")


def start(function_name: str, payload: dict[str, Any]) -> None:
    """Queue one run of ``function_name`` with ``payload``; returns once Lambda has accepted it."""
    _lambda_client().invoke(FunctionName=function_name, InvocationType="Event", Payload=json.dumps(payload).encode())

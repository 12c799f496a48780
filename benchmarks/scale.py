"""Shared by the scale benchmarks: the emulation, an owner, fast seeding and AWS call counting."""

import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from comptasecure import aws
from local.emulator import Emulator
from local.server import LocalApi
from tests import seed
from tests.helpers import Client, Reply, signup_confirmed


def start() -> tuple[Emulator, Client, str, str]:
    """The local emulation and a confirmed owner: (emulator, client, access token, account id)."""
    emulator = Emulator().start()
    client = Client(LocalApi(emulator))
    _, tokens = signup_confirmed(client)
    token = str(tokens["access_token"])
    account_id = str(client.get("/me", token=token).body["account_id"])
    return emulator, client, token, account_id


def seed_audit_events(account_id: str, count: int) -> float:
    """``count`` audit events in the account's partition (tests/seed.py); returns seconds."""
    began = time.perf_counter()
    seed.audit_events(account_id, count, _invitation_event)
    return time.perf_counter() - began


def _invitation_event(number: int) -> dict[str, Any]:
    return {
        "at": f"2026-{1 + number % 12:02d}-01T00:00:00.{number:09d}Z",
        "actor_id": "system",
        "actor_email": "claire.dupont@cabinet-dupont.fr",
        "action": "user.invited",
        "target_type": "user",
        "target_id": f"u{number:09d}",
        "details": {"email": f"invite{number}@cabinet-dupont.fr", "role": "member"},
    }


@contextmanager
def counting_calls() -> Iterator[Counter[str]]:
    """Every DynamoDB and S3 API call our code makes meanwhile, by operation (botocore's own hooks)."""
    calls: Counter[str] = Counter()

    def count(model: Any, **_: Any) -> None:
        calls[model.name] += 1

    clients = [aws.dynamodb_client(), aws.s3()]
    for client in clients:
        client.meta.events.register("before-call", count)
    try:
        yield calls
    finally:
        for client in clients:
            client.meta.events.unregister("before-call", count)


def timed_route(name: str, call: Callable[[], Reply]) -> Reply:
    """Call a route and print its status, wall and CPU time (the emulator's included)."""
    began, cpu = time.perf_counter(), time.process_time()
    reply = call()
    answered, answered_cpu = time.perf_counter() - began, time.process_time() - cpu
    print(f"{name}: {reply.status} in {answered * 1000:.0f} ms ({answered_cpu * 1000:.0f} ms of CPU, emulator too)")
    return reply


def wait(condition: Any, timeout: float) -> float:
    """Seconds until ``condition()`` holds (polled every 50 ms)."""
    began = time.perf_counter()
    while not condition():
        if time.perf_counter() - began > timeout:
            raise TimeoutError(f"not done after {timeout}s")
        time.sleep(0.05)
    return time.perf_counter() - began

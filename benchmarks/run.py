"""Prints per-route latency figures (p50/p95, ms) on the in-process emulation; not a test."""

import statistics
import time
from collections.abc import Callable

from local.emulator import Emulator
from local.server import LocalApi
from tests.helpers import Client, signup_confirmed

ROUNDS = 30


def measure(name: str, call: Callable[[], object]) -> None:
    timings = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        call()
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(f"{name:<28} p50 {statistics.median(timings):7.1f} ms   p95 {p95:7.1f} ms   ({ROUNDS} calls)")


def main() -> None:
    emulator = Emulator().start()
    client = Client(LocalApi(emulator))
    email, tokens = signup_confirmed(client)
    authed = client.as_user(tokens["access_token"])
    measure("GET /me", lambda: authed.get("/me"))
    measure("GET /account", lambda: authed.get("/account"))
    measure("GET /account-types", lambda: authed.get("/account-types"))
    measure("POST /auth/login (argon2id)", lambda: client.post("/auth/login", {"email": email, "password": "x" * 12}))
    emulator.stop()


if __name__ == "__main__":
    main()

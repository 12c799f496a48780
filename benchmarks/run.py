"""Prints figures, not a test: per-route latency (p50/p95) on the in-process emulation, and each
handler's cold import time (what a Lambda cold start pays before the first request)."""

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable

from local import template
from local.emulator import Emulator
from local.server import LocalApi
from tests.helpers import PASSWORD, Client, signup_confirmed

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
    measure("POST /auth/login (argon2id)", lambda: client.post("/auth/login", {"email": email, "password": PASSWORD}))
    measure("GET /audit", lambda: authed.get("/audit"))
    emulator.stop()
    cold_imports()


def cold_imports() -> None:
    """Import each handler in a fresh interpreter, as a new Lambda container does."""
    environment = {**os.environ, "TABLE_NAME": "bench", "JWT_SECRET_NAME": "bench", "AWS_DEFAULT_REGION": "eu-west-3"}
    for function in sorted(template.functions().values(), key=lambda f: f.logical_id):
        path = template.ROOT / function.code_uri / f"{function.handler.split('.')[0]}.py"
        script = (
            "import time, runpy; start = time.perf_counter();"
            f"runpy.run_path({str(path)!r});"
            "print(round((time.perf_counter() - start) * 1000))"
        )
        result = subprocess.run(
            [sys.executable, "-c", script], env=environment, capture_output=True, text=True, check=True
        )
        print(f"cold import {function.logical_id:<28} {result.stdout.strip():>5} ms")


if __name__ == "__main__":
    main()

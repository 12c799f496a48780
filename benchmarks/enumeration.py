"""Prints the median time of each public identity route per kind of email (unknown, pending, active,
locked), on the in-process emulation at production argon2 parameters. Not a test: the figures show
whether a route's time tells an attacker anything, and the answers must already be identical
(tests/integration/test_identity_attacks.py and test_identity_codes.py hold that).

Each call uses an email that has not been used by that route yet, so no limit cuts a path short.
"""

import os
import statistics
import time
from collections.abc import Callable

from local.emulator import Emulator
from local.server import LocalApi
from tests.helpers import Client, Reply, signup, signup_confirmed, unique_email, wait_for_email

ROUNDS = 15
WRONG_PASSWORD = "not the password at all"


def report(route: str, cases: dict[str, list[Callable[[], Reply]]]) -> None:
    """Time the cases in turn, one call of each per round, so a burst of load falls on every case alike."""
    timings: dict[str, list[float]] = {name: [] for name in cases}
    statuses: dict[str, set[int]] = {name: set() for name in cases}
    for round_calls in zip(*cases.values(), strict=True):
        for name, call in zip(cases, round_calls, strict=True):
            start = time.perf_counter()
            statuses[name].add(call().status)
            timings[name].append((time.perf_counter() - start) * 1000)
    medians = {name: statistics.median(values) for name, values in timings.items()}
    for name, median in medians.items():
        print(f"{route:<22} {name:<30} p50 {median:7.1f} ms   status {sorted(statuses[name])}")
    print(f"{route:<22} {'spread of the medians':<30}     {max(medians.values()) - min(medians.values()):7.1f} ms")
    # What the time could tell beyond the answer itself: the spread among cases answered alike (a
    # locked login answers 429 at once, which its status says already).
    by_answer: dict[str, list[float]] = {}
    for name, median in medians.items():
        by_answer.setdefault(str(sorted(statuses[name])), []).append(median)
    for answer, alike in by_answer.items():
        if len(alike) > 1:
            label = f"spread among status {answer}"
            print(f"{route:<22} {label:<30}     {max(alike) - min(alike):7.1f} ms")
    print()


def main() -> None:
    os.environ["CODE_RESEND_INTERVAL_SECONDS"] = "0"  # every resend goes the whole way
    emulator = Emulator().start()
    client = Client(LocalApi(emulator))

    def post(path: str, body: dict[str, str]) -> Callable[[], Reply]:
        return lambda: client.post(path, body)

    def pending() -> str:
        email, _ = signup(client)
        wait_for_email(email)
        return email

    def active() -> str:
        return signup_confirmed(client)[0]

    def locked(email: str) -> str:
        for _ in range(10):
            client.post("/auth/login", {"email": email, "password": WRONG_PASSWORD})
        return email

    def login(email: str) -> Callable[[], Reply]:
        return post("/auth/login", {"email": email, "password": WRONG_PASSWORD})

    locked_known, locked_unknown = locked(active()), locked(unique_email("nobody"))
    report(
        "POST /auth/login",
        {
            "unknown email": [login(unique_email("nobody")) for _ in range(ROUNDS)],
            "active email, wrong password": [login(active()) for _ in range(ROUNDS)],
            "locked unknown email": [login(locked_unknown) for _ in range(ROUNDS)],
            "locked active email": [login(locked_known) for _ in range(ROUNDS)],
        },
    )

    def confirm(email: str) -> Callable[[], Reply]:
        return post("/auth/confirm", {"email": email, "code": "000000"})

    report(
        "POST /auth/confirm",
        {
            "unknown email": [confirm(unique_email("nobody")) for _ in range(ROUNDS)],
            "pending email, wrong code": [confirm(pending()) for _ in range(ROUNDS)],
            "active email": [confirm(active()) for _ in range(ROUNDS)],
        },
    )

    def resend(email: str) -> Callable[[], Reply]:
        return post("/auth/resend-code", {"email": email})

    report(
        "POST /auth/resend-code",
        {
            "unknown email": [resend(unique_email("nobody")) for _ in range(ROUNDS)],
            "active email": [resend(active()) for _ in range(ROUNDS)],
            "pending email": [resend(pending()) for _ in range(ROUNDS)],
        },
    )
    taken = active()
    report(
        "POST /auth/signup",
        {
            "new email": [lambda: signup(client)[1] for _ in range(ROUNDS)],
            "email already taken": [lambda: signup(client, email=taken)[1] for _ in range(ROUNDS)],
        },
    )
    emulator.stop()


if __name__ == "__main__":
    main()

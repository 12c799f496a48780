"""Prints the time of POST /auth/resend-code per kind of email (unknown, active, pending): medians,
quartiles, and how often a pending email's answer is slower than another kind's (0.5: its time tells
nothing). Not a test: tests/integration/test_identity_attacks.py holds the same measure to bounds.

Issue 20 item 11 found a median of 83 ms for a pending email against 34 ms for an unknown one: one
request told them apart 88% of the time. Each call here uses an email not used before (no limit
cuts a path short), the kinds come in a shuffled order each round (a burst of load falls on every
kind alike), and each call starts once the work the previous one set off is done.
"""

import random
import statistics
import time
from collections.abc import Callable, Iterator

from local import emails as local_emails
from tests import seed
from tests.helpers import PASSWORD, Client, follow_ups_done, signup, unique_email, wait_for_email

KINDS = ("unknown", "active", "pending")
ROUNDS = 40


def unknown_emails() -> Iterator[str]:
    while True:
        yield unique_email("nobody")


def active_emails() -> Iterator[str]:
    """Owners of accounts, seeded as a confirmed signup leaves them."""
    while True:
        email = unique_email("active")
        seed.account_with_owner(email=email, password=PASSWORD)
        yield email


def seeded_pending_emails() -> Iterator[str]:
    """Users waiting for their confirmation code, seeded (no workflow waits on them yet)."""
    while True:
        email = unique_email("pending")
        account_id, _ = seed.account_with_owner(email=unique_email("owner"), password=PASSWORD)
        seed.user(account_id, email=email, role="member", status="pending_confirmation", password=PASSWORD)
        yield email


def signed_up_pending_emails(client: Client) -> Iterator[str]:
    """Users waiting for their confirmation code, through signup (its workflow waits on the first code)."""
    while True:
        email, _ = signup(client)
        wait_for_email(email)
        yield email


def measure(
    client: Client, rounds: int, pending: Iterator[str], rng: random.Random | None = None
) -> dict[str, list[float]]:
    """Milliseconds of each resend, by kind of email, ``rounds`` of each."""
    sources: dict[str, Iterator[str]] = {"unknown": unknown_emails(), "active": active_emails(), "pending": pending}
    emails = {kind: [next(sources[kind]) for _ in range(rounds)] for kind in KINDS}
    order = rng or random.Random(20)
    timings: dict[str, list[float]] = {kind: [] for kind in KINDS}
    for round_number in range(rounds):
        for kind in order.sample(KINDS, len(KINDS)):
            email = emails[kind][round_number]
            sent = len(local_emails.sent(email))
            start = time.perf_counter()
            reply = client.post("/auth/resend-code", {"email": email})
            timings[kind].append((time.perf_counter() - start) * 1000)
            assert reply.status == 202, reply.body
            if kind == "pending":  # its new code is sent: the work the resend set off is done
                wait_for_email(email, count=sent + 1)
            # The next call does not share the processor with the work this one handed off.
            follow_ups_done(client, timeout=30)
    return timings


def superiority(slower: list[float], than: list[float]) -> float:
    """The probability that a call of the first list took longer than one of the second (ties half):
    0.5 when the time tells nothing of which list a call came from, 1.0 when it always does."""
    wins = sum((a > b) + 0.5 * (a == b) for a in slower for b in than)
    return wins / (len(slower) * len(than))


def report(timings: dict[str, list[float]], print_: Callable[[str], None] = print) -> None:
    for kind, values in timings.items():
        q1, median, q3 = statistics.quantiles(values, n=4)
        print_(f"POST /auth/resend-code {kind:<8} p25 {q1:6.1f}  p50 {median:6.1f}  p75 {q3:6.1f} ms")
    for other in ("unknown", "active"):
        chance = superiority(timings["pending"], timings[other])
        print_(f"P(pending slower than {other}) = {chance:.2f}   (0.50: the time tells nothing)")


def main() -> None:
    import os

    from local.emulator import Emulator
    from local.server import LocalApi

    os.environ["CODE_RESEND_INTERVAL_SECONDS"] = "0"  # a signed-up user may ask again at once
    emulator = Emulator().start()
    client = Client(LocalApi(emulator))
    try:
        report(measure(client, ROUNDS, signed_up_pending_emails(client)))
    finally:
        emulator.stop()


if __name__ == "__main__":
    main()

"""`make benchmark`: measures issue 13's figures and writes them, each beside its goal, to RESULTS.md.

Usage: python benchmarks/run.py [--quick | --cold-starts | --memory]
--quick: 3 cold-start rounds instead of 7, lists at 10 and 1,000 items, cleanup among 1,000 live
codes (the full run seeds 10,000 of each and takes about a quarter of an hour on a loaded machine).
--cold-starts: only the cold starts (7 rounds), replacing their section of RESULTS.md.
--memory: only the local run's memory (10,000 requests), replacing its section of RESULTS.md.
"""

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "layers" / "common" / "python")]

from argon2 import PasswordHasher  # noqa: E402

from benchmarks import cold_start, local_memory, measures, scale  # noqa: E402
from benchmarks.call_budget import BUDGET, Scenario  # noqa: E402
from benchmarks.password_hashing import median_ms  # noqa: E402
from comptasecure.domain import passwords  # noqa: E402
from local.emulator import Emulator  # noqa: E402
from local.server import LocalApi  # noqa: E402
from tests.cheap_hashing import hash_cheaply  # noqa: E402
from tests.helpers import Client, signup_confirmed  # noqa: E402

RESULTS = ROOT / "benchmarks" / "RESULTS.md"
LISTS = {"/users": "ListUsersFunction", "/groups": "ListGroupsFunction", "/fecs": "ListFecsFunction"}


def progress(step: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {step}", file=sys.stderr, flush=True)


def cold_starts(rounds: int) -> list[str]:
    progress(f"cold imports, {rounds} rounds")
    floor, results = cold_start.measure(rounds)
    lines = [
        f"## Cold import per handler (CPU time, median of {rounds}; floor {floor:.0f} ms)",
        "",
        "| handler | ms | ratio to floor | goal | |",
        "|---|---:|---:|---:|---|",
    ]
    for result in sorted(results, key=lambda r: -r.ratio):
        verdict = "ok" if result.within_budget else "over"
        lines.append(
            f"| {result.name} | {result.milliseconds:.0f} | {result.ratio:.2f}x | ≤ {result.budget}x | {verdict} |"
        )
    return lines


def replace_section(lines: list[str]) -> str:
    """RESULTS.md with the section of the same heading replaced, the other sections as they were measured."""
    text = RESULTS.read_text()
    start = text.index(lines[0].partition("(")[0])
    end = text.find("\n## ", start) + 1 or len(text)
    return text[:start] + "\n".join(lines) + "\n\n" + text[end:]


def calls_per_route(client: Client) -> list[str]:
    progress("calls per route")
    measured = Scenario(client).run()
    lines = [
        "## AWS calls per route (the scenario of tests/integration/test_call_budget.py)",
        "",
        "| route | status | calls | budget | minimum | authorizer | calls made |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    total = minimum_total = 0
    for route, m in measured.items():
        budget, minimum = BUDGET[route]
        total, minimum_total = total + m.total, minimum_total + minimum
        made = ", ".join(f"{operation} {count}" for operation, count in sorted(m.calls.items()))
        lines.append(f"| `{route}` | {m.status} | {m.total} | {budget} | {minimum} | {m.authorizer_calls} | {made} |")
    lines += ["", f"Total: {total} calls against a minimum of {minimum_total}."]
    authorized = {m.authorizer_calls for m in measured.values() if m.authorizer_calls}
    lines += ["", f"Authorizer: {', '.join(map(str, sorted(authorized)))} call(s) per request (goal: 1)."]
    return lines


def pages(client: Client, sizes: list[int]) -> list[str]:
    lines = [
        "## List pages at scale (goal: flat calls and items read, only the page's items)",
        "",
        "CPU is this thread's time (our handler and botocore's client side); total is the wall clock,",
        "which adds the emulator (moto, in its own threads) and the loaded machine.",
        "",
        "| route | items | page | calls | items read | handler CPU ms | total ms |",
        "|---|---:|---|---:|---:|---:|---:|",
    ]
    for size in sizes:
        progress(f"list pages at {size:,} items")
        _, tokens = signup_confirmed(client)
        owner = client.as_user(tokens["access_token"])
        me = owner.get("/me").body
        measures.seed_users(me["account_id"], size)
        measures.seed_groups(me["account_id"], size)
        measures.seed_fecs(me["account_id"], me["id"], size)
        scale.seed_audit_events(me["account_id"], size)
        for path, function in {**LISTS, "/audit": "ListAuditEventsFunction"}.items():
            first, middle = measures.page_costs(owner, path, function)
            for name, cost in (("first", first), ("middle", middle)):
                if cost is None:
                    continue
                lines.append(
                    f"| `GET {path}` | {size:,} | {name} | {cost.total_calls} | {cost.items_read} "
                    f"| {cost.handler_cpu_ms:.1f} | {cost.total_ms:.1f} |"
                )
    return lines


def cleanup(live: int) -> list[str]:
    progress(f"cleanup among {live:,} live codes")
    lines = [
        f"## Cleanup job among {live:,} live codes (goal: reads proportional to the expired only)",
        "",
        "| expired | removed | calls | reads (items) | calls made |",
        "|---:|---:|---:|---:|---|",
    ]
    measures.seed_codes(live, 0)
    for expired in (0, 100, 1_000):
        measures.seed_codes(0, expired)
        cost, removed = measures.cleanup_cost()
        made = ", ".join(f"{operation} {count}" for operation, count in sorted(cost.calls.items()))
        lines.append(f"| {expired:,} | {removed['code']:,} | {cost.total_calls} | {cost.items_read:,} | {made} |")
    return lines


def argon2() -> list[str]:
    parameters = passwords.PRODUCTION_PARAMETERS
    hasher = PasswordHasher(
        time_cost=parameters["time_cost"], memory_cost=parameters["memory_cost"], parallelism=parameters["parallelism"]
    )
    hashing = median_ms(lambda: hasher.hash("Cabinet-Dupont 2026 !"))
    return [
        "## argon2id at the production parameters (goal: at least m=19 MiB, t=2, p=1)",
        "",
        f"m={parameters['memory_cost'] // 1024} MiB, t={parameters['time_cost']}, p={parameters['parallelism']}: "
        f"hash {hashing:.0f} ms median on one core here (benchmarks/password_hashing.py for verify and Lambda sizes).",
    ]


# The local run is a developer's and CI's server: it must fit beside an editor and a browser, and stop
# growing once warm (moto keeps only what the tables hold, not a history of every request).
MEMORY_GOAL_MB = 1_024
MEMORY_GROWTH_GOAL = 0.15


def memory(requests: int) -> list[str]:
    progress(f"local run's memory over {requests:,} requests")
    samples = local_memory.measure(requests, clients=4)
    halfway = samples[len(samples) // 2]
    last = samples[-1]
    growth = (last.rss_mb - halfway.rss_mb) / halfway.rss_mb
    within = last.rss_mb <= MEMORY_GOAL_MB and growth <= MEMORY_GROWTH_GOAL
    rows = [
        f"| {sample.requests:,} | {sample.rss_mb} | {sample.threads} | {sample.requests_per_second:.1f} |"
        for sample in samples
    ]
    return [
        f"## Local run's memory over {requests:,} requests (`make run`, 4 clients; benchmarks/local_memory.py)",
        "",
        f"Goal: at most {MEMORY_GOAL_MB:,} MB RSS at the end, and at most {MEMORY_GROWTH_GOAL:.0%} growth over the "
        f"second half. Measured: {last.rss_mb} MB, {growth:+.0%} since request {halfway.requests:,}: "
        + ("ok." if within else "over."),
        "",
        "| requests | RSS MB | threads | requests/s |",
        "|---:|---:|---:|---:|",
        *rows,
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer rounds, 1,000 items at most")
    parser.add_argument("--cold-starts", action="store_true", help="only the cold starts, in RESULTS.md")
    parser.add_argument("--memory", action="store_true", help="only the local run's memory, in RESULTS.md")
    arguments = parser.parse_args()
    if arguments.cold_starts or arguments.memory:
        text = replace_section(cold_starts(7) if arguments.cold_starts else memory(10_000))
        RESULTS.write_text(text.rstrip("\n") + "\n")
        print(text)
        return
    quick = arguments.quick
    sections = [cold_starts(3 if quick else 7), argon2()]
    hash_cheaply()  # the scenario logs in many times: argon2 is measured above
    emulator = Emulator().start()
    try:
        client = Client(LocalApi(emulator))
        sections.append(calls_per_route(client))
        sections.append(pages(client, [10, 1_000] if quick else [10, 1_000, 10_000]))
        sections.append(cleanup(1_000 if quick else 10_000))
    finally:
        emulator.stop()
    sections.append(memory(2_000 if quick else 10_000))
    title = "# Benchmark results (`make benchmark`" + (" --quick" if quick else "") + ")"
    text = "\n\n".join([title, *("\n".join(section) for section in sections)]) + "\n"
    RESULTS.write_text(text)
    print(text)


if __name__ == "__main__":
    main()

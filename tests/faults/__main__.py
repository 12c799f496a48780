"""`make faults`: every fault point of every scenario (or of ROUTES), the table on stdout and in build/faults.json.

The functions' own logs (Powertools writes JSON lines to stdout) go to build/faults.log, so that the
table stays readable; a line per scenario tells the progress.
"""

import argparse
import os
import sys
import time
from pathlib import Path

from tests.cheap_hashing import hash_cheaply

BUILD = Path(__file__).resolve().parents[2] / "build"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--routes", default=os.environ.get("ROUTES", ""), help="scenario names or routes, comma-separated"
    )
    parser.add_argument("--sampled", action="store_true", help="only the first and last call of each scenario")
    parser.add_argument("--no-careless", action="store_true", help="skip the careless client's variant")
    parser.add_argument("--fail-as", choices=("throttling", "internal"), default="throttling")
    args = parser.parse_args()
    BUILD.mkdir(exist_ok=True)
    out = os.fdopen(os.dup(1), "w", buffering=1)
    log = open(BUILD / "faults.log", "w")  # noqa: SIM115 - open for the whole run
    os.dup2(log.fileno(), 1)
    os.dup2(log.fileno(), 2)
    sys.stdout = sys.stderr = log

    # Calls a function's role refuses show only on the paths a fault opens: local/iam.py records them here.
    iam_log = BUILD / "faults-iam-calls.jsonl"
    iam_log.unlink(missing_ok=True)
    os.environ["IAM_CALLS_LOG"] = str(iam_log)
    hash_cheaply()
    from local.emulator import Emulator
    from local.server import LocalApi
    from tests.faults import injection, runner, scenarios

    injection.FAIL_AS[0] = args.fail_as
    chosen = scenarios.by_name([name.strip() for name in args.routes.split(",") if name.strip()])
    started = time.monotonic()
    emulator = Emulator().start()
    matrix = runner.Matrix(LocalApi(emulator), careless=not args.no_careless)
    results = []
    for scenario in chosen:
        result = matrix.scenario(scenario, runner.first_and_last if args.sampled else None)
        results.append(result)
        counts = ", ".join(f"{result.count(o)} {o}" for o in runner.OUTCOMES if result.count(o))
        print(
            f"{scenario.name}: {len(result.points)} points in {result.seconds:.0f}s ({counts or result.error})",
            file=out,
        )
    seconds = time.monotonic() - started
    denied = runner.denied_calls(iam_log)
    runner.write_json(results, seconds, BUILD / "faults.json", denied)
    print("", file=out)
    print(runner.table(results, careless=not args.no_careless), file=out)
    if denied:
        print(
            "\nCalls a function's role refused on a path a fault opened (a grant missing in template.yaml):", file=out
        )
        print("\n".join(f"  {line}" for line in denied), file=out)
    print(
        f"\nmake faults: {sum(len(r.points) for r in results)} points in {seconds:.0f} s; build/faults.json", file=out
    )
    emulator.stop()
    log.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

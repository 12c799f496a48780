"""Cold start per handler, as a ratio to the floor every Python Lambda of ours pays.

The floor: a fresh interpreter that imports boto3 and Powertools' Logger and creates a DynamoDB
resource. A handler: a fresh interpreter that imports the handler module (its folder and the layer
on sys.path, as Lambda lays them out) and creates the same resource its first request uses.
Bytecode is compiled first (as in the layer we ship) and tracing is on, as in the template.
Usage: python benchmarks/cold_start.py [--rounds 14] [--only NAME…]
"""

import argparse
import compileall
import os
import statistics
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAYER = ROOT / "layers" / "common" / "python"
sys.path[:0] = [str(ROOT), str(LAYER)]

from local import template  # noqa: E402

# Only billing handlers may pay for Stripe (issue 13's budget): 2x the floor for them, 1.5x otherwise.
BILLING_BUDGET, DEFAULT_BUDGET = 2.0, 1.5

LAMBDA_ENVIRONMENT = {
    "AWS_DEFAULT_REGION": "eu-west-3",
    "AWS_REGION": "eu-west-3",
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
    "AWS_LAMBDA_FUNCTION_NAME": "bench",
    "POWERTOOLS_SERVICE_NAME": "comptasecure",
    "TABLE_NAME": "bench",
    "JWT_SECRET_NAME": "bench",
    "EMAIL_CONFIGURATION_SET": "bench",
    "STATE_MACHINE_ARN": "arn:aws:states:eu-west-3:123456789012:stateMachine:bench",
    "FEC_BUCKET": "bench",
    "STRIPE_API_KEY_SECRET_NAME": "bench",
    "STRIPE_WEBHOOK_SECRET_NAME": "bench",
    "AUDIT_EXPORT_FUNCTION": "bench",
    "ACCOUNT_PURGE_FUNCTION": "bench",
    "DEAD_LETTER_QUEUES": "bench",
    "SECRETS_KEY_ID": "bench",
}

# botocore would load pyOpenSSL (shipped for py_webauthn) through urllib3's contrib module: every
# function of ours keeps it from doing so (comptasecure/__init__.py), and so does the floor.
FLOOR = (
    "import sys\nsys.modules['urllib3.contrib.pyopenssl'] = None\n"
    "import boto3\nfrom aws_lambda_powertools import Logger\nLogger()\nboto3.resource('dynamodb').Table('bench')\n"
)


@dataclass(frozen=True)
class ColdStart:
    name: str
    milliseconds: float
    ratio: float
    budget: float

    @property
    def within_budget(self) -> bool:
        return self.ratio <= self.budget


def handler_script(function: template.Function) -> str:
    module = function.handler.rpartition(".")[0]
    return (
        f"import sys; sys.path[:0] = [{str(ROOT / function.code_uri)!r}, {str(LAYER)!r}]\n"
        f"import {module}\n"
        "import boto3\nboto3.resource('dynamodb').Table('bench')\n"
    )


def cpu_milliseconds(script: str) -> float:
    """CPU time (user + system) of a fresh interpreter running the script, in milliseconds.

    CPU time rather than wall time: on a shared 2-core machine the wall clock measures the neighbours.
    """
    environment = {"PATH": os.environ.get("PATH", ""), **LAMBDA_ENVIRONMENT}
    process = subprocess.Popen(
        [sys.executable, "-I", "-c", script], env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"cold start failed: {process.stderr.read().decode() if process.stderr else ''}")
    return (usage.ru_utime + usage.ru_stime) * 1000


def measure(rounds: int, only: list[str] | None = None) -> tuple[float, list[ColdStart]]:
    """Median CPU time of the floor and of each handler, and each handler's median ratio to the floor.

    Each handler runs right after a floor run, every round: a ratio compares two runs seconds apart,
    so the neighbours' load, which changes over the minutes a run lasts, weighs on both alike.
    """
    compileall.compile_dir(str(LAYER), quiet=1)
    compileall.compile_dir(str(ROOT / "functions"), quiet=1)
    # -I ignores PYTHONPATH: the interpreter finds the venv's packages (the runtime's boto3 and the
    # layer's third-party requirements) through its own site-packages.
    functions = [
        function
        for function in sorted(template.functions().values(), key=lambda f: f.logical_id)
        if not only or function.logical_id in only
    ]
    floors: list[float] = []
    timings: dict[str, list[float]] = {function.logical_id: [] for function in functions}
    ratios: dict[str, list[float]] = {function.logical_id: [] for function in functions}
    for _ in range(rounds):
        for function in functions:
            floor, milliseconds = cpu_milliseconds(FLOOR), cpu_milliseconds(handler_script(function))
            floors.append(floor)
            timings[function.logical_id].append(milliseconds)
            ratios[function.logical_id].append(milliseconds / floor)
    results = [
        ColdStart(
            function.logical_id,
            statistics.median(timings[function.logical_id]),
            statistics.median(ratios[function.logical_id]),
            BILLING_BUDGET if "/billing/" in f"/{function.code_uri}" else DEFAULT_BUDGET,
        )
        for function in functions
    ]
    return statistics.median(floors), results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=14)
    parser.add_argument("--only", nargs="*")
    arguments = parser.parse_args()
    floor, results = measure(arguments.rounds, arguments.only)
    print(f"floor (boto3 + Logger + DynamoDB resource): {floor:.0f} ms")
    for result in sorted(results, key=lambda r: -r.ratio):
        verdict = "ok" if result.within_budget else "OVER"
        figures = f"{result.milliseconds:6.0f} ms  {result.ratio:4.2f}x  (goal ≤ {result.budget}x)"
        print(f"{result.name:<36} {figures} {verdict}")


if __name__ == "__main__":
    main()

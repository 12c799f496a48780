"""Least privilege, measured: no call was denied, every grant was used by the suite, every function ran.

`make pytest` records (local/iam.py) each function the suite ran, each grant that allowed one of its
AWS calls (a state machine's too: the Lambda invocations of its tasks) and each call denied. A denied
call is a missing grant, even where the code caught the error; a grant nothing used is one to remove
(or a call the tests never make: test it); a function never run is one whose missing grants no test
would notice.
"""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from local import iam, template

LOG = template.ROOT / "build" / "iam-calls.jsonl"
# Grants a service uses for itself, never through a call of our code the suite could make: Step Functions
# delivers a state machine's logs with these (its documented policy; moto delivers no logs).
USED_BY_THE_SERVICE = {
    "logs:CreateLogDelivery",
    "logs:GetLogDelivery",
    "logs:UpdateLogDelivery",
    "logs:DeleteLogDelivery",
    "logs:ListLogDeliveries",
    "logs:PutResourcePolicy",
    "logs:DescribeResourcePolicies",
    "logs:DescribeLogGroups",
}


def main() -> int:
    if not LOG.is_file():
        print(f"no {LOG.relative_to(template.ROOT)}: run the suite with `make pytest` first", file=sys.stderr)
        return 1
    entries = [json.loads(line) for line in LOG.read_text().splitlines() if line]
    invoked = {entry["invoked"] for entry in entries if "invoked" in entry}
    used = {(entry["function"], entry["action"], entry["resource"]) for entry in entries if "function" in entry}
    roles = iam.Roles(template.load(), iam.written)
    failures = [
        f"{entry['denied']}: denied {entry['action']} on {entry['resource']}" for entry in entries if "denied" in entry
    ]
    failures += [f"{name}: never run by the suite" for name in template.functions() if name not in invoked]
    for name in roles.statements:  # the functions and the state machines
        failures += [
            f"{name}: grant {action} on {resource} used by no call"
            for action, resource in roles.grants(name)
            if (name, action, resource) not in used and action not in USED_BY_THE_SERVICE
        ]
    for failure in failures:
        print(failure, file=sys.stderr)
    if not failures:
        print(f"iam: {len(invoked)} functions ran, each grant of the template used ({len(used)} grants)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

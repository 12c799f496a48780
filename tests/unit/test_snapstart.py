"""SnapStart (issue 21, item 8): environments restored from one snapshot do not share its random state."""

import json
import os
import subprocess
import sys

from local.template import LAYER, ROOT

RESTORED_TWICE = """
import json, random
from comptasecure import init_done
init_done()  # the end of the function's init: the snapshot is taken after it
from snapshot_restore_py import get_after_restore
snapshot = random.getstate()
draws = []
for _ in range(2):  # two environments restored from the same memory
    random.setstate(snapshot)
    for hook, args, kwargs in get_after_restore():
        hook(*args, **kwargs)
    draws.append(random.random())
print(json.dumps({"hooks": len(get_after_restore()), "draws": draws}))
"""


def restored(initialization_type: str) -> dict[str, object]:
    environment = {**os.environ, "PYTHONPATH": f"{LAYER}:{ROOT}", "AWS_LAMBDA_INITIALIZATION_TYPE": initialization_type}
    out = subprocess.run([sys.executable, "-c", RESTORED_TWICE], env=environment, capture_output=True, check=True)
    answer: dict[str, object] = json.loads(out.stdout)
    return answer


def test_each_restored_environment_draws_its_own_random_numbers() -> None:
    answer = restored("snap-start")
    assert answer["hooks"] == 1
    first, second = answer["draws"]  # type: ignore[misc]
    assert first != second


def test_an_on_demand_init_registers_no_hook() -> None:
    answer = restored("on-demand")
    assert answer["hooks"] == 0
    first, second = answer["draws"]  # type: ignore[misc]
    assert first == second, "without the hook, restored environments would share the sequence"

"""A cold start runs without the cyclic collector, and the function's requests with it (comptasecure/__init__.py)."""

import json
import os
import subprocess
import sys

from local import template

PROBE = """
import gc, json, sys
sys.path[:0] = [sys.argv[1], sys.argv[2]]
import comptasecure
during_init = gc.isenabled()
import get_me
print(json.dumps({"during_init": during_init, "after_init": gc.isenabled(), "frozen": gc.get_freeze_count()}))
"""


def test_the_collector_is_off_during_the_init_then_on_with_the_init_frozen() -> None:
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "AWS_DEFAULT_REGION": "eu-west-3",
        "TABLE_NAME": "table",
        "JWT_SECRET_NAME": "secret",
        "EMAIL_CONFIGURATION_SET": "configuration-set",
    }
    folder, layer = template.ROOT / "functions" / "profile", template.ROOT / "layers" / "common" / "python"
    probe = subprocess.run(
        [sys.executable, "-I", "-c", PROBE, str(folder), str(layer)],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    state = json.loads(probe.stdout)
    assert state["during_init"] is False
    assert state["after_init"] is True
    # What the init built (modules, models, clients) is out of every later collection's way.
    assert state["frozen"] > 10_000


def test_a_process_that_builds_handlers_again_freezes_only_its_first_init() -> None:
    """The local run and the tests build many handlers in one process: only the first init freezes,
    so what later requests left behind is still collected."""
    import gc

    from comptasecure import init_done

    init_done()
    frozen = gc.get_freeze_count()
    leftovers = [[index] for index in range(10_000)]  # objects the next build must not freeze
    init_done()
    # A second freeze would add the 10,000 leftovers; frozen objects that die meanwhile (a young cycle
    # held the last reference to them) make the count drop, which depends on what ran before.
    assert gc.get_freeze_count() <= frozen
    assert gc.isenabled()
    del leftovers

"""`make smoke` against the local run, as CI does: the same script an operator runs against a stage."""

import os
import subprocess
import sys

from local.template import ROOT
from tests.e2e.conftest import Http


def test_smoke_journey_passes_against_the_local_run(local_run: Http) -> None:
    environment = {**os.environ, "BASE_URL": local_run.base, "SMOKE_ORIGIN": "http://localhost:5173"}
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts/smoke.py")],
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "smoke: the journey passed" in result.stdout

"""The fault matrix as `make test` runs it: every scenario at its first and last call, in both modes,
with the careful client's retry (``make faults`` runs every call, and the careless client too).

Each scenario is run once per process; two tests read its result: the fault-free run must keep every
invariant (a broken scenario or a product bug without any fault), and no sampled point may be left
needing a person or silently inconsistent (tests/faults/BEFORE.md is the table before issue 19).
"""

from typing import Any

import pytest

from local.server import LocalApi
from tests.faults.runner import Matrix, ScenarioResult, first_and_last
from tests.faults.scenarios import SCENARIOS, Scenario

# A point's injected failure escapes the function as Lambda's would (the local run's thread ends on it,
# and threading reports it, as Lambda logs it): in these modules that is the fault meant, which the
# invariants then judge, not a thread error for pytest to warn of.
INJECTED_FAULTS_END_FUNCTIONS = pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")

# The routes of tests/faults/test_sampled_identity.py; the others are in test_sampled_account.py.
IDENTITY_ROUTES = ("POST /auth/", "POST /invitations/", "PATCH /me", "POST /me", "DELETE /me")

_results: dict[str, ScenarioResult] = {}


def identity(scenario: Scenario) -> bool:
    return scenario.route.startswith(IDENTITY_ROUTES)


def cases(area: bool) -> list[Any]:
    """The scenarios of one module (``area``: the identity routes, or the others) as pytest parameters."""
    return [pytest.param(s, id=s.name) for s in SCENARIOS if identity(s) == area]


def result(api: LocalApi, scenario: Scenario) -> ScenarioResult:
    if scenario.name not in _results:
        _results[scenario.name] = Matrix(api, careless=False).scenario(scenario, first_and_last)
    return _results[scenario.name]


def assert_fault_free_run_is_consistent(found: ScenarioResult) -> None:
    assert found.error is None, found.error
    assert found.control == [], found.control
    errors = [(p.mode, p.k, p.careful.failures) for p in found.points if p.careful.outcome == "error"]
    assert errors == [], errors


def assert_no_point_is_left_inconsistent(found: ScenarioResult) -> None:
    left = [
        f"{p.mode} at {p.k} {p.call}: {p.careful.outcome}: " + "; ".join(f.reason for f in p.careful.failures)
        for p in found.points
        if p.careful.outcome in ("person", "silent")
    ]
    assert left == [], "\n".join(left)

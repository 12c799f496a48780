"""Every route held to its count of AWS calls: a new call on a hot path fails `make test`.

The scenario and the committed budget live in benchmarks/call_budget.py (the benchmark prints the
same figures beside their minimum); this test runs it once and compares.
"""

import pytest

from benchmarks import measures
from benchmarks.call_budget import BUDGET, EXPECTED_REFUSALS, Measured, Scenario
from local import template
from local.server import LocalApi
from tests.helpers import Client


@pytest.fixture(scope="module")
def measured(api: LocalApi) -> dict[str, Measured]:
    return Scenario(Client(api)).run()


def test_every_route_is_called_and_answers(measured: dict[str, Measured]) -> None:
    routes = {f"{route.method} {route.path}" for route in template.routes()}
    assert set(measured) == routes, routes ^ set(measured)
    failed = {route: m.status for route, m in measured.items() if m.status >= 400 and route not in EXPECTED_REFUSALS}
    assert not failed, failed


def test_no_route_makes_more_calls_than_its_budget(measured: dict[str, Measured]) -> None:
    """A route over its budget names the calls it made: either a regression, or a budget to raise
    in benchmarks/call_budget.py with the reason (and its minimum) beside it."""
    over = {
        route: (m.total, BUDGET[route][0], dict(m.calls)) for route, m in measured.items() if m.total > BUDGET[route][0]
    }
    assert not over, over


def test_the_authorizer_makes_one_call_per_request(measured: dict[str, Measured]) -> None:
    protected = {route: m.authorizer_calls for route, m in measured.items() if m.authorizer_calls}
    assert protected and set(protected.values()) == {1}, protected


def test_the_cleanup_job_reads_only_what_expired_and_batches_its_deletes() -> None:
    """150 expired codes among 300 live: the index returns the 150, deleted 100 to a transaction."""
    measures.seed_codes(live=300, expired=150)
    cost, removed = measures.cleanup_cost()
    assert removed["code"] == 150
    assert cost.items_read == 150
    # One Query each for the expired codes, the expired invitations and the overdue follow-ups (none).
    assert cost.calls == {"dynamodb:Query": 3, "dynamodb:TransactWriteItems": 2}, cost.calls

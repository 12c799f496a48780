"""The sampled fault matrix (tests/faults/sampling.py): the other write routes, webhooks, purge and cleanup."""

import pytest

from local.server import LocalApi
from tests.faults import sampling
from tests.faults.scenarios import Scenario

pytestmark = sampling.INJECTED_FAULTS_END_FUNCTIONS


@pytest.mark.parametrize("scenario", sampling.cases(False))
def test_the_fault_free_run_keeps_every_invariant(api: LocalApi, scenario: Scenario) -> None:
    sampling.assert_fault_free_run_is_consistent(sampling.result(api, scenario))


@pytest.mark.parametrize("scenario", sampling.cases(False))
def test_no_sampled_fault_point_is_left_inconsistent(api: LocalApi, scenario: Scenario) -> None:
    sampling.assert_no_point_is_left_inconsistent(sampling.result(api, scenario))

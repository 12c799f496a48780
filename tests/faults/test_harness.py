"""The fault matrix's instrument, shown working: injection, drain and invariants each catch what they must."""

import os
from datetime import datetime
from typing import Any

import boto3
import pytest

from comptasecure import clock
from comptasecure.store import keys
from local import emails, template
from local.server import LocalApi
from tests import billing_helpers
from tests.faults import injection, invariants, sampling, scenarios
from tests.faults.drain import drain
from tests.faults.injection import background
from tests.faults.invariants import Failure
from tests.faults.runner import COLD_START_READS, Answer, Matrix, Run, _variant
from tests.helpers import (
    Client,
    account_item,
    add_member,
    owner_of_new_account,
    partition,
    signup,
    user_item,
    wait_for_email,
)


@pytest.fixture(scope="module", autouse=True)
def installed() -> None:
    injection.install()


def test_every_write_route_has_a_scenario() -> None:
    """A new write route needs its scenario in tests/faults/scenarios.py (its docstring says how)."""
    writes = {f"{route.method} {route.path}" for route in template.routes() if route.method != "GET"}
    covered = {scenario.route for scenario in scenarios.SCENARIOS}
    assert writes - covered == set(), sorted(writes - covered)
    assert len({scenario.name for scenario in scenarios.SCENARIOS}) == len(scenarios.SCENARIOS)


def test_the_calls_of_the_function_under_test_are_counted_in_order_and_named(client: Client) -> None:
    """Only the route's own function: the authorizer's read before it is not counted."""
    owner = owner_of_new_account(client)
    with injection.injected("UpdateMeFunction") as plan:
        assert owner.client.patch("/me", {"first_name": "Léa"}).status == 200
    assert plan.names == ["dynamodb.GetItem", "dynamodb.TransactWriteItems"]
    with injection.injected("PutBillingAddressFunction") as plan:
        assert owner.client.put("/billing/address", billing_helpers.ADDRESS).status == 200
    warm = [name for name in plan.names if not name.startswith(COLD_START_READS)]  # the Stripe key, read once
    assert warm[:3] == ["dynamodb.GetItem", "stripe POST /v1/customers", "dynamodb.TransactWriteItems"]
    assert "stripe POST /v1/customers/{id}/tax_ids" in warm


def test_a_failed_call_is_throttling_after_botocore_retries_and_writes_nothing(client: Client, table: Any) -> None:
    owner = owner_of_new_account(client)
    with injection.injected("UpdateMeFunction", "fail", k=2) as plan:
        reply = owner.client.patch("/me", {"first_name": "Léa"})
    assert plan.hit == injection.Call("dynamodb.TransactWriteItems")
    assert reply.status == 500 and reply.error["code"] == "internal_error"
    stored = user_item(table, owner.account_id, owner.user_id)
    assert stored is not None and stored["first_name"] == "Claire"


def test_a_function_that_dies_made_its_call_and_answers_as_a_crashed_lambda(client: Client, table: Any) -> None:
    owner = owner_of_new_account(client)
    with injection.injected("UpdateMeFunction", "die", k=2) as plan:
        reply = owner.client.patch("/me", {"first_name": "Léa"})
    assert reply.status == 500 and reply.body == {"message": "Internal Server Error"}
    assert plan.dead
    stored = user_item(table, owner.account_id, owner.user_id)
    assert stored is not None and stored["first_name"] == "Léa"  # the transaction was made


def test_a_stripe_call_fails_as_a_whole_or_succeeds_before_the_function_dies(client: Client, table: Any) -> None:
    owner = owner_of_new_account(client)
    with injection.injected("PutBillingAddressFunction", "fail", name="stripe POST /v1/customers"):
        failed = owner.client.put("/billing/address", billing_helpers.ADDRESS)
    assert failed.status == 502, failed.body
    with injection.injected("PutBillingAddressFunction", "die", name="stripe POST /v1/customers"):
        died = owner.client.put("/billing/address", billing_helpers.ADDRESS)
    assert died.status == 500
    assert "stripe_customer_id" not in account_item(table, owner.account_id)
    listed = billing_helpers.stripe_client().v1.customers.list({"limit": 100}).auto_paging_iter()
    assert [c for c in listed if (c.to_dict().get("metadata") or {}).get("account_id") == owner.account_id]


def test_a_fault_planned_for_another_function_changes_nothing(client: Client) -> None:
    owner = owner_of_new_account(client)
    with injection.injected("SignupFunction", "fail", k=1):
        assert owner.client.patch("/me", {"first_name": "Léa"}).status == 200


def test_time_moves_for_our_clock_and_for_powertools_idempotency_without_sleeping() -> None:
    from aws_lambda_powertools.utilities.idempotency.persistence import base

    def powertools_now() -> datetime:
        return base.dt.datetime.now()  # type: ignore[attr-defined,no-any-return]  # what its records compare to

    with injection.clock_that_can_move() as advance:
        before, powertools_before = clock.now(), powertools_now()
        advance(3600)
        assert (clock.now() - before).total_seconds() >= 3600
        assert (powertools_now() - powertools_before).total_seconds() >= 3600
    assert abs((clock.now() - before).total_seconds()) < 60
    with injection.clock_that_can_move(held=True) as advance:
        held = clock.now()
        assert clock.now() == held  # however long the machine takes between two requests
        advance(30)
        assert (clock.now() - held).total_seconds() == 30


def test_drain_waits_for_the_workflow_email_and_for_the_account_purge(client: Client, table: Any) -> None:
    mark = background.mark()
    email, reply = signup(client)
    assert reply.status == 201
    drain(mark)
    assert len(emails.sent(email)) == 1  # sent by the workflow's task, which drain waited for
    owner = owner_of_new_account(client)
    mark = background.mark()
    assert owner.client.delete("/account").status == 204
    drain(mark)
    assert partition(table, owner.account_id) == []  # purged by the asynchronous worker


def _ctx(client: Client) -> scenarios.Context:
    ctx = scenarios.team(client, "member")
    return ctx


def _failures(ctx: scenarios.Context, was: invariants.Before, mark: int) -> list[invariants.Failure]:
    scenario = scenarios.by_name(["update-me"])[0]
    found, _ = invariants.check(ctx, scenario, was, None, since=mark, careful=True, died_after=None, stripe_calls=False)
    return found


def test_the_invariants_hold_on_an_account_nobody_broke(client: Client) -> None:
    mark = background.mark()
    ctx = _ctx(client)
    assert _failures(ctx, invariants.before(ctx), mark) == []


def test_a_counter_that_differs_from_its_items_is_found(client: Client, table: Any) -> None:
    mark = background.mark()
    ctx = _ctx(client)
    was = invariants.before(ctx)
    table.update_item(
        Key=keys.key(keys.account_pk(str(ctx.account_id)), keys.ACCOUNT_META),
        UpdateExpression="ADD user_count :one",
        ExpressionAttributeValues={":one": 1},
    )
    assert [f.invariant for f in _failures(ctx, was, mark)] == ["counters"]


def test_what_a_deleted_user_leaves_behind_is_found(client: Client, table: Any) -> None:
    """The member's item goes (as a half-done removal would leave it): its session and its email claim stay."""
    mark = background.mark()
    ctx = _ctx(client)
    was = invariants.before(ctx)
    member = ctx.people["member"]
    table.delete_item(Key=keys.key(keys.account_pk(member.account_id), keys.user_sk(member.user_id)))
    table.update_item(
        Key=keys.key(keys.account_pk(member.account_id), keys.ACCOUNT_META),
        UpdateExpression="ADD user_count :minus",
        ExpressionAttributeValues={":minus": -1},
    )
    reasons = [f.reason for f in _failures(ctx, was, mark) if f.invariant == "deleted user"]
    assert any("session" in reason for reason in reasons), reasons
    assert any("still claimed" in reason for reason in reasons), reasons


def test_an_invited_user_without_a_live_link_is_found_and_silent(client: Client, table: Any) -> None:
    mark = background.mark()
    ctx = _ctx(client)
    scenarios.invited(ctx)
    drain(mark)
    was = invariants.before(ctx)
    invitee = str(ctx.values["invitee_id"])
    table.delete_item(Key=keys.key(keys.account_pk(str(ctx.account_id)), keys.invitation_sk(invitee)))
    [failure] = _failures(ctx, was, mark)
    assert failure.invariant == "links and codes" and "no invitation link" in failure.reason
    assert not failure.visible  # the users table shows "invited", as if all were well


def test_a_notice_sent_twice_is_found_unless_the_function_died_right_after_sending_it(client: Client) -> None:
    ctx = _ctx(client)
    was = invariants.before(ctx)
    owner = ctx.people["owner"]
    body = {
        "current_password": "Cabinet-Dupont 2026 !",
        "new_password": "Un autre 2027 !",
        "new_password_confirmation": "Un autre 2027 !",
    }
    for _ in range(2):
        assert owner.client.post("/me/password", body).status == 202
        wait_for_email(owner.email, count=len(emails.sent(owner.email)) + 1)
    once = invariants.Observed()
    once.notices[("owner", "password-change code")] = 1
    observed = invariants.observe(ctx, was)
    found, notes = invariants.notices(ctx, observed, once, careful=True, died_after=None)
    assert [f.reason for f in found] == ["password-change code sent 2 times to the owner for one change"]
    died = injection.Call("ses.SendEmail", owner.email.lower())
    found, notes = invariants.notices(ctx, observed, once, careful=True, died_after=died)
    assert found == [] and len(notes) == 1


@sampling.INJECTED_FAULTS_END_FUNCTIONS
def test_the_matrix_runs_a_scenario_at_its_points_and_retries(api: LocalApi) -> None:
    """One scenario end to end: a fault where nothing was written yet is consistent; a fault at the last
    call answers 500 and the careful retry leaves nothing to repair."""
    matrix = Matrix(api, careless=False)
    result = matrix.scenario(scenarios.by_name(["invite-user"])[0], lambda n: [1, n])
    assert result.error is None and result.control == []
    n = len(result.calls)
    points = {(p.mode, p.k): p.careful for p in result.points}
    assert points[("fail", 1)].outcome == "consistent"
    last = points[("fail", n)]
    assert last.answers[0].startswith("500") and len(last.answers) > 1
    assert last.outcome in ("consistent", "repaired"), last.failures


def test_a_point_is_classified_by_what_the_retry_left_and_who_sees_it() -> None:
    person = scenarios.by_name(["invite-user"])[0]
    hidden = Failure("invited user", "no invitation link")
    shown = Failure("invited user", "the row says the email failed", visible=True)

    def outcome(answers: list[int], first: list[Failure], after: list[Failure] | None = None) -> str:
        return _variant(Run([], None, [Answer(status) for status in answers], first, after), person).outcome

    assert outcome([200], []) == "consistent"
    assert outcome([500, 200], [hidden], after=[]) == "repaired"
    assert outcome([200], [hidden]) == "silent"
    assert outcome([200], [shown]) == "person"
    assert outcome([500, 500], [hidden], after=[hidden]) == "person"  # the person was told: a 500


def test_only_the_account_of_the_run_is_checked(client: Client) -> None:
    """Another account's inconsistency is not this run's."""
    mark = background.mark()
    ctx = _ctx(client)
    other = owner_of_new_account(client)
    add_member(client, other.account_id)
    boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"]).update_item(
        Key=keys.key(keys.account_pk(other.account_id), keys.ACCOUNT_META),
        UpdateExpression="ADD user_count :one",
        ExpressionAttributeValues={":one": 5},
    )
    assert _failures(ctx, invariants.before(ctx), mark) == []

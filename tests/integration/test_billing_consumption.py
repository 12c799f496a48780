"""Credit consumption by the analysis service (R-BIL-3): an IAM-invoked function, once per analysis id.

Arranged through the functions themselves (support's grant, the analysis service's consumption).
"""

from datetime import UTC, datetime
from typing import Any

import pytest

from comptasecure import clock
from local import support, template
from local.emulator import Emulator, invoke
from tests import seed
from tests.billing_helpers import billing_writes
from tests.helpers import Client, audit_events, owner_of_new_account, partition
from tests.integration.test_billing_credits import consume, grant, in_parallel


def balance(client: Client, credit_type: str = "analyse_fec") -> tuple[int, int, int]:
    [item] = [item for item in client.get("/billing/credits").body["items"] if item["type"] == credit_type]
    return item["granted"], item["consumed"], item["remaining"]


def consumption_writes(table: Any, account_id: str) -> list[dict[str, Any]]:
    """Every item a consumption writes: billing items and audit events, the analysis record, the month counter."""
    records = [item for item in partition(table, account_id) if item["SK"].startswith(("CONSUMPTION#", "ANALYSES#"))]
    return billing_writes(table, account_id) + records


def code_of(result: dict[str, Any]) -> str:
    return str(result["error"]["code"]) if result["status"] == "refused" else str(result["status"])


def test_fifty_parallel_retries_of_one_analysis_consume_once(client: Client, table: Any) -> None:
    alice = owner_of_new_account(client)
    seed.account_type(alice.account_id, "premium")
    grant(alice.account_id, 10)
    results = in_parallel(50, lambda _: consume(alice.account_id, 2, "an-2026-0001"))
    assert all(result == results[0] for result in results)
    assert results[0] == {
        "status": "consumed",
        "analysis_id": "an-2026-0001",
        "account_id": alice.account_id,
        "credit_type": "analyse_fec",
        "amount": 2,
        "consumed_at": results[0]["consumed_at"],
    }
    assert balance(alice.client) == (10, 2, 8)
    assert len(audit_events(table, alice.account_id, "billing.credits_consumed")) == 1
    [month] = partition(table, alice.account_id, "ANALYSES#")
    assert month["analyses"] == 1


@pytest.mark.parametrize(
    ("granted", "consumed", "refusal"),
    [(30, 20, "monthly_analysis_limit_reached"), (7, 7, "insufficient_credits")],
)
def test_fifty_parallel_analyses_stop_at_the_balance_or_the_monthly_limit(
    client: Client, table: Any, granted: int, consumed: int, refusal: str
) -> None:
    alice = owner_of_new_account(client)
    seed.account_type(alice.account_id, "premium")  # 20 analyses a month
    grant(alice.account_id, granted)
    outcomes = [code_of(result) for result in in_parallel(50, lambda i: consume(alice.account_id, 1, f"an-{i}"))]
    assert outcomes.count("consumed") == consumed
    assert outcomes.count(refusal) == 50 - consumed
    assert balance(alice.client) == (granted, consumed, granted - consumed)
    [month] = partition(table, alice.account_id, "ANALYSES#")
    assert month["analyses"] == consumed
    history = alice.client.get("/billing/credits/history?limit=100").body["items"]
    assert len([item for item in history if item["delta"] < 0]) == consumed


def test_a_retried_analysis_gets_its_first_result_even_once_credits_ran_out(client: Client, table: Any) -> None:
    alice = owner_of_new_account(client)  # Freemium: one analysis a month
    grant(alice.account_id, 1)
    first = consume(alice.account_id, 1, "an-retry")
    assert first["status"] == "consumed"
    assert consume(alice.account_id, 1, "an-retry") == first
    assert code_of(consume(alice.account_id, 1, "an-other")) == "insufficient_credits"
    grant(alice.account_id, 5)
    assert code_of(consume(alice.account_id, 1, "an-other")) == "monthly_analysis_limit_reached"
    assert consume(alice.account_id, 1, "an-retry") == first
    writes = consumption_writes(table, alice.account_id)
    reused = consume(alice.account_id, 2, "an-retry")
    assert (reused["status"], reused["error"]["code"], reused["error"]["field"]) == (
        "refused",
        "analysis_id_reused",
        "analysis_id",
    )
    assert consumption_writes(table, alice.account_id) == writes
    assert balance(alice.client) == (6, 1, 5)


def test_the_monthly_limit_starts_again_next_month(client: Client, table: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    alice = owner_of_new_account(client)  # Freemium: one analysis a month
    grant(alice.account_id, 3)
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 11, 30, 23, 59, tzinfo=UTC))
    assert code_of(consume(alice.account_id, 1, "an-november")) == "consumed"
    assert code_of(consume(alice.account_id, 1, "an-november-2")) == "monthly_analysis_limit_reached"
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 12, 1, 0, 0, tzinfo=UTC))
    assert code_of(consume(alice.account_id, 1, "an-december")) == "consumed"
    assert {item["SK"]: item["analyses"] for item in partition(table, alice.account_id, "ANALYSES#")} == {
        "ANALYSES#2026-11": 1,
        "ANALYSES#2026-12": 1,
    }


def test_the_history_names_the_analysis(client: Client) -> None:
    alice = owner_of_new_account(client)
    grant(alice.account_id, 2)
    consume(alice.account_id, 2, "an-732829320-2025")
    [latest, _] = alice.client.get("/billing/credits/history").body["items"]
    assert latest["analysis_id"] == "an-732829320-2025"
    assert (latest["type"], latest["delta"]) == ("analyse_fec", -2)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"analysis_id": None}, "analysis_id"),
        ({"analysis_id": "an 1; DROP"}, "analysis_id"),
        ({"analysis_id": "a" * 129}, "analysis_id"),
        ({"amount": 0}, "amount"),
        ({"amount": -3}, "amount"),
        ({"amount": "3"}, "amount"),
        ({"amount": 10_001}, "amount"),
        ({"credit_type": "abonnement"}, "credit_type"),
        ({"account_id": "not-an-id"}, "account_id"),
        ({"reason": "en trop"}, "reason"),
    ],
)
def test_bad_input_is_a_clear_refusal_that_writes_nothing(
    client: Client, table: Any, change: dict[str, Any], field: str
) -> None:
    alice = owner_of_new_account(client)
    grant(alice.account_id, 5)
    writes = consumption_writes(table, alice.account_id)
    event = {"account_id": alice.account_id, "credit_type": "analyse_fec", "amount": 1, "analysis_id": "an-1"}
    event = {name: value for name, value in {**event, **change}.items() if value is not None}
    result = invoke_consumption(event)
    assert result["status"] == "refused"
    assert result["error"]["field"] == field
    assert result["error"]["message"]
    assert consumption_writes(table, alice.account_id) == writes


def test_an_unknown_account_or_a_non_object_event_is_refused(client: Client, table: Any) -> None:
    unknown = consume("0" * 32, 1, "an-ghost")
    assert (unknown["status"], unknown["error"]["code"]) == ("refused", "account_not_found")
    assert partition(table, "0" * 32) == []
    assert invoke_consumption(["not", "an", "object"])["status"] == "refused"


def invoke_consumption(event: Any) -> dict[str, Any]:
    return dict(invoke("ConsumeCreditsFunction", event))


def test_the_analysis_service_consumes_through_the_cli(
    client: Client, emulator: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    alice = owner_of_new_account(client)
    base = ["--endpoint", emulator.endpoint]
    assert support.main([*base, "grant-credits", alice.account_id, "analyse_fec", "3", "--reason", "Contrat"]) == 0
    command = [*base, "consume-credits", alice.account_id, "analyse_fec", "2", "--analysis-id", "an-cli-1"]
    assert support.main(command) == 0
    assert '"status": "consumed"' in capsys.readouterr().out
    assert support.main(command) == 0  # a retry: the same result, nothing more taken
    assert balance(alice.client) == (3, 2, 1)
    refused = [*base, "consume-credits", alice.account_id, "analyse_fec", "2", "--analysis-id", "an-cli-2"]
    assert support.main(refused) == 1
    assert "insufficient_credits" in capsys.readouterr().err


def test_consumption_is_not_reachable_over_http(client: Client) -> None:
    assert template.load()["Resources"]["ConsumeCreditsFunction"]["Properties"].get("Events") is None
    assert all(route.function.logical_id != "ConsumeCreditsFunction" for route in template.routes())
    alice = owner_of_new_account(client)
    assert alice.client.post("/billing/credits/consume", {"amount": 1}).status in (403, 404)

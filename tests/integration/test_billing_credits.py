"""Credits (R-BIL-3): granted by support (R-ACC-5), consumed without ever going below zero, listed."""

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from pydantic import ValidationError

from comptasecure.domain import audit_log, credits
from comptasecure.errors import InvalidInput, NotFound
from local import template
from local.emulator import invoke
from tests import seed
from tests.billing_helpers import billing_writes
from tests.helpers import Client, audit_events, owner_of_new_account, partition


def in_parallel(count: int, call: Callable[[int], Any]) -> list[Any]:
    """``call(0..count-1)`` from as many threads, all released at the same instant."""
    start = threading.Barrier(count)

    def run(index: int) -> Any:
        start.wait()
        return call(index)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def grant(account_id: str, amount: int, credit_type: str = "analyse_fec", reason: str = "Contrat support") -> Any:
    return invoke(
        "GrantCreditsFunction", {"account_id": account_id, "type": credit_type, "amount": amount, "reason": reason}
    )


def consume(account_id: str, amount: int, analysis_id: str, credit_type: str = "analyse_fec") -> Any:
    """What the analysis service does: invoke the consumption function."""
    event = {"account_id": account_id, "credit_type": credit_type, "amount": amount, "analysis_id": analysis_id}
    return invoke("ConsumeCreditsFunction", event)


def test_support_grants_credits_shown_per_type_with_history(client: Client, table: Any) -> None:
    alice = owner_of_new_account(client)
    assert alice.client.get("/billing/credits").body == {
        "items": [
            {"type": "analyse_fec", "label": "Analyse FEC", "granted": 0, "consumed": 0, "remaining": 0},
            {"type": "ecf", "label": "Examen de Conformité Fiscale (ECF)", "granted": 0, "consumed": 0, "remaining": 0},
        ]
    }
    balance = grant(alice.account_id, 10, reason="Contrat support 2026")
    assert balance["remaining"] == 10
    grant(alice.account_id, 2, credit_type="ecf")
    assert consume(alice.account_id, 3, "an-2025-martin")["status"] == "consumed"

    items = {item["type"]: item for item in alice.client.get("/billing/credits").body["items"]}
    assert items["analyse_fec"] == {
        "type": "analyse_fec",
        "label": "Analyse FEC",
        "granted": 10,
        "consumed": 3,
        "remaining": 7,
    }
    assert items["ecf"]["remaining"] == 2
    history = alice.client.get("/billing/credits/history").body
    assert [(item["type"], item["delta"], item["reason"], item["analysis_id"]) for item in history["items"]] == [
        ("analyse_fec", -3, "Analyse an-2025-martin", "an-2025-martin"),
        ("ecf", 2, "Contrat support", None),
        ("analyse_fec", 10, "Contrat support 2026", None),
    ]
    assert history["next_cursor"] is None
    assert all(item["at"].endswith("Z") for item in history["items"])

    granted = audit_events(table, alice.account_id, "billing.credits_granted")
    assert {event["actor_id"] for event in granted} == {audit_log.SUPPORT.id}
    [consumed] = audit_events(table, alice.account_id, "billing.credits_consumed")
    assert consumed["actor_id"] == credits.ANALYSIS_SERVICE.id
    assert consumed["details"] == {
        "type": "analyse_fec",
        "delta": -3,
        "reason": "Analyse an-2025-martin",
        "analysis_id": "an-2025-martin",
    }


def test_history_is_paginated_newest_first(client: Client) -> None:
    alice = owner_of_new_account(client)
    for amount in (1, 2, 3):
        grant(alice.account_id, amount)
    first = alice.client.get("/billing/credits/history?limit=2").body
    assert [item["delta"] for item in first["items"]] == [3, 2]
    second = alice.client.get(f"/billing/credits/history?limit=2&cursor={first['next_cursor']}").body
    assert [item["delta"] for item in second["items"]] == [1]
    bob = owner_of_new_account(client)
    stolen = bob.client.get(f"/billing/credits/history?limit=2&cursor={first['next_cursor']}")
    assert stolen.status == 422
    assert stolen.error["field"] == "cursor"


def test_concurrent_consumptions_never_overdraw(client: Client, table: Any) -> None:
    alice = owner_of_new_account(client)
    seed.account_type(alice.account_id, "premium")  # 20 analyses a month
    grant(alice.account_id, 5)
    outcomes = in_parallel(20, lambda index: consume(alice.account_id, 1, f"an-{index}"))
    statuses = [outcome.get("error", {}).get("code", outcome["status"]) for outcome in outcomes]
    assert statuses.count("consumed") == 5
    assert statuses.count("insufficient_credits") == 15
    [balance] = [item for item in alice.client.get("/billing/credits").body["items"] if item["type"] == "analyse_fec"]
    assert (balance["granted"], balance["consumed"], balance["remaining"]) == (5, 5, 0)
    consumptions = [item for item in partition(table, alice.account_id, "CREDIT_HISTORY#") if item["delta"] < 0]
    assert len(consumptions) == 5
    assert len(audit_events(table, alice.account_id, "billing.credits_consumed")) == 5


def test_consuming_an_unknown_or_empty_type_is_refused_and_writes_nothing(client: Client, table: Any) -> None:
    alice = owner_of_new_account(client)
    empty = consume(alice.account_id, 1, "an-ecf", credit_type="ecf")
    assert (empty["status"], empty["error"]["code"]) == ("refused", "insufficient_credits")
    unknown = consume(alice.account_id, 1, "an-nope", credit_type="nope")
    assert (unknown["status"], unknown["error"]["field"]) == ("refused", "credit_type")
    assert billing_writes(table, alice.account_id) == []


def test_support_grant_refuses_bad_input_and_writes_nothing(client: Client, table: Any) -> None:
    alice = owner_of_new_account(client)
    with pytest.raises(InvalidInput) as unknown_type:
        grant(alice.account_id, 3, credit_type="abonnement")
    assert unknown_type.value.field == "type"
    with pytest.raises(ValidationError):
        grant(alice.account_id, 0)
    with pytest.raises(NotFound):
        grant("0" * 32, 3)
    assert billing_writes(table, alice.account_id) == []
    assert partition(table, "0" * 32) == []


def test_support_grant_is_not_reachable_over_http() -> None:
    function = template.functions()["GrantCreditsFunction"]
    assert all(route.function.logical_id != function.logical_id for route in template.routes())
    events = template.load()["Resources"]["GrantCreditsFunction"]["Properties"].get("Events", {})
    assert events == {}

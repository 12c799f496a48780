"""Credits (R-BIL-3): granted by support (R-ACC-5), consumed without ever going below zero, listed."""

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from pydantic import ValidationError

from comptasecure.domain import audit, credits
from comptasecure.errors import Conflict, InvalidInput, NotFound
from local import template
from local.emulator import invoke
from tests.billing_helpers import audit_events, billing_writes, owner, partition
from tests.helpers import Client


def grant(account_id: str, amount: int, credit_type: str = "analyse_fec", reason: str = "Contrat support") -> Any:
    return invoke(
        "GrantCreditsFunction", {"account_id": account_id, "type": credit_type, "amount": amount, "reason": reason}
    )


def test_support_grants_credits_shown_per_type_with_history(client: Client, table: Any) -> None:
    alice = owner(client)
    assert alice.client.get("/billing/credits").body == {
        "items": [
            {"type": "analyse_fec", "label": "Analyse FEC", "granted": 0, "consumed": 0, "remaining": 0},
            {"type": "ecf", "label": "Examen de Conformité Fiscale (ECF)", "granted": 0, "consumed": 0, "remaining": 0},
        ]
    }
    balance = grant(alice.account_id, 10, reason="Contrat support 2026")
    assert balance["remaining"] == 10
    grant(alice.account_id, 2, credit_type="ecf")
    credits.consume(alice.account_id, "analyse_fec", 3, "Analyse FEC 2025 de la SARL Martin")

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
    assert [(item["type"], item["delta"], item["reason"]) for item in history["items"]] == [
        ("analyse_fec", -3, "Analyse FEC 2025 de la SARL Martin"),
        ("ecf", 2, "Contrat support"),
        ("analyse_fec", 10, "Contrat support 2026"),
    ]
    assert history["next_cursor"] is None
    assert all(item["at"].endswith("Z") for item in history["items"])

    granted = audit_events(table, alice.account_id, "billing.credits_granted")
    assert {event["actor_id"] for event in granted} == {audit.SUPPORT.id}
    [consumed] = audit_events(table, alice.account_id, "billing.credits_consumed")
    assert consumed["details"] == {"type": "analyse_fec", "delta": -3, "reason": "Analyse FEC 2025 de la SARL Martin"}


def test_history_is_paginated_newest_first(client: Client) -> None:
    alice = owner(client)
    for amount in (1, 2, 3):
        grant(alice.account_id, amount)
    first = alice.client.get("/billing/credits/history?limit=2").body
    assert [item["delta"] for item in first["items"]] == [3, 2]
    second = alice.client.get(f"/billing/credits/history?limit=2&cursor={first['next_cursor']}").body
    assert [item["delta"] for item in second["items"]] == [1]
    bob = owner(client)
    stolen = bob.client.get(f"/billing/credits/history?limit=2&cursor={first['next_cursor']}")
    assert stolen.status == 422
    assert stolen.error["field"] == "cursor"


def test_concurrent_consumptions_never_overdraw(client: Client, table: Any) -> None:
    alice = owner(client)
    grant(alice.account_id, 5)
    start = threading.Barrier(20)

    def consume(index: int) -> str:
        start.wait()
        try:
            credits.consume(alice.account_id, "analyse_fec", 1, f"Analyse {index}")
        except Conflict as error:
            return error.code
        return "consumed"

    with ThreadPoolExecutor(max_workers=20) as pool:
        outcomes = list(pool.map(consume, range(20)))
    assert outcomes.count("consumed") == 5
    assert outcomes.count("insufficient_credits") == 15
    [balance] = [item for item in alice.client.get("/billing/credits").body["items"] if item["type"] == "analyse_fec"]
    assert (balance["granted"], balance["consumed"], balance["remaining"]) == (5, 5, 0)
    consumptions = [item for item in partition(table, alice.account_id, "CREDIT_HISTORY#") if item["delta"] < 0]
    assert len(consumptions) == 5
    assert len(audit_events(table, alice.account_id, "billing.credits_consumed")) == 5


def test_consuming_an_unknown_or_empty_type_is_refused_and_writes_nothing(client: Client, table: Any) -> None:
    alice = owner(client)
    with pytest.raises(Conflict) as empty:
        credits.consume(alice.account_id, "ecf", 1, "ECF")
    assert empty.value.code == "insufficient_credits"
    with pytest.raises(InvalidInput) as unknown:
        credits.consume(alice.account_id, "nope", 1, "?")
    assert unknown.value.field == "type"
    assert billing_writes(table, alice.account_id) == []


def test_support_grant_refuses_bad_input_and_writes_nothing(client: Client, table: Any) -> None:
    alice = owner(client)
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

"""Support sets an account's type (SPEC R-ACC-5): an IAM-invoked Lambda, never an HTTP route."""

from typing import Any

import pytest

from local import support, template
from local.emulator import Emulator
from tests.helpers import Client, audit_events, owner_of_new_account


def test_support_sets_an_account_type_through_the_cli(
    client: Client, table: Any, emulator: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    owner = owner_of_new_account(client)
    code = support.main(
        [
            "--endpoint",
            emulator.endpoint,
            "set-account-type",
            owner.account_id,
            "expert_comptable",
            "--reason",
            "Contrat signé (ticket SUP-1042)",
        ]
    )
    assert code == 0, capsys.readouterr().err
    account = client.get("/account", token=owner.token).body
    assert account["type"] == {"id": "expert_comptable", "label": "Expert-comptable"}
    assert account["limits"]["max_users"] == 50
    [event] = audit_events(table, owner.account_id, "account.type_changed")
    assert event["actor_id"] == "support"
    assert event["details"] == {
        "type": {"before": "freemium", "after": "expert_comptable"},
        "reason": "Contrat signé (ticket SUP-1042)",
    }


@pytest.mark.parametrize(
    ("payload", "error"),
    [
        ({"type_id": "platinum"}, "Ce type de compte n'existe pas."),
        ({"account_id": "0" * 32}, "Compte introuvable."),
        ({"reason": " "}, "reason"),
        ({"is_admin": True}, "is_admin"),
    ],
)
def test_a_refused_type_change_changes_nothing(
    client: Client, table: Any, emulator: Emulator, payload: dict[str, Any], error: str
) -> None:
    owner = owner_of_new_account(client)
    event = {"account_id": owner.account_id, "type_id": "premium", "reason": "Geste commercial", **payload}
    succeeded, result = support.invoke(emulator.endpoint, "SetAccountTypeFunction", event)
    assert not succeeded
    assert error in result["errorMessage"]
    assert client.get("/account", token=owner.token).body["type"]["id"] == "freemium"
    assert audit_events(table, owner.account_id, "account.type_changed") == []


def test_no_http_route_leads_to_a_support_operation(client: Client) -> None:
    owner = owner_of_new_account(client)
    support_functions = {name for name, function in template.functions().items() if "support" in function.code_uri}
    assert support_functions == {
        "SetAccountTypeFunction",
        "GrantCreditsFunction",
        "ConsumeCreditsFunction",
        "ReplayDeadLettersFunction",
    }
    assert not any(route.function.logical_id in support_functions for route in template.routes())
    assert template.load()["Resources"]["SetAccountTypeFunction"]["Properties"].get("Events") is None
    for path in ("/support/account-type", "/account/type"):
        assert client.post(path, {"type_id": "entreprise"}, token=owner.token).status in (403, 404)
    assert client.get("/account", token=owner.token).body["type"]["id"] == "freemium"

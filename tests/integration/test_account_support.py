"""Support sets an account's type (SPEC R-ACC-5): an IAM-invoked Lambda, never an HTTP route."""

import threading
from typing import Any

import pytest

from local import support, template
from local.emulator import Emulator, free_port
from local.server import LocalApi, make_server
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


def test_a_wrong_type_name_is_answered_with_the_names_that_exist(
    client: Client, emulator: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 20: grant-credits with a wrong type said only that it does not exist."""
    owner = owner_of_new_account(client)
    base = ["--endpoint", emulator.endpoint]
    assert support.main([*base, "grant-credits", owner.account_id, "jetons", "3", "--reason", "Contrat"]) == 1
    assert "Ce type de crédit n'existe pas. Types existants : analyse_fec, ecf." in capsys.readouterr().err
    assert support.main([*base, "set-account-type", owner.account_id, "platine", "--reason", "Contrat"]) == 1
    existing = "Types existants : entreprise, expert_comptable, freemium, premium."
    assert f"Ce type de compte n'existe pas. {existing}" in capsys.readouterr().err
    assert client.get("/billing/credits", token=owner.token).body["items"][0]["granted"] == 0


def test_an_endpoint_that_is_not_the_aws_emulation_is_one_clear_line(
    client: Client, api: LocalApi, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 20: --endpoint pointing at the API's port gave a botocore traceback."""
    monkeypatch.setenv("LOCAL_ACCESS_LOG", "0")  # the API's own access log would share stderr
    server = make_server(api, "127.0.0.1", free_port())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    owner = owner_of_new_account(client)
    api_url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        for endpoint in (api_url, f"http://127.0.0.1:{free_port()}"):
            command = ["--endpoint", endpoint, "grant-credits", owner.account_id, "analyse_fec", "3", "--reason", "x"]
            assert support.main(command) == 2
            [line] = capsys.readouterr().err.splitlines()
            assert line.startswith(f"error: {endpoint} does not answer as Lambda (")
            assert "`make run` prints" in line
    finally:
        server.shutdown()
        server.server_close()

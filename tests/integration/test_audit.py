"""The audit trail: every change recorded with its actor, readable by owner and admins only."""

import csv
import io
import json
import time
from typing import Any

import pytest
from boto3.dynamodb.conditions import Attr, Key

from comptasecure.domain import audit_log
from comptasecure.errors import Conflict
from comptasecure.store import keys
from comptasecure.store.transaction import Transaction
from tests.conftest import AUDIT_LOG, audit_events
from tests.helpers import (
    PASSWORD,
    Client,
    add_member,
    code_in,
    owner_by_signup,
    signup,
    signup_confirmed,
    wait_for_email,
)


@pytest.fixture
def owner(client: Client) -> dict[str, Any]:
    owner = owner_by_signup(client)
    return {"email": owner.email, "token": owner.token, "id": owner.user_id, "account_id": owner.account_id}


def test_signup_and_confirmation_are_recorded_with_their_actor(client: Client, owner: dict[str, Any]) -> None:
    reply = client.get("/audit", token=owner["token"])
    assert reply.status == 200
    actions = [event["action"] for event in reply.body["items"]]
    assert actions == ["user.confirmed", "account.signed_up"]  # newest first
    signed_up = reply.body["items"][1]
    assert signed_up["actor_id"] == owner["id"]
    assert signed_up["actor_email"] == owner["email"]
    assert signed_up["target_type"] == "account"
    assert signed_up["target_id"] == owner["account_id"]
    assert signed_up["details"]["type"] == "freemium"
    assert reply.body["items"][0]["details"]["status"] == {"before": "pending_confirmation", "after": "active"}
    assert reply.body["next_cursor"] is None


def test_filters_by_action_actor_and_time(client: Client, owner: dict[str, Any]) -> None:
    by_action = client.get("/audit?action=user.confirmed", token=owner["token"]).body["items"]
    assert [event["action"] for event in by_action] == ["user.confirmed"]
    assert client.get("/audit?actor_id=system", token=owner["token"]).body["items"] == []
    mine = client.get(f"/audit?actor_id={owner['id']}", token=owner["token"]).body["items"]
    assert len(mine) == 2
    later = client.get("/audit?from=2999-01-01T00:00:00Z", token=owner["token"]).body["items"]
    assert later == []
    earlier = client.get("/audit?to=2000-01-01T00:00:00Z", token=owner["token"]).body["items"]
    assert earlier == []
    window = client.get("/audit?from=2000-01-01T00:00:00Z&to=2999-01-01T00:00:00Z", token=owner["token"])
    assert len(window.body["items"]) == 2


def test_pages_follow_the_cursor_and_a_cursor_is_bound_to_its_account(client: Client, owner: dict[str, Any]) -> None:
    first = client.get("/audit?limit=1", token=owner["token"]).body
    assert len(first["items"]) == 1
    assert first["next_cursor"]
    second = client.get(f"/audit?limit=1&cursor={first['next_cursor']}", token=owner["token"]).body
    assert [event["action"] for event in first["items"] + second["items"]] == ["user.confirmed", "account.signed_up"]
    _, other = signup_confirmed(client)
    stolen = client.get(f"/audit?cursor={first['next_cursor']}", token=other["access_token"])
    assert stolen.status == 422
    assert stolen.error["field"] == "cursor"


def test_invalid_filters_are_422_naming_the_field(client: Client, owner: dict[str, Any]) -> None:
    assert client.get("/audit?from=yesterday", token=owner["token"]).error["field"] == "from"
    assert client.get("/audit?limit=500", token=owner["token"]).error["field"] == "limit"
    backwards = client.get("/audit?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", token=owner["token"])
    assert (backwards.status, backwards.error["field"]) == (422, "from")


def test_members_get_403_and_admins_read(client: Client, owner: dict[str, Any]) -> None:
    member = add_member(client, owner["account_id"], "member")
    admin = add_member(client, owner["account_id"], "admin")
    assert client.get("/audit", token=member.token).status == 403
    assert client.get("/audit/export", token=member.token).status == 403
    assert client.get("/audit", token=admin.token).status == 200


def test_other_accounts_events_are_invisible(client: Client, owner: dict[str, Any]) -> None:
    _, other = signup_confirmed(client)
    seen = client.get("/audit", token=other["access_token"]).body["items"]
    assert owner["account_id"] not in json.dumps(seen)
    assert all(event["actor_id"] != owner["id"] for event in seen)


def test_export_is_a_csv_for_french_excel(client: Client, owner: dict[str, Any]) -> None:
    reply = client.get("/audit/export?action=account.signed_up", token=owner["token"])
    assert reply.status == 200
    assert reply.headers["Content-Type"].startswith("text/csv")
    text = reply.raw.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == ["date", "acteur_id", "acteur_email", "action", "cible_type", "cible_id", "details"]
    assert [row[3] for row in rows[1:]] == ["account.signed_up"]
    assert rows[1][2] == owner["email"]


def test_export_neutralises_spreadsheet_formulas(client: Client) -> None:
    email, tokens = signup_confirmed_with_company(client, '=HYPERLINK("http://evil")')
    text = client.get("/audit/export", token=tokens["access_token"]).raw.decode("utf-8")
    assert ";=HYPERLINK" not in text
    assert email in text


def signup_confirmed_with_company(client: Client, company: str) -> tuple[str, dict[str, Any]]:
    email, reply = signup(client, company_name=company)
    assert reply.status == 201
    client.post("/auth/confirm", {"email": email, "code": code_in(wait_for_email(email))})
    return email, client.post("/auth/login", {"email": email, "password": PASSWORD}).body


def test_a_rejected_operation_writes_no_event(client: Client, owner: dict[str, Any], table: Any) -> None:
    _, taken = signup(client, email=owner["email"])
    assert taken.status == 409
    email, _ = signup(client)
    code = code_in(wait_for_email(email))
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    assert client.post("/auth/confirm", {"email": email, "code": wrong}).status == 422
    events = table.scan(FilterExpression=Attr("kind").eq("audit") & Attr("actor_email").eq(email))["Items"]
    assert [event["action"] for event in events] == ["account.signed_up"]


def test_a_failed_change_leaves_no_orphan_event(owner: dict[str, Any], table: Any) -> None:
    tx = Transaction()
    audit_log.record(
        tx, owner["account_id"], audit_log.SYSTEM, "test.orphan", target_type="account", target_id=owner["account_id"]
    )
    # The change itself fails its condition (the account already exists): the event must not land.
    tx.put(
        {**keys.key(keys.account_pk(owner["account_id"]), keys.ACCOUNT_META)},
        condition="attribute_not_exists(PK)",
        on_condition_failed=Conflict(),
    )
    with pytest.raises(Conflict):
        tx.commit()
    items = table.query(
        KeyConditionExpression=Key("PK").eq(keys.account_pk(owner["account_id"])) & Key("SK").begins_with("AUDIT#")
    )["Items"]
    assert "test.orphan" not in [item["action"] for item in items]


def test_events_carry_a_retention_ttl(owner: dict[str, Any], table: Any) -> None:
    items = table.query(
        KeyConditionExpression=Key("PK").eq(keys.account_pk(owner["account_id"])) & Key("SK").begins_with("AUDIT#")
    )["Items"]
    years = (int(items[0]["ttl"]) - time.time()) / (365.25 * 24 * 3600)
    assert 4.9 < years < 5.1


@pytest.mark.last
def test_no_secret_ever_appears_in_an_event(client: Client, table: Any) -> None:
    """Runs last: every event its process wrote before (kept across table resets) is checked, and conftest
    checks each process's events for secret fields once its tests are done."""
    email, reply = signup(client)
    code = code_in(wait_for_email(email))
    client.post("/auth/confirm", {"email": email, "code": code})
    tokens = client.post("/auth/login", {"email": email, "password": PASSWORD}).body
    client.post("/auth/refresh", {"refresh_token": tokens["refresh_token"]})
    for _ in range(10):
        client.post("/auth/login", {"email": email, "password": "a wrong password here"})
    user = table.get_item(Key={"PK": f"ACCOUNT#{reply.body['account_id']}", "SK": f"USER#{reply.body['user_id']}"})
    secrets = [
        PASSWORD,
        code,
        tokens["access_token"],
        tokens["refresh_token"],
        tokens["refresh_token"].split(".")[-1],
        "a wrong password here",
        user["Item"]["password_hash"],
    ]
    events = AUDIT_LOG + audit_events()
    text = json.dumps(events, default=str)
    assert len(events) > 20
    for secret in secrets:
        assert secret not in text
    for forbidden in audit_log.SECRET_FIELDS:
        assert f'"{forbidden}"' not in text

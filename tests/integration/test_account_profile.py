"""GET/PATCH /me (SPEC R-PRO-1): every role edits its own profile, validated, audited."""

from typing import Any

import pytest

from comptasecure.store import keys
from tests.helpers import Client, Member, audit_events, owner_of_new_account


@pytest.mark.parametrize("role", ["owner", "admin", "member"])
def test_every_role_edits_its_own_profile(client: Client, table: Any, team: dict[str, Member], role: str) -> None:
    user = team[role]
    reply = client.patch(
        "/me",
        {
            "first_name": "Hélène",
            "phone": "06 12 34 56 78",
            "siren": "732 829 320",
            "job_title": "Expert-comptable",
            "company_size": "10-49",
        },
        token=user.token,
    )
    assert reply.status == 200, reply.body
    assert reply.body["first_name"] == "Hélène"
    assert reply.body["phone"] == "+33612345678"
    assert reply.body["siren"] == "732829320"
    assert reply.body["email"] == user.email
    assert reply.body["role"] == role
    assert client.get("/me", token=user.token).body == reply.body
    [event] = audit_events(table, user.account_id, "user.profile_updated")
    assert event["actor_id"] == event["target_id"] == user.user_id
    assert event["details"]["phone"] == {"before": None, "after": "+33612345678"}
    # Another user's profile was not touched.
    others = [member for name, member in team.items() if name != role]
    assert all(client.get("/me", token=other.token).body["first_name"] != "Hélène" for other in others)


def test_a_null_clears_an_optional_field_and_absent_fields_stay(client: Client) -> None:
    owner = owner_of_new_account(client)
    client.patch("/me", {"phone": "+33612345678", "job_title": "Associée"}, token=owner.token)
    reply = client.patch("/me", {"phone": None}, token=owner.token)
    assert reply.status == 200
    assert reply.body["phone"] is None
    assert reply.body["job_title"] == "Associée"
    assert reply.body["last_name"] == "Dupont"


@pytest.mark.parametrize(
    ("body", "status", "field", "code"),
    [
        ({"siren": "123456789"}, 422, "siren", "invalid_siren"),
        ({"siren": "73282932"}, 422, "siren", "invalid_siren"),
        ({"phone": "12"}, 422, "phone", "invalid_phone"),
        ({"first_name": "x" * 101}, 422, "first_name", "invalid_first_name"),
        ({"company_name": "x" * 201}, 422, "company_name", "invalid_company_name"),
        ({"job_title": "x" * 101}, 422, "job_title", "invalid_job_title"),
        ({"last_name": None}, 422, "last_name", "invalid_last_name"),
        ({"email": "autre@cabinet-test.fr"}, 422, "email", "unknown_field"),
        ({"role": "owner"}, 422, "role", "unknown_field"),
        ({"company_size": "enorme"}, 400, "company_size", "wrong_type"),
        ({"first_name": "Jeanne", "siren": "123456789"}, 422, "siren", "invalid_siren"),
    ],
)
def test_invalid_profile_edit_names_the_field_and_writes_nothing(
    client: Client, table: Any, body: dict[str, Any], status: int, field: str, code: str
) -> None:
    owner = owner_of_new_account(client)
    before = table.get_item(Key=keys.key(keys.account_pk(owner.account_id), keys.user_sk(owner.user_id)))["Item"]
    reply = client.patch("/me", body, token=owner.token)
    assert reply.status == status, reply.body
    assert (reply.error["field"], reply.error["code"]) == (field, code)
    after = table.get_item(Key=keys.key(keys.account_pk(owner.account_id), keys.user_sk(owner.user_id)))["Item"]
    assert after == before
    assert audit_events(table, owner.account_id, "user.profile_updated") == []


def test_profile_needs_a_token(client: Client) -> None:
    assert client.patch("/me", {"first_name": "X"}).status == 401

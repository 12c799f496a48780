"""Bad input gets a 4xx naming the field, in API.md's error body, and nothing is written."""

from typing import Any

import pytest

from tests.helpers import PASSWORD, Client, signup, unique_email


def assert_nothing_written(client: Client, email: str) -> None:
    reply = client.post("/auth/login", {"email": email, "password": PASSWORD})
    assert reply.status == 401, "a refused signup must not leave a user behind"


def test_malformed_json_is_400(client: Client) -> None:
    reply = client.post("/auth/signup", raw=b'{"email": "x@y.fr",')
    assert reply.status == 400
    assert reply.error["code"] == "invalid_json"
    assert reply.error["message"]


def test_body_that_is_not_an_object_is_400(client: Client) -> None:
    reply = client.post("/auth/signup", raw=b'["a", "b"]')
    assert reply.status == 400


@pytest.mark.parametrize(
    ("override", "status", "field", "code"),
    [
        ({"email": None}, 422, "email", "missing_field"),
        ({"first_name": 42}, 400, "first_name", "wrong_type"),
        ({"email": "not-an-email"}, 422, "email", "invalid_email"),
        ({"password": "short"}, 422, "password", "weak_password"),
        ({"password": "123qweasdzxc"}, 422, "password", "weak_password"),
        ({"siren": "123456789"}, 422, "siren", "invalid_siren"),
        ({"phone": "12"}, 422, "phone", "invalid_phone"),
        ({"last_name": "x" * 101}, 422, "last_name", "invalid_last_name"),
        ({"is_admin": True}, 422, "is_admin", "unknown_field"),
    ],
)
def test_invalid_signup_names_the_field_and_writes_nothing(
    client: Client, override: dict[str, Any], status: int, field: str, code: str
) -> None:
    email = unique_email("invalid")
    body = {
        "email": email,
        "password": PASSWORD,
        "first_name": "Jean",
        "last_name": "Martin",
        "company_name": "Martin SARL",
        **override,
    }
    body = {name: value for name, value in body.items() if value is not None}
    reply = client.post("/auth/signup", body)
    assert reply.status == status, reply.body
    assert reply.error["field"] == field
    assert reply.error["code"] == code
    assert reply.error["message"]
    assert_nothing_written(client, email)


def test_valid_siren_and_french_phone_are_normalised(client: Client, table: Any) -> None:
    _, reply = signup(client, siren="732 829 320", phone="06 12 34 56 78")
    assert reply.status == 201, reply.body
    key = {"PK": f"ACCOUNT#{reply.body['account_id']}", "SK": f"USER#{reply.body['user_id']}"}
    user = table.get_item(Key=key)["Item"]
    assert (user["siren"], user["phone"]) == ("732829320", "+33612345678")

"""Bad input gets a 4xx naming the field, in API.md's error body, and nothing is written."""

import json
from typing import Any

import pytest

from tests.helpers import PASSWORD, Client, owner_of_new_account, signup, signup_confirmed, unique_email


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


# ------------------------------------------------------------------ bodies that are not what a route reads
@pytest.fixture(scope="module")
def owner(api: Any) -> Client:
    """The owner of a fresh account, logged in."""
    client = Client(api)
    _, tokens = signup_confirmed(client)
    return client.as_user(tokens["access_token"])


def account_name(owner: Client) -> str:
    return str(owner.get("/account").body["name"])


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "text/plain;charset=UTF-8",
        "application/xml",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "text/csv",
    ],
)
def test_a_json_route_refuses_other_content_types_with_415(owner: Client, content_type: str) -> None:
    before = account_name(owner)
    body = {
        "application/x-www-form-urlencoded": b"name=Renamed",
        "multipart/form-data; boundary=x": b'--x\r\nContent-Disposition: form-data; name="name"\r\n\r\nX\r\n--x--',
    }.get(content_type, b'{"name": "Renamed"}')
    reply = owner.patch("/account", raw=body, content_type=content_type)
    assert reply.status == 415, reply.body
    assert reply.error["code"] == "unsupported_media_type"
    assert reply.error["message"]
    assert account_name(owner) == before


def test_json_with_a_charset_is_json(owner: Client) -> None:
    reply = owner.patch("/account", raw=b'{"name": "Cabinet A"}', content_type="application/json; charset=utf-8")
    assert reply.status == 200, reply.body
    assert account_name(owner) == "Cabinet A"


def test_a_public_route_refuses_text_plain_too(client: Client) -> None:
    email = unique_email("plain")
    body = {"email": email, "password": PASSWORD, "first_name": "A", "last_name": "B", "company_name": "C"}
    reply = client.post("/auth/signup", raw=json.dumps(body).encode(), content_type="text/plain")
    assert reply.status == 415
    assert_nothing_written(client, email)


def test_unauthenticated_comes_before_the_content_type(client: Client) -> None:
    assert client.patch("/account", raw=b"<a/>", content_type="application/xml").status == 401


@pytest.mark.parametrize(
    "raw",
    [
        b"[" * 100_000 + b"]" * 100_000,
        b'{"name": ' + b"{" * 5000,
        b'{"name": ' + b"1" * 5000 + b"}",
        b'{"name": NaN}',
        b'{"name": -Infinity}',
    ],
    ids=["nested-100000", "unclosed-nesting", "5000-digit-integer", "NaN", "-Infinity"],
)
def test_json_that_python_cannot_or_should_not_parse_is_400(owner: Client, raw: bytes) -> None:
    before = account_name(owner)
    reply = owner.patch("/account", raw=raw)
    assert reply.status == 400, reply.body
    assert reply.error["code"] == "invalid_json"
    assert account_name(owner) == before


@pytest.mark.parametrize("depth", [1482, 1500, 10_000])
def test_deeply_nested_json_is_400_never_500(owner: Client, depth: int) -> None:
    # Parsed or past the interpreter's recursion limit (which depends on the stack in use): a 400 either way.
    reply = owner.patch("/account", raw=b'{"name": ' + b"[" * depth + b"]" * depth + b"}")
    assert reply.status == 400, reply.body
    assert reply.error["code"] in ("invalid_json", "wrong_type")


@pytest.mark.parametrize("raw", [b"", b"null"])
def test_a_missing_body_is_400(owner: Client, raw: bytes) -> None:
    reply = owner.patch("/account", raw=raw)
    assert reply.status == 400, reply.body
    assert reply.error["code"] == "invalid_body"


# ------------------------------------------------------------------ control characters in text fields
def test_crlf_in_the_account_name_is_refused_and_nothing_written(owner: Client, table: Any) -> None:
    before = account_name(owner)
    reply = owner.patch("/account", {"name": "Cabinet\r\nBcc: x@y.fr"})
    assert reply.status == 422, reply.body
    assert reply.error["field"] == "name"
    assert reply.error["code"] == "invalid_name"
    assert "contrôle" in reply.error["message"]
    assert account_name(owner) == before


@pytest.mark.parametrize(
    "value",
    ["Cl\x00aire", "Claire\n", "\rClaire", "Cl\taire", "Cl\x1baire", "Cl\x7faire", "Cl\x85aire", "Cl\u2028aire"],
    ids=["NUL", "trailing-LF", "leading-CR", "TAB", "ESC", "DEL", "C1-NEL", "LINE-SEPARATOR"],
)
def test_control_characters_in_the_profile_are_refused(owner: Client, value: str) -> None:
    before = owner.get("/me").body
    reply = owner.patch("/me", {"last_name": "Durand", "first_name": value})
    assert reply.status == 422, reply.body
    assert reply.error["field"] == "first_name"
    assert owner.get("/me").body == before


def test_text_without_control_characters_is_kept_as_written(owner: Client) -> None:
    name = "Cabinet Lefèvre & Fils — Lyon 2ᵉ (SARL) 🧾"
    assert owner.patch("/account", {"name": name}).status == 200
    assert account_name(owner) == name


def test_nul_in_a_group_name_is_refused(owner: Client, table: Any) -> None:
    reply = owner.post("/groups", {"name": "Audit\x00", "member_ids": []})
    assert reply.status == 422, reply.body
    assert reply.error["field"] == "name"
    assert owner.get("/groups").body["items"] == []


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("PATCH", "/cabinet", {"fields": {"city": "Lyon\r\nX"}}, "fields.city"),
        (
            "PUT",
            "/billing/address",
            {"company_name": "A", "line1": "1 rue\x00", "postal_code": "75001", "city": "Paris", "country": "FR"},
            "line1",
        ),
        ("POST", "/groups", {"name": "Audit", "member_ids": ["a\nb"]}, "member_ids"),
        (
            "POST",
            "/me/password",
            {
                "current_password": PASSWORD,
                "new_password": "Nouveau\x00Secret 2027 !",
                "new_password_confirmation": "Nouveau\x00Secret 2027 !",
            },
            "new_password",
        ),
    ],
)
def test_every_edge_model_refuses_control_characters(
    owner: Client, method: str, path: str, body: dict[str, Any], field: str
) -> None:
    reply = owner.call(method, path, body)
    assert reply.status == 422, reply.body
    assert reply.error["field"] == field


@pytest.mark.parametrize(
    ("name", "message"),
    [
        # Issue 20: a control character was reported as a name too long.
        ("Zo\x00é", "Ce nom contient un caractère de contrôle (caractère nul, tabulation, retour à la ligne…)."),
        (
            "Zoé\u2028Martin",
            "Ce nom contient un caractère de contrôle (caractère nul, tabulation, retour à la ligne…).",
        ),
        ("x" * 101, "Ce nom dépasse 100 caractères."),
    ],
    ids=["nul", "line_separator", "too_long"],
)
def test_an_invited_row_with_a_bad_name_is_reported_on_its_own(client: Client, name: str, message: str) -> None:
    owner = owner_of_new_account(client).client  # a Freemium account has room for two invitations
    good, bad = unique_email("row"), unique_email("row")
    reply = owner.post("/users", {"users": [{"email": bad, "first_name": name}, {"email": good}]})
    assert reply.status == 207, reply.body
    [refused, invited] = reply.body["results"]
    assert refused["status"] == "error"
    assert refused["error"] == {"code": "invalid_first_name", "message": message, "field": "first_name"}
    assert invited["status"] == "invited"
    emails_listed = {user["email"] for user in owner.get("/users").body["items"]}
    assert good in emails_listed and bad not in emails_listed


# ------------------------------------------------------------------ emails longer than any address
# Issue 20 item 7: a 2,100-character email reached DynamoDB as a key (2,048 bytes at most) at login: a 500.
LONG_EMAIL = "a" * 2089 + "@cabinet.fr"
JUST_TOO_LONG = "a" * 64 + "@" + ".".join(["b" * 62, "b" * 62, "b" * 61]) + ".fr"  # 255, well-formed otherwise


@pytest.mark.parametrize("email", [LONG_EMAIL, JUST_TOO_LONG], ids=["2100", "255"])
@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("POST", "/auth/login", lambda email: {"email": email, "password": PASSWORD}, "email"),
        (
            "POST",
            "/auth/signup",
            lambda email: {
                "email": email,
                "password": PASSWORD,
                "first_name": "Jean",
                "last_name": "Martin",
                "company_name": "Martin SARL",
            },
            "email",
        ),
        ("POST", "/auth/confirm", lambda email: {"email": email, "code": "123456"}, "email"),
        ("POST", "/auth/resend-code", lambda email: {"email": email}, "email"),
        ("POST", "/me/email", lambda email: {"new_email": email, "current_password": PASSWORD}, "new_email"),
        ("PATCH", "/cabinet", lambda email: {"fields": {"email": email}}, "fields.email"),
    ],
)
def test_an_email_over_254_characters_is_422_naming_the_field(
    owner: Client, method: str, path: str, body: Any, field: str, email: str
) -> None:
    assert len(JUST_TOO_LONG) == 255
    reply = owner.call(method, path, body(email))
    assert reply.status == 422, reply.body
    assert (reply.error["code"], reply.error["field"]) == (f"invalid_{field.split('.')[-1]}", field)
    assert reply.error["message"] == f"Le champ « {field} » dépasse 254 caractères."


def test_an_invited_row_with_an_email_over_254_characters_is_reported_on_its_own(client: Client) -> None:
    owner = owner_of_new_account(client).client
    good = unique_email("row")
    reply = owner.post("/users", {"users": [{"email": JUST_TOO_LONG}, {"email": good}]})
    assert reply.status == 207, reply.body
    [refused, invited] = reply.body["results"]
    assert refused["status"] == "error"
    assert (refused["error"]["code"], refused["error"]["field"]) == ("invalid_email", "email")
    assert invited["status"] == "invited"

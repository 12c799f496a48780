"""One-time codes are ASCII digits on every route that reads one (issue 20 item 4).

pydantic's patterns read ``\\d`` as any Unicode digit, so a TOTP code typed in full-width or
Arabic-Indic digits passed the edge and reached ``hmac.compare_digest``, which refuses
non-ASCII text: a 500 on every TOTP route. The emailed codes answered 422 but spent a try on it.
Each route now answers 422 naming ``code`` before anything is counted or read.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from comptasecure.store import keys
from tests.helpers import (
    PASSWORD,
    Client,
    Member,
    follow_ups_done,
    login,
    owner_of_new_account,
    signup,
    unique_email,
    user_item,
    wait_for_email,
)
from tests.security_helpers import enroll


def in_script(text: str, zero: str, small_a: str = "a") -> str:
    """ASCII letters and digits written with another script's digits (from its zero) and letters."""

    def shifted(char: str) -> str:
        if char.isdigit():
            return chr(ord(zero) + int(char))
        if char.isalpha():
            return chr(ord(small_a) + ord(char) - ord("a"))
        return char

    return "".join(map(shifted, text))


# 123456 in full-width, Arabic-Indic and Devanagari digits.
OTHER_DIGITS = {
    name: in_script("123456", zero)
    for name, zero in (("fullwidth", "\uff10"), ("arabic_indic", "\u0660"), ("devanagari", "\u0966"))
}
# A recovery code's shape (xxxxx-xxxxx) in full-width letters and digits.
OTHER_RECOVERY_CODE = in_script("abcde-23456", "\uff10", "\uff41")


@dataclass
class Route:
    """A route that reads a code, ready to be called with any code, and what a counted try leaves."""

    method: str
    path: str
    body: Callable[[str], dict[str, Any]]
    token: str | None
    tries: Callable[[], Any]


def totp_login(client: Client, table: Any) -> Route:
    owner = owner_of_new_account(client)
    enroll(client, owner)
    mfa_token = login(client, owner.email)["mfa_token"]
    body: Callable[[str], dict[str, Any]] = lambda code: {"mfa_token": mfa_token, "code": code}  # noqa: E731
    return Route("POST", "/auth/mfa", body, None, mfa_attempts(table, owner))


def enrollment_at_login(client: Client, table: Any) -> Route:
    owner = owner_of_new_account(client)
    assert client.patch("/account", {"require_mfa": True}, token=owner.token).status == 200
    mfa_token = login(client, owner.email)["mfa_token"]
    assert client.post("/auth/mfa/enroll", {"mfa_token": mfa_token}).status == 200
    path = "/auth/mfa/enroll/confirm"
    return Route("POST", path, lambda code: {"mfa_token": mfa_token, "code": code}, None, mfa_attempts(table, owner))


def enrollment(client: Client, table: Any) -> Route:
    owner = owner_of_new_account(client)
    assert client.post("/me/mfa/totp", token=owner.token).status == 200
    return Route("POST", "/me/mfa/totp/confirm", lambda code: {"code": code}, owner.token, mfa_attempts(table, owner))


def turning_mfa_off(client: Client, table: Any) -> Route:
    owner = owner_of_new_account(client)
    enroll(client, owner)
    body: Callable[[str], dict[str, Any]] = lambda code: {"current_password": PASSWORD, "code": code}  # noqa: E731
    return Route("DELETE", "/me/mfa", body, owner.token, mfa_attempts(table, owner))


def signup_confirmation(client: Client, table: Any) -> Route:
    email, reply = signup(client)
    assert reply.status == 201
    wait_for_email(email)
    day = int(datetime.now(UTC).timestamp()) // 86400

    def tries() -> Any:
        return table.get_item(Key=keys.key(keys.email_pk(email), f"CONFIRMATION#{day}")).get("Item")

    return Route("POST", "/auth/confirm", lambda code: {"email": email, "code": code}, None, tries)


def password_change(client: Client, table: Any) -> Route:
    owner = owner_of_new_account(client)
    new = "Un tout autre mot de passe 2026"
    body = {"current_password": PASSWORD, "new_password": new, "new_password_confirmation": new}
    assert client.post("/me/password", body, token=owner.token).status == 202
    wait_for_email(owner.email)
    return Route("POST", "/me/password/confirm", lambda code: {"code": code}, owner.token, code_item(table, owner))


def email_change(client: Client, table: Any) -> Route:
    owner = owner_of_new_account(client)
    body = {"new_email": unique_email("nouvelle"), "current_password": PASSWORD}
    assert client.post("/me/email", body, token=owner.token).status == 202
    follow_ups_done(client)  # the code is issued by the request's follow-up
    return Route("POST", "/me/email/confirm", lambda code: {"code": code}, owner.token, code_item(table, owner))


def mfa_attempts(table: Any, user: Member) -> Callable[[], Any]:
    return lambda: (user_item(table, user.account_id, user.user_id) or {}).get("mfa_attempts")


def code_item(table: Any, user: Member) -> Callable[[], Any]:
    prefix = keys.code_sk(user.user_id, "")
    return lambda: [
        item["attempts"]
        for item in table.query(
            KeyConditionExpression="PK = :pk AND begins_with(SK, :code)",
            ExpressionAttributeValues={":pk": keys.account_pk(user.account_id), ":code": prefix},
        )["Items"]
    ]


ROUTES = {
    "auth_mfa": totp_login,
    "auth_mfa_enroll_confirm": enrollment_at_login,
    "me_mfa_totp_confirm": enrollment,
    "delete_me_mfa": turning_mfa_off,
    "auth_confirm": signup_confirmation,
    "me_password_confirm": password_change,
    "me_email_confirm": email_change,
}


@pytest.mark.parametrize("digits", sorted(OTHER_DIGITS))
@pytest.mark.parametrize("route", sorted(ROUTES))
def test_a_code_in_other_unicode_digits_is_422_and_costs_no_try(
    client: Client, table: Any, route: str, digits: str
) -> None:
    called = ROUTES[route](client, table)
    before = called.tries()
    reply = client.call(called.method, called.path, called.body(OTHER_DIGITS[digits]), token=called.token)
    assert reply.status == 422, reply.body
    assert (reply.error["code"], reply.error["field"]) == ("invalid_code", "code")
    assert called.tries() == before


@pytest.mark.parametrize("route", ["auth_mfa", "delete_me_mfa"])
def test_a_recovery_code_in_other_characters_is_422_and_costs_no_try(client: Client, table: Any, route: str) -> None:
    called = ROUTES[route](client, table)
    before = called.tries()
    reply = client.call(called.method, called.path, called.body(OTHER_RECOVERY_CODE), token=called.token)
    assert (reply.status, reply.error["code"], reply.error["field"]) == (422, "invalid_code", "code")
    assert called.tries() == before

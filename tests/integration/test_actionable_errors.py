"""Errors a developer can act on, over HTTP: a 401 says why the token was refused (and challenges as
RFC 6750 has it), a misspelled field is named as unknown, a value outside its list lists the values."""

from collections.abc import Callable

import jwt
import pytest

from comptasecure.secrets import signing_key
from tests.helpers import PASSWORD, Client, add_member, login, owner_of_new_account

CHALLENGE = 'Bearer error="invalid_token"'


def refused(client: Client, token: str | None) -> tuple[int, str, str]:
    reply = client.get("/me", token=token or "")
    return reply.status, reply.error["code"], reply.headers.get("WWW-Authenticate", "")


def test_no_token_is_unauthorized_with_a_bare_bearer_challenge(client: Client) -> None:
    assert refused(client, None) == (401, "unauthorized", "Bearer")
    # Another scheme is no bearer token either (RFC 6750 §3: no error code then).
    basic = Client(client.api, headers={"authorization": "Basic dXNlcjpwYXNz"}).get("/me")
    assert (basic.status, basic.error["code"], basic.headers["WWW-Authenticate"]) == (401, "unauthorized", "Bearer")


def test_an_expired_access_token_says_so_and_a_refresh_cures_it(
    client: Client, shift_clock: Callable[[int], None]
) -> None:
    owner = owner_of_new_account(client)
    shift_clock(-3600)  # logged in an hour ago: its 15-minute access token is past, its session is not
    tokens = login(client, owner.email)
    shift_clock(0)
    status, code, challenge = refused(client, tokens["access_token"])
    assert (status, code) == (401, "token_expired")
    assert challenge.startswith(CHALLENGE) and "expired" in challenge

    renewed = client.post("/auth/refresh", {"refresh_token": tokens["refresh_token"]})
    assert renewed.status == 200, renewed.body
    assert client.get("/me", token=renewed.body["access_token"]).status == 200


def test_an_expired_token_not_signed_by_us_is_only_invalid(client: Client) -> None:
    owner = owner_of_new_account(client)
    claims = jwt.decode(owner.token, options={"verify_signature": False}) | {"exp": 1}
    forged = jwt.encode(claims, "guessed-secret-" * 4, algorithm="HS256")
    assert refused(client, forged) == (401, "invalid_token", CHALLENGE)
    # Ours, expired: the signature is checked first, so only a token we signed is told it expired.
    assert refused(client, jwt.encode(claims, signing_key(), algorithm="HS256"))[1] == "token_expired"


@pytest.mark.parametrize("token", ["not-a-jwt", "a.b.c"])
def test_a_token_that_is_not_ours_is_invalid_token(client: Client, token: str) -> None:
    assert refused(client, token) == (401, "invalid_token", CHALLENGE)


def test_a_token_of_an_ended_session_says_the_session_ended(client: Client) -> None:
    owner = owner_of_new_account(client)
    laptop = login(client, owner.email)
    phone = login(client, owner.email)
    assert client.post("/auth/logout", {"refresh_token": laptop["refresh_token"]}).status == 204
    status, code, challenge = refused(client, laptop["access_token"])
    assert (status, code) == (401, "session_ended")
    assert challenge.startswith(CHALLENGE) and "ended" in challenge

    assert client.post("/me/sessions/revoke-others", token=owner.token).status == 204
    assert refused(client, phone["access_token"])[:2] == (401, "session_ended")
    assert client.get("/me", token=owner.token).status == 200


def test_a_removed_users_token_says_the_session_ended(client: Client) -> None:
    owner = owner_of_new_account(client)
    member = add_member(client, owner.account_id, "member")
    assert client.get("/me", token=member.token).status == 200
    assert client.delete(f"/users/{member.user_id}", token=owner.token).status == 204
    assert refused(client, member.token)[:2] == (401, "session_ended")


@pytest.mark.parametrize(
    "body",
    [{"mail": "claire.dupont@cabinet-dupont.fr", "password": PASSWORD}, {"mail": "claire.dupont@cabinet-dupont.fr"}],
)
def test_a_misspelled_field_is_named_as_unknown_before_the_missing_one(client: Client, body: dict[str, str]) -> None:
    reply = client.post("/auth/login", body)
    assert reply.status == 422
    assert reply.error == {"code": "unknown_field", "message": "Le champ « mail » n'est pas reconnu.", "field": "mail"}


def test_a_missing_field_is_named_once_no_field_is_unknown(client: Client) -> None:
    reply = client.post("/auth/login", {"password": PASSWORD})
    assert (reply.status, reply.error["code"], reply.error["field"]) == (422, "missing_field", "email")


def test_a_value_outside_its_list_lists_the_allowed_values(client: Client) -> None:
    owner = owner_of_new_account(client)
    reply = client.patch("/me", {"company_size": "énorme"}, token=owner.token)
    assert (reply.status, reply.error["code"], reply.error["field"]) == (400, "wrong_type", "company_size")
    assert reply.error["message"] == (
        "Le champ « company_size » doit valoir l'une de ces valeurs : "
        "« 0 », « 1-9 », « 10-49 », « 50-249 », « 250-4999 », « 5000+ »."
    )
    method = client.post("/billing/payment-methods", {"type": "paypal"}, token=owner.token)
    assert method.error["message"] == "Le champ « type » doit valoir l'une de ces valeurs : « card », « sepa_debit »."

"""Access tokens from the attacker's side: every forgery or stale token is a 401."""

import base64
import json
import time
from typing import Any

import jwt
import pytest

from comptasecure.secrets import signing_key
from tests.helpers import Client, signup_confirmed

PROTECTED = ["/me", "/account", "/account-types"]


@pytest.fixture
def session(client: Client) -> dict[str, Any]:
    return signup_confirmed(client)[1]


def claims_of(token: str) -> dict[str, Any]:
    return dict(jwt.decode(token, options={"verify_signature": False}))


def b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


@pytest.mark.parametrize("path", PROTECTED)
def test_no_token_is_401_with_the_error_body(client: Client, path: str) -> None:
    reply = client.get(path)
    assert reply.status == 401
    assert reply.error["code"] == "unauthorized"


def test_tampered_signature_is_401(client: Client, session: dict[str, Any]) -> None:
    header, payload, signature = session["access_token"].split(".")
    forged = dict(claims_of(session["access_token"]), role="owner", acc="someone-else")
    assert client.get("/me", token=f"{header}.{b64(forged)}.{signature}").status == 401
    flipped = signature[:-2] + ("AA" if not signature.endswith("AA") else "BB")
    assert client.get("/me", token=f"{header}.{payload}.{flipped}").status == 401


def test_alg_none_is_401(client: Client, session: dict[str, Any]) -> None:
    claims = claims_of(session["access_token"])
    token = f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(claims)}."
    assert client.get("/me", token=token).status == 401


def test_expired_token_is_401(client: Client, session: dict[str, Any]) -> None:
    claims = claims_of(session["access_token"])
    claims.update(iat=int(time.time()) - 3600, exp=int(time.time()) - 60)
    expired = jwt.encode(claims, signing_key(), algorithm="HS256")
    assert client.get("/me", token=expired).status == 401


def test_token_signed_with_another_key_is_401(client: Client, session: dict[str, Any]) -> None:
    claims = claims_of(session["access_token"])
    assert client.get("/me", token=jwt.encode(claims, "guessed-secret-" * 4, algorithm="HS256")).status == 401


def test_valid_token_reaches_the_account(client: Client, session: dict[str, Any]) -> None:
    reply = client.get("/account", token=session["access_token"])
    assert reply.status == 200
    assert reply.body["type"] == {"id": "freemium", "label": "Freemium"}
    assert reply.body["usage"]["users"] == 1
    assert reply.body["can_delete"] is True
    types = client.get("/account-types", token=session["access_token"]).body["items"]
    assert [t["id"] for t in types if t["is_current"]] == ["freemium"]
    assert {t["obtained_by"] for t in types} == {"signup", "first_purchase", "support"}


def test_authentication_comes_before_body_validation(client: Client) -> None:
    """An anonymous caller learns nothing of a route's body rules: 401, not 400/422."""
    assert client.post("/groups", raw=b'{"name": ').status == 401
    assert client.post("/groups", {"unknown": 1}).status == 401

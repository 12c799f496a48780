"""A front end's first journey, over HTTP against the local run, following API.md to the letter."""

import re

from tests.e2e.conftest import Http
from tests.helpers import PASSWORD, unique_email


def test_signup_confirm_login_and_read_the_account(local_run: Http) -> None:
    email = unique_email("e2e")
    status, created = local_run.call(
        "POST",
        "/auth/signup",
        {
            "email": email,
            "password": PASSWORD,
            "first_name": "Élodie",
            "last_name": "Rousseau",
            "company_name": "Cabinet Rousseau & Associés",
        },
    )
    assert status == 201
    assert created["status"] == "pending_confirmation"

    [message] = local_run.emails(email)
    assert set(message) >= {"to", "subject", "text", "html", "sent_at"}
    code = re.search(r"\b(\d{6})\b", message["text"]).group(1)  # type: ignore[union-attr]
    assert local_run.call("POST", "/auth/confirm", {"email": email, "code": code}) == (200, {"status": "active"})

    status, tokens = local_run.call("POST", "/auth/login", {"email": email, "password": PASSWORD})
    assert status == 200
    token = tokens["access_token"]
    status, account = local_run.call("GET", "/account", token=token)
    assert status == 200
    assert account["name"] == "Cabinet Rousseau & Associés"
    assert account["owner_id"] == created["user_id"]
    status, types = local_run.call("GET", "/account-types", token=token)
    assert status == 200
    assert {item["id"] for item in types["items"]} >= {"freemium", "premium", "expert_comptable"}
    status, me = local_run.call("GET", "/me", token=token)
    assert (status, me["first_name"]) == (200, "Élodie")


def test_protected_routes_answer_401_without_a_token(local_run: Http) -> None:
    status, body = local_run.call("GET", "/account-types")
    assert status == 401
    assert body["error"]["code"] == "unauthorized"


def test_unknown_route_is_404(local_run: Http) -> None:
    assert local_run.call("GET", "/nowhere")[0] == 404

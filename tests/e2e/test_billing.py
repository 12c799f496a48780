"""The billing centre over HTTP against the local run, with its Stripe emulator behind it."""

import re

from tests.e2e.conftest import Http
from tests.helpers import PASSWORD, unique_email

ADDRESS = {
    "company_name": "Cabinet Rousseau & Associés",
    "line1": "4 place Bellecour",
    "postal_code": "69002",
    "city": "Lyon",
    "country": "FR",
    "vat_number": "FR40303265045",
}


def owner_token(local_run: Http) -> str:
    email = unique_email("e2e-billing")
    body = {
        "email": email,
        "password": PASSWORD,
        "first_name": "Élodie",
        "last_name": "Rousseau",
        "company_name": "Cabinet Rousseau & Associés",
    }
    assert local_run.call("POST", "/auth/signup", body)[0] == 201
    [message] = local_run.emails(email)
    code = re.search(r"\b(\d{6})\b", message["text"]).group(1)  # type: ignore[union-attr]
    assert local_run.call("POST", "/auth/confirm", {"email": email, "code": code})[0] == 200
    status, tokens = local_run.call("POST", "/auth/login", {"email": email, "password": PASSWORD})
    assert status == 200
    return str(tokens["access_token"])


def test_owner_fills_the_billing_centre(local_run: Http) -> None:
    token = owner_token(local_run)
    status, saved = local_run.call("PUT", "/billing/address", ADDRESS, token=token)
    assert status == 200
    assert saved == {**ADDRESS, "line2": None}
    assert local_run.call("GET", "/billing/address", token=token) == (200, saved)

    status, intent = local_run.call("POST", "/billing/payment-methods", {"type": "sepa_debit"}, token=token)
    assert status == 201
    assert intent["client_secret"].startswith(intent["setup_intent_id"] + "_secret_")
    assert local_run.call("GET", "/billing/payment-methods", token=token) == (200, {"items": []})

    status, balances = local_run.call("GET", "/billing/credits", token=token)
    assert status == 200
    assert {item["type"]: item["remaining"] for item in balances["items"]} == {"analyse_fec": 0, "ecf": 0}
    assert local_run.call("GET", "/billing/invoices", token=token) == (200, {"items": [], "next_cursor": None})


def test_the_webhook_refuses_an_unsigned_event(local_run: Http) -> None:
    status, body = local_run.call("POST", "/webhooks/stripe", {"id": "evt_1", "type": "invoice.paid"})
    assert status == 400
    assert body["error"]["code"] == "invalid_signature"

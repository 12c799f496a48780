"""A firm's "Mon Compte" journey over HTTP against the local run: profile, firm information and CRM,
password change confirmed by email, then deleting the account and signing up again with its email."""

import re

from tests.e2e.conftest import Http
from tests.helpers import PASSWORD, unique_email

NEW_PASSWORD = "Liasse fiscale de décembre 2026"


def code_of(message: dict[str, str]) -> str:
    return re.search(r"\b(\d{6})\b", message["text"]).group(1)  # type: ignore[union-attr]


def signed_up(local_run: Http, email: str, emails_before: int = 0) -> dict[str, str]:
    body = {"email": email, "password": PASSWORD, "first_name": "Inès", "last_name": "Moreau", "company_name": "Moreau"}
    assert local_run.call("POST", "/auth/signup", body)[0] == 201
    code = code_of(local_run.emails(email, count=emails_before + 1)[-1])
    assert local_run.call("POST", "/auth/confirm", {"email": email, "code": code})[0] == 200
    status, tokens = local_run.call("POST", "/auth/login", {"email": email, "password": PASSWORD})
    assert status == 200
    return dict(tokens)


def test_profile_firm_crm_password_and_deletion(local_run: Http) -> None:
    email = unique_email("e2e-compte")
    token = signed_up(local_run, email)["access_token"]

    status, me = local_run.call("PATCH", "/me", {"siren": "732829320", "phone": "06 11 22 33 44"}, token=token)
    assert (status, me["phone"]) == (200, "+33611223344")
    status, account = local_run.call("PATCH", "/account", {"name": "Cabinet Moreau"}, token=token)
    assert (status, account["name"], account["can_delete"]) == (200, "Cabinet Moreau", True)

    firm = {"identification": "Cabinet Moreau, expertise comptable", "city": "Nantes"}
    assert local_run.call("PATCH", "/cabinet", {"fields": firm}, token=token)[0] == 200
    status, crm = local_run.call("GET", "/analyses/ecf-2026-001/crm", token=token)
    assert (status, crm["fields"]["city"]) == (200, "Nantes")
    crm_fields = {"city": "Rezé", "signatory_name": "Inès Moreau"}
    assert local_run.call("PATCH", "/analyses/ecf-2026-001/crm", {"fields": crm_fields}, token=token)[0] == 200
    status, cabinet = local_run.call("GET", "/cabinet", token=token)
    assert (cabinet["fields"]["city"], cabinet["fields"]["signatory_name"]) == ("Nantes", "Inès Moreau")

    change = {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "new_password_confirmation": NEW_PASSWORD}
    assert local_run.call("POST", "/me/password", change, token=token) == (202, {"status": "pending_confirmation"})
    code = code_of(local_run.emails(email, count=2)[-1])
    assert local_run.call("POST", "/me/password/confirm", {"code": code}, token=token) == (204, None)
    assert local_run.call("POST", "/auth/login", {"email": email, "password": PASSWORD})[0] == 401
    assert local_run.call("POST", "/auth/login", {"email": email, "password": NEW_PASSWORD})[0] == 200
    assert "modifié" in local_run.emails(email, count=3)[-1]["subject"]

    assert local_run.call("DELETE", "/account", token=token) == (204, None)
    assert local_run.call("GET", "/account", token=token)[0] == 401
    assert local_run.call("POST", "/auth/login", {"email": email, "password": NEW_PASSWORD})[0] == 401
    signed_up(local_run, email, emails_before=3)

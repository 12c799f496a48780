"""Access management over HTTP against the local run, as the front end drives it."""

import json
import re
import urllib.request

from tests.e2e.conftest import REQUEST_TIMEOUT_SECONDS, Http
from tests.helpers import PASSWORD, unique_email


def code_of(message: dict[str, str]) -> str:
    return re.search(r"\b(\d{6})\b", message["text"]).group(1)  # type: ignore[union-attr]


def signed_in_owner(local_run: Http) -> str:
    email = unique_email("e2e-owner")
    body = {"email": email, "password": PASSWORD, "first_name": "Paul", "last_name": "Roux", "company_name": "Roux"}
    assert local_run.call("POST", "/auth/signup", body)[0] == 201
    [message] = local_run.emails(email)
    assert local_run.call("POST", "/auth/confirm", {"email": email, "code": code_of(message)})[0] == 200
    status, tokens = local_run.call("POST", "/auth/login", {"email": email, "password": PASSWORD})
    assert status == 200
    return str(tokens["access_token"])


def test_invite_accept_confirm_login_over_http(local_run: Http) -> None:
    token = signed_in_owner(local_run)
    email = unique_email("e2e-invitee")
    status, created = local_run.call("POST", "/users", {"users": [{"email": email, "first_name": "Anaïs"}]}, token)
    assert status == 207
    [result] = created["results"]
    assert result["status"] == "invited"

    [invitation] = local_run.emails(email)
    link = re.search(r"invitation\?token=([\w.\-]+)", invitation["text"]).group(1)  # type: ignore[union-attr]
    status, accepted = local_run.call("POST", "/invitations/accept", {"token": link, "password": PASSWORD})
    assert (status, accepted) == (200, {"email": email, "status": "pending_confirmation"})

    code_email = local_run.emails(email, count=2)[1]
    assert local_run.call("POST", "/auth/confirm", {"email": email, "code": code_of(code_email)})[0] == 200
    status, tokens = local_run.call("POST", "/auth/login", {"email": email, "password": PASSWORD})
    assert status == 200
    status, me = local_run.call("GET", "/me", token=tokens["access_token"])
    assert (me["first_name"], me["role"], me["status"]) == ("Anaïs", "member", "active")

    status, table = local_run.call("GET", "/users", token=token)
    assert status == 200
    row = next(item for item in table["items"] if item["id"] == result["user_id"])
    assert row["status"] == "active"
    assert table["limits"] == {"max_users": 3, "used": 2}
    assert local_run.call("POST", "/invitations/accept", {"token": link, "password": PASSWORD})[0] == 410


def test_windows_1252_csv_upload_over_http(local_run: Http) -> None:
    token = signed_in_owner(local_run)
    email = unique_email("e2e-csv")
    data = f"email;prénom;nom\r\n{email};Hélène;Lefèvre\r\nfaux;X;Y\r\n".encode("cp1252")
    request = urllib.request.Request(
        local_run.base + "/users/import",
        data=data,
        method="POST",
        headers={"Content-Type": "text/csv", "Authorization": f"Bearer {token}"},
    )
    with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT_SECONDS) as response:
        assert response.status == 207
        results = json.loads(response.read())["results"]
    assert [r["status"] for r in results] == ["invited", "error"]
    status, table = local_run.call("GET", "/users", token=token)
    assert status == 200
    row = next(item for item in table["items"] if item["email"] == email)
    assert (row["first_name"], row["last_name"]) == ("Hélène", "Lefèvre")

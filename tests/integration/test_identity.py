"""Signup, confirmation code, login, refresh, logout: the identity routes as the front end uses them."""

import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from boto3.dynamodb.conditions import Key

from comptasecure.settings import settings
from tests.helpers import PASSWORD, Client, code_in, signup, signup_confirmed, unique_email, wait_for_email


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_signup_then_code_then_login(client: Client) -> None:
    email, reply = signup(client)
    assert reply.status == 201
    assert reply.body["status"] == "pending_confirmation"
    assert set(reply.body) >= {"user_id", "account_id"}

    before = client.post("/auth/login", {"email": email, "password": PASSWORD})
    assert before.status == 403
    assert before.error["code"] == "not_confirmed"

    message = wait_for_email(email)
    assert "code de validation" in message["subject"]
    code = code_in(message)
    bad = client.post("/auth/confirm", {"email": email, "code": wrong(code)})
    assert bad.status == 422
    assert bad.error == {"code": "invalid_code", "message": bad.error["message"], "field": "code"}

    good = client.post("/auth/confirm", {"email": email, "code": code})
    assert good.status == 200
    assert good.body == {"status": "active"}

    login = client.post("/auth/login", {"email": email.upper(), "password": PASSWORD})
    assert login.status == 200
    assert login.body["token_type"] == "Bearer"
    assert login.body["expires_in"] == 900
    me = client.get("/me", token=login.body["access_token"])
    assert me.status == 200
    assert me.body["email"] == email
    assert me.body["role"] == "owner"
    assert me.body["status"] == "active"


def test_code_is_single_use(client: Client) -> None:
    email, _ = signup(client)
    code = code_in(wait_for_email(email))
    assert client.post("/auth/confirm", {"email": email, "code": code}).status == 200
    again = client.post("/auth/confirm", {"email": email, "code": code})
    assert again.status == 422
    assert again.error["code"] == "invalid_code"


def test_unknown_email_and_wrong_password_get_the_same_401(client: Client) -> None:
    email, _ = signup_confirmed(client)
    unknown = client.post("/auth/login", {"email": unknown_address(), "password": PASSWORD})
    wrong_password = client.post("/auth/login", {"email": email, "password": PASSWORD + "x"})
    assert unknown.status == wrong_password.status == 401
    assert unknown.body == wrong_password.body
    assert unknown.error["code"] == "invalid_credentials"


def unknown_address() -> str:
    return unique_email("nobody")


def test_sixth_wrong_code_is_refused_with_429_even_the_right_one(client: Client) -> None:
    email, _ = signup(client)
    code = code_in(wait_for_email(email))
    statuses = [client.post("/auth/confirm", {"email": email, "code": wrong(code)}).status for _ in range(6)]
    assert statuses == [422] * 5 + [429]
    locked = client.post("/auth/confirm", {"email": email, "code": code})
    assert locked.status == 429
    assert locked.error["code"] == "too_many_attempts"


def test_expired_code_is_refused(client: Client, shift_clock: Any) -> None:
    shift_clock(-(settings().code_validity_seconds + 60))  # signed up a validity period ago
    email, _ = signup(client)
    code = code_in(wait_for_email(email))
    shift_clock(0)
    reply = client.post("/auth/confirm", {"email": email, "code": code})
    assert reply.status == 422
    assert reply.error["code"] == "expired_code"


def test_resent_code_works_and_the_old_one_does_not(client: Client, configure: Any) -> None:
    configure(code_resend_interval_seconds=0)
    email, _ = signup(client)
    old = code_in(wait_for_email(email))
    assert client.post("/auth/resend-code", {"email": email}).status == 202
    new = code_in(wait_for_email(email, count=2))
    if new == old:  # one chance in a million: the new code happens to equal the old one
        return
    assert client.post("/auth/confirm", {"email": email, "code": old}).status == 422
    assert client.post("/auth/confirm", {"email": email, "code": new}).status == 200


def test_resend_right_after_a_code_sends_nothing_more(client: Client) -> None:
    email, _ = signup(client)
    code = code_in(wait_for_email(email))
    for _ in range(5):
        assert client.post("/auth/resend-code", {"email": email}).status == 202
    from local import emails

    assert len(emails.sent(email)) == 1
    assert client.post("/auth/confirm", {"email": email, "code": code}).status == 200


def test_resend_says_nothing_of_unknown_emails(client: Client) -> None:
    reply = client.post("/auth/resend-code", {"email": unknown_address()})
    assert reply.status == 202
    assert wait_for_nothing(unknown_address())


def wait_for_nothing(address: str) -> bool:
    from local import emails

    return emails.sent(address) == []


def test_code_is_never_readable_in_the_table(client: Client, table: Any) -> None:
    email, reply = signup(client)
    code = code_in(wait_for_email(email))
    items = table.query(KeyConditionExpression=Key("PK").eq(f"ACCOUNT#{reply.body['account_id']}"))["Items"]
    stored = json.dumps(items, default=str)
    assert "CODE#" in stored
    assert code not in stored
    assert PASSWORD not in stored


def test_concurrent_wrong_codes_never_exceed_the_attempt_limit(client: Client) -> None:
    email, _ = signup(client)
    code = code_in(wait_for_email(email))
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(
            pool.map(lambda _: client.post("/auth/confirm", {"email": email, "code": wrong(code)}).status, range(16))
        )
    assert statuses.count(422) <= 5
    assert statuses.count(429) >= 11
    assert client.post("/auth/confirm", {"email": email, "code": code}).status == 429


def test_refresh_rotates_and_a_reused_refresh_token_ends_the_session(client: Client) -> None:
    _, tokens = signup_confirmed(client)
    first = client.post("/auth/refresh", {"refresh_token": tokens["refresh_token"]})
    assert first.status == 200
    assert first.body["refresh_token"] != tokens["refresh_token"]
    assert client.get("/me", token=first.body["access_token"]).status == 200
    replay = client.post("/auth/refresh", {"refresh_token": tokens["refresh_token"]})
    assert replay.status == 401
    # Reuse of a rotated token is treated as theft: the whole session is gone.
    assert client.post("/auth/refresh", {"refresh_token": first.body["refresh_token"]}).status == 401
    assert client.get("/me", token=first.body["access_token"]).status == 401


def test_logout_ends_the_session_and_its_access_token(client: Client) -> None:
    _, tokens = signup_confirmed(client)
    assert client.post("/auth/logout", {"refresh_token": tokens["refresh_token"]}).status == 204
    assert client.get("/me", token=tokens["access_token"]).status == 401
    assert client.post("/auth/refresh", {"refresh_token": tokens["refresh_token"]}).status == 401


def test_email_is_unique_across_accounts(client: Client) -> None:
    email, first = signup(client)
    assert first.status == 201
    _, second = signup(client, email=email.upper())
    assert second.status == 409
    assert second.error == {"code": "email_taken", "message": second.error["message"], "field": "email"}


def test_ten_failed_logins_lock_the_login_and_are_audited(client: Client, table: Any) -> None:
    email, tokens = signup_confirmed(client)
    statuses = [
        client.post("/auth/login", {"email": email, "password": "not the password at all"}).status for _ in range(11)
    ]
    assert statuses == [401] * 10 + [429]
    assert client.post("/auth/login", {"email": email, "password": PASSWORD}).status == 429
    events = client.get("/audit?action=user.login_locked", token=tokens["access_token"]).body["items"]
    assert [(event["actor_id"], event["details"]["failed_attempts"]) for event in events] == [("system", 10)]

"""Passkeys (R-MFA-5) over HTTP, with a software authenticator building real attestations and assertions
(tests/authenticator.py): registered, listed, used to log in without a password, removed with the
password; and every way an attacker or a broken device would present one, refused."""

import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from comptasecure.store import keys
from tests.authenticator import Authenticator, InvalidStateError, from_b64url
from tests.helpers import (
    PASSWORD,
    Client,
    Member,
    add_member,
    audit_events,
    follow_ups_done,
    login,
    owner_of_new_account,
    partition,
    user_item,
    wait_for_purge,
)
from tests.security_helpers import enroll

CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"


def register(user: Member, device: Authenticator, name: str | None = None, **create: Any) -> dict[str, Any]:
    options = user.client.post("/me/passkeys/options")
    assert options.status == 200, options.body
    body: dict[str, Any] = {"credential": device.create(options.body["options"], **create)}
    if name is not None:
        body["name"] = name
    added = user.client.post("/me/passkeys", body)
    assert added.status == 201, added.body
    return dict(added.body)


def login_options(client: Client) -> dict[str, Any]:
    started = client.post("/auth/passkey/options", token="")
    assert started.status == 200, started.body
    return dict(started.body)


def passkey_login(client: Client, device: Authenticator, **get: Any) -> Any:
    started = login_options(client)
    assertion = device.get(started["options"], **get)
    return client.post("/auth/passkey", {"challenge_id": started["challenge_id"], "credential": assertion}, token="")


def test_a_passkey_registered_then_logs_in_without_a_password(client: Client, table: Any) -> None:
    owner = owner_of_new_account(client)
    device = Authenticator()
    added = register(owner, device, name="MacBook du cabinet")
    assert added["name"] == "MacBook du cabinet" and added["last_used_at"] is None
    assert len(added["id"]) == 64
    assert owner.client.get("/me").body["passkey_count"] == 1

    reply = passkey_login(client, device)
    assert reply.status == 200, reply.body
    assert reply.headers["Cache-Control"] == "no-store"
    assert set(reply.body) == {"access_token", "refresh_token", "token_type", "expires_in"}
    me = client.get("/me", token=reply.body["access_token"])
    assert me.status == 200 and me.body["id"] == owner.user_id
    # The session counts as MFA, and the passkey shows its use.
    [session] = [s for s in partition(table, owner.account_id, "SESSION#") if s.get("mfa")]
    assert session["user_id"] == owner.user_id
    [listed] = owner.client.get("/me/passkeys").body["items"]
    assert listed["id"] == added["id"] and listed["last_used_at"] is not None
    assert [e["target_id"] for e in audit_events(table, owner.account_id, "user.passkey_added")] == [added["id"]]


def test_the_options_ask_a_discoverable_credential_with_user_verification_for_localhost(client: Client) -> None:
    owner = owner_of_new_account(client)
    options = owner.client.post("/me/passkeys/options").body["options"]
    assert options["rp"] == {"id": "localhost", "name": "ComptaSecure"}
    assert options["authenticatorSelection"]["residentKey"] == "required"
    assert options["authenticatorSelection"]["userVerification"] == "required"
    assert from_b64url(options["user"]["id"]) == owner.user_id.encode()
    assert options["user"]["name"] == owner.email
    assert options["excludeCredentials"] == []
    assert options["timeout"] == 300_000
    started = login_options(client)
    assert started["options"]["rpId"] == "localhost"
    assert started["options"]["userVerification"] == "required"
    assert "allowCredentials" not in started["options"]
    assert started["options"]["challenge"] == started["challenge_id"]


def test_several_named_passkeys_and_a_second_registration_of_one_is_excluded(client: Client) -> None:
    owner = owner_of_new_account(client)
    laptop, phone = Authenticator(), Authenticator()
    first = register(owner, laptop, name="Portable")
    second = register(owner, phone)
    assert second["name"] == "Clé d'accès"  # the test client sends no User-Agent: the default name
    options = owner.client.post("/me/passkeys/options").body["options"]
    excluded = {descriptor["id"] for descriptor in options["excludeCredentials"]}
    assert excluded == {_b64(laptop), _b64(phone)}
    with pytest.raises(InvalidStateError):
        laptop.create(options)
    page = owner.client.get("/me/passkeys?limit=1")
    assert len(page.body["items"]) == 1 and page.body["next_cursor"]
    rest = owner.client.get(f"/me/passkeys?limit=1&cursor={page.body['next_cursor']}")
    assert {page.body["items"][0]["id"], rest.body["items"][0]["id"]} == {first["id"], second["id"]}
    assert owner.client.get("/me").body["passkey_count"] == 2


def _b64(device: Authenticator) -> str:
    from tests.authenticator import b64url

    return b64url(next(iter(device.credentials)))


def test_the_default_name_is_the_device_it_was_created_on(api: Any, client: Client) -> None:
    owner = owner_of_new_account(client)
    browser = Member(
        owner.user_id, owner.email, owner.account_id, "owner", owner.tokens,
        Client(api, owner.token, headers={"user-agent": CHROME}),
    )  # fmt: skip
    assert register(browser, Authenticator())["name"] == "Chrome sur Windows"


def test_a_packed_self_attestation_registers_too(client: Client) -> None:
    owner = owner_of_new_account(client)
    device = Authenticator()
    register(owner, device, attestation="packed")
    assert passkey_login(client, device).status == 200


# ------------------------------------------------------------------ refusals at login
def test_a_replayed_assertion_is_refused(client: Client) -> None:
    owner = owner_of_new_account(client)
    device = Authenticator()
    register(owner, device)
    started = login_options(client)
    body = {"challenge_id": started["challenge_id"], "credential": device.get(started["options"])}
    assert client.post("/auth/passkey", body).status == 200
    again = client.post("/auth/passkey", body)
    assert again.status == 401 and again.error["code"] == "invalid_credentials"


def test_one_assertion_sent_fifty_times_at_once_opens_one_session(client: Client, table: Any) -> None:
    owner = owner_of_new_account(client)
    device = Authenticator(counts=False)  # no counter: only the single-use challenge stops the replays
    register(owner, device)
    started = login_options(client)
    body = {"challenge_id": started["challenge_id"], "credential": device.get(started["options"])}
    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = list(pool.map(lambda _: client.post("/auth/passkey", body).status, range(50)))
    assert sorted(statuses) == [200] + [401] * 49
    assert len([s for s in partition(table, owner.account_id, "SESSION#") if s.get("mfa")]) == 1


@pytest.mark.parametrize(
    "origin", ["https://evil.example", "http://localhost.evil.example:5173", "https://localhost:5173", "null"]
)
def test_an_assertion_made_on_another_origin_is_refused(client: Client, origin: str) -> None:
    owner = owner_of_new_account(client)
    device = Authenticator()
    register(owner, device)
    reply = passkey_login(client, device, origin=origin)
    assert reply.status == 401 and reply.error["code"] == "invalid_credentials"


def test_any_port_of_localhost_is_the_local_relying_party(client: Client) -> None:
    owner = owner_of_new_account(client)
    device = Authenticator()
    register(owner, device, origin="http://localhost:3001")
    assert passkey_login(client, device, origin="http://localhost:8080").status == 200
    assert passkey_login(client, device, origin="http://localhost").status == 200


def test_an_assertion_for_another_relying_party_is_refused(client: Client) -> None:
    owner = owner_of_new_account(client)
    device = Authenticator()
    register(owner, device)
    reply = passkey_login(client, device, rp_id="evil.example")
    assert reply.status == 401 and reply.error["code"] == "invalid_credentials"


def test_a_counter_that_goes_backwards_or_stays_refuses_the_login(client: Client) -> None:
    owner = owner_of_new_account(client)
    device = Authenticator()
    register(owner, device)
    assert passkey_login(client, device, counter=5).status == 200
    backwards = passkey_login(client, device, counter=3)
    assert backwards.status == 401 and backwards.error["code"] == "invalid_credentials"
    assert passkey_login(client, device, counter=5).status == 401  # a cloned authenticator's copy
    assert passkey_login(client, device, counter=6).status == 200


def test_an_authenticator_without_a_counter_logs_in_again_and_again(client: Client) -> None:
    """WebAuthn §6.1.1: a counter that stays 0 is not a clone's sign; each login has its own challenge."""
    owner = owner_of_new_account(client)
    device = Authenticator(counts=False)
    register(owner, device)
    assert [passkey_login(client, device).status for _ in range(3)] == [200, 200, 200]
    assert passkey_login(client, device, counter=1).status == 200  # it may start counting
    assert passkey_login(client, device, counter=0).status == 401  # but not stop


def test_a_challenge_older_than_five_minutes_is_refused(client: Client, shift_clock: Callable[[int], None]) -> None:
    owner = owner_of_new_account(client)
    device = Authenticator()
    register(owner, device)
    shift_clock(-301)
    started = login_options(client)
    shift_clock(0)
    reply = client.post(
        "/auth/passkey", {"challenge_id": started["challenge_id"], "credential": device.get(started["options"])}
    )
    assert reply.status == 401 and reply.error["code"] == "invalid_credentials"
    shift_clock(-299)
    fresh = login_options(client)
    shift_clock(0)
    body = {"challenge_id": fresh["challenge_id"], "credential": device.get(fresh["options"])}
    assert client.post("/auth/passkey", body).status == 200


def test_a_registration_challenge_does_not_log_in(client: Client) -> None:
    owner = owner_of_new_account(client)
    device = Authenticator()
    register(owner, device)
    creation = owner.client.post("/me/passkeys/options").body["options"]
    assertion = device.get({"rpId": "localhost", "challenge": creation["challenge"]})
    reply = client.post("/auth/passkey", {"challenge_id": creation["challenge"], "credential": assertion})
    assert reply.status == 401 and reply.error["code"] == "invalid_credentials"


def test_a_login_challenge_does_not_register(client: Client) -> None:
    owner = owner_of_new_account(client)
    creation = owner.client.post("/me/passkeys/options").body["options"]
    started = login_options(client)
    forged = Authenticator().create({**creation, "challenge": started["challenge_id"]})
    reply = owner.client.post("/me/passkeys", {"credential": forged})
    assert reply.status == 422 and reply.error == {
        "code": "invalid_credential",
        "message": reply.error["message"],
        "field": "credential",
    }


def test_an_unknown_credential_answers_as_a_bad_signature(client: Client) -> None:
    owner = owner_of_new_account(client)
    device, stranger = Authenticator(), Authenticator()
    register(owner, device)
    stranger.create({"rp": {"id": "localhost"}, "user": {"id": "c3RyYW5nZXI"}, "challenge": "AAAA"})
    unknown = passkey_login(client, stranger)
    started = login_options(client)
    tampered = device.get(started["options"])
    tampered["response"]["signature"] = stranger.get(started["options"])["response"]["signature"]
    bad = client.post("/auth/passkey", {"challenge_id": started["challenge_id"], "credential": tampered})
    assert (unknown.status, unknown.body) == (bad.status, bad.body) == (401, unknown.body)


def test_an_assertion_without_user_verification_is_refused(client: Client) -> None:
    owner = owner_of_new_account(client)
    device = Authenticator()
    register(owner, device)
    assert passkey_login(client, device, verified=False).status == 401


@pytest.mark.parametrize(
    "body",
    [
        {"challenge_id": "x", "credential": {}},
        {"challenge_id": "x", "credential": {"id": "a", "rawId": "a", "type": "public-key", "response": {}}},
        {"challenge_id": "%%%", "credential": {}},
    ],
)
def test_a_malformed_credential_is_a_401_or_a_422_never_a_500(client: Client, body: dict[str, Any]) -> None:
    reply = client.post("/auth/passkey", body)
    assert reply.status in (401, 422), reply.body


# ------------------------------------------------------------------ who may log in
def test_a_passkey_login_satisfies_an_account_that_requires_mfa(client: Client) -> None:
    owner = owner_of_new_account(client)
    member = add_member(client, owner.account_id)
    device = Authenticator()
    register(member, device)
    assert owner.client.patch("/account", {"require_mfa": True}).status == 200
    assert "mfa_enrollment_required" in login(client, member.email)  # the password alone is not enough
    reply = passkey_login(client, device)
    assert reply.status == 200, reply.body
    refreshed = client.post("/auth/refresh", {"refresh_token": reply.body["refresh_token"]}, token="")
    assert refreshed.status == 200, refreshed.body


def test_a_user_with_totp_logs_in_with_a_passkey_without_a_code(client: Client) -> None:
    owner = owner_of_new_account(client)
    enroll(client, owner)
    device = Authenticator()
    register(owner, device)
    reply = passkey_login(client, device)
    assert reply.status == 200 and "access_token" in reply.body


@pytest.mark.parametrize(("status", "code"), [("disabled", "user_disabled"), ("pending_confirmation", "not_confirmed")])
def test_a_user_who_may_not_log_in_is_refused_after_the_signature(
    client: Client, table: Any, status: str, code: str
) -> None:
    owner = owner_of_new_account(client)
    member = add_member(client, owner.account_id)
    device = Authenticator()
    register(member, device)
    table.update_item(
        Key=keys.key(keys.account_pk(owner.account_id), keys.user_sk(member.user_id)),
        UpdateExpression="SET #status = :status",
        ExpressionAttributeNames={"#status": "status"},
        ExpressionAttributeValues={":status": status},
    )
    reply = passkey_login(client, device)
    assert reply.status == 403 and reply.error["code"] == code
    assert passkey_login(client, device, rp_id="evil.example").status == 401  # no signature, no 403


def test_a_removed_users_passkey_no_longer_logs_in_and_its_credential_goes(client: Client, table: Any) -> None:
    owner = owner_of_new_account(client)
    member = add_member(client, owner.account_id)
    device = Authenticator()
    added = register(member, device)
    assert owner.client.delete(f"/users/{member.user_id}").status == 204
    assert passkey_login(client, device).status == 401
    follow_ups_done(client)
    assert partition(table, owner.account_id, keys.passkey_sk(member.user_id)) == []
    assert "Item" not in table.get_item(Key=keys.key(keys.credential_pk(added["id"]), keys.CREDENTIAL_SK))


# ------------------------------------------------------------------ registration refused
def test_a_registration_response_sent_twice_registers_once(client: Client) -> None:
    owner = owner_of_new_account(client)
    options = owner.client.post("/me/passkeys/options").body["options"]
    credential = Authenticator().create(options)
    assert owner.client.post("/me/passkeys", {"credential": credential}).status == 201
    again = owner.client.post("/me/passkeys", {"credential": credential})
    assert again.status == 422 and again.error["code"] == "invalid_credential"
    assert owner.client.get("/me").body["passkey_count"] == 1


def test_another_users_registration_challenge_is_refused(client: Client) -> None:
    owner = owner_of_new_account(client)
    member = add_member(client, owner.account_id)
    options = owner.client.post("/me/passkeys/options").body["options"]
    reply = member.client.post("/me/passkeys", {"credential": Authenticator().create(options)})
    assert reply.status == 422 and reply.error["code"] == "invalid_credential"


@pytest.mark.parametrize("create", [{"origin": "https://evil.example"}, {"rp_id": "evil.example"}, {"verified": False}])
def test_a_registration_from_elsewhere_or_unverified_is_refused(client: Client, create: dict[str, Any]) -> None:
    owner = owner_of_new_account(client)
    options = owner.client.post("/me/passkeys/options").body["options"]
    reply = owner.client.post("/me/passkeys", {"credential": Authenticator().create(options, **create)})
    assert reply.status == 422 and reply.error["code"] == "invalid_credential"
    assert owner.client.get("/me/passkeys").body["items"] == []


def test_an_expired_registration_challenge_is_refused(client: Client, shift_clock: Callable[[int], None]) -> None:
    owner = owner_of_new_account(client)
    shift_clock(-301)
    options = owner.client.post("/me/passkeys/options").body["options"]
    shift_clock(0)
    reply = owner.client.post("/me/passkeys", {"credential": Authenticator().create(options)})
    assert reply.status == 422 and reply.error["code"] == "invalid_credential"


def test_a_user_has_at_most_twenty_passkeys(client: Client, table: Any) -> None:
    owner = owner_of_new_account(client)
    table.update_item(
        Key=keys.key(keys.account_pk(owner.account_id), keys.user_sk(owner.user_id)),
        UpdateExpression="SET passkey_count = :n",
        ExpressionAttributeValues={":n": 20},
    )
    options = owner.client.post("/me/passkeys/options").body["options"]
    reply = owner.client.post("/me/passkeys", {"credential": Authenticator().create(options)})
    assert reply.status == 409 and reply.error["code"] == "passkey_limit_reached"


def test_a_keyed_retry_of_a_registration_gets_the_first_answer(client: Client) -> None:
    owner = owner_of_new_account(client)
    options = owner.client.post("/me/passkeys/options", idempotency_key="opts-1")
    again = owner.client.post("/me/passkeys/options", idempotency_key="opts-1")
    assert again.body == options.body and again.headers.get("Idempotent-Replayed") == "true"
    body = {"credential": Authenticator().create(options.body["options"]), "name": "Téléphone"}
    first = owner.client.post("/me/passkeys", body, idempotency_key="add-1")
    retried = owner.client.post("/me/passkeys", body, idempotency_key="add-1")
    assert (first.status, retried.status) == (201, 201) and first.body == retried.body
    assert owner.client.get("/me").body["passkey_count"] == 1


# ------------------------------------------------------------------ removal
def test_removing_a_passkey_asks_the_password_and_counts_the_wrong_ones(client: Client, table: Any) -> None:
    owner = owner_of_new_account(client)
    device = Authenticator()
    added = register(owner, device)
    path = f"/me/passkeys/{added['id']}"
    wrong = owner.client.call("DELETE", path, {"current_password": "pas le bon mot de passe"})
    assert wrong.status == 422 and wrong.error["code"] == "wrong_current_password"
    missing = owner.client.call("DELETE", path, {})
    assert missing.status == 422 and missing.error["field"] == "current_password"
    assert owner.client.call("DELETE", path, {"current_password": PASSWORD}).status == 204
    assert passkey_login(client, device).status == 401
    assert owner.client.get("/me").body["passkey_count"] == 0
    assert owner.client.call("DELETE", path, {"current_password": PASSWORD}).status == 404
    stored = user_item(table, owner.account_id, owner.user_id)
    assert stored is not None and "password_attempts" not in stored  # the right password cleared them


def test_five_wrong_passwords_then_429_even_with_the_right_one(client: Client) -> None:
    owner = owner_of_new_account(client)
    added = register(owner, Authenticator())
    path = f"/me/passkeys/{added['id']}"
    statuses = [owner.client.call("DELETE", path, {"current_password": f"faux {n}"}).status for n in range(5)]
    assert statuses == [422] * 5
    blocked = owner.client.call("DELETE", path, {"current_password": PASSWORD})
    assert blocked.status == 429 and blocked.error["code"] == "too_many_attempts"


def test_another_accounts_or_users_passkey_id_is_not_found(client: Client) -> None:
    owner = owner_of_new_account(client)
    colleague = add_member(client, owner.account_id, "admin")
    stranger = owner_of_new_account(client)
    mine = register(owner, Authenticator())["id"]
    for caller in (colleague, stranger):
        reply = caller.client.call("DELETE", f"/me/passkeys/{mine}", {"current_password": PASSWORD})
        assert reply.status == 404 and reply.error["code"] == "passkey_not_found"
        assert caller.client.get("/me/passkeys").body["items"] == []
    assert owner.client.call("DELETE", f"/me/passkeys/{uuid.uuid4().hex}", {"current_password": PASSWORD}).status == 422


def test_a_deleted_accounts_passkeys_leave_no_credential_behind(client: Client, table: Any) -> None:
    owner = owner_of_new_account(client)
    device = Authenticator()
    added = register(owner, device)
    assert owner.client.delete("/account").status == 204
    assert passkey_login(client, device).status == 401  # the account is gone at once
    wait_for_purge(table, owner.account_id)
    assert "Item" not in table.get_item(Key=keys.key(keys.credential_pk(added["id"]), keys.CREDENTIAL_SK))

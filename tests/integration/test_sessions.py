"""A user's own sessions (SPEC R-MFA-3), from the outside: listing with device and address, ending
one or all the others, effective on the very next request; another user's session is a 404."""

from collections.abc import Callable
from typing import Any

import pytest

from tests.helpers import PASSWORD, CallCounter, Client, Member, add_member, audit_events, owner_of_new_account

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; rv:135.0) Gecko/20100101 Firefox/135.0"
SAFARI = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 Safari/604.1"


def login_from(client: Client, email: str, user_agent: str) -> dict[str, Any]:
    browser = Client(client.api, headers={"user-agent": user_agent})
    reply = browser.post("/auth/login", {"email": email, "password": PASSWORD})
    assert reply.status == 200, reply.body
    return dict(reply.body)


def sessions_of(client: Client, token: str, query: str = "") -> Any:
    reply = client.get(f"/me/sessions{query}", token=token)
    assert reply.status == 200, reply.body
    return reply.body


@pytest.mark.parametrize("role", ["owner", "admin", "member"])
def test_sessions_are_listed_newest_first_with_device_and_address(
    client: Client, shift_clock: Callable[[int], None], role: str
) -> None:
    owner = owner_of_new_account(client)
    user = owner if role == "owner" else add_member(client, owner.account_id, role)
    shift_clock(-3600)
    laptop = login_from(client, user.email, FIREFOX)
    shift_clock(0)
    phone = login_from(client, user.email, SAFARI)

    items = sessions_of(client, phone["access_token"])["items"]
    assert [item["user_agent"] for item in items[:2]] == [SAFARI, FIREFOX]
    assert len(items) == 3  # and the session the helper opened at signup, the oldest
    newest, older = items[0], items[1]
    assert newest["current"] is True and not any(item["current"] for item in items[1:])
    assert newest["ip"] == older["ip"] == "127.0.0.1"
    assert newest["created_at"] > older["created_at"]
    assert older["last_used_at"] == older["created_at"]

    # A refresh is a use: the laptop's session shows it, from the refreshing device.
    browser = Client(client.api, headers={"user-agent": FIREFOX + " (updated)"})
    assert browser.post("/auth/refresh", {"refresh_token": laptop["refresh_token"]}).status == 200
    refreshed = next(item for item in sessions_of(client, phone["access_token"])["items"] if item["id"] == older["id"])
    assert refreshed["last_used_at"] > refreshed["created_at"]
    assert refreshed["user_agent"] == FIREFOX + " (updated)"


def test_sessions_page_by_cursor(client: Client) -> None:
    owner = owner_of_new_account(client)
    for _ in range(2):
        login_from(client, owner.email, FIREFOX)
    first = sessions_of(client, owner.token, "?limit=2")
    assert len(first["items"]) == 2 and first["next_cursor"]
    second = sessions_of(client, owner.token, f"?limit=2&cursor={first['next_cursor']}")
    ids = [item["id"] for item in first["items"] + second["items"]]
    assert len(ids) == len(set(ids)) == 3
    # Another user's cursor is not valid here.
    other = owner_of_new_account(client)
    assert client.get(f"/me/sessions?limit=2&cursor={first['next_cursor']}", token=other.token).status == 422


def test_ending_a_session_refuses_its_tokens_on_the_next_request(client: Client, table: Any) -> None:
    owner = owner_of_new_account(client)
    laptop = login_from(client, owner.email, FIREFOX)
    laptop_id = next(item["id"] for item in sessions_of(client, laptop["access_token"])["items"] if item["current"])
    assert client.get("/me", token=laptop["access_token"]).status == 200

    assert client.delete(f"/me/sessions/{laptop_id}", token=owner.token).status == 204
    assert client.get("/me", token=laptop["access_token"]).status == 401
    assert client.post("/auth/refresh", {"refresh_token": laptop["refresh_token"]}).status == 401
    assert client.get("/me", token=owner.token).status == 200
    assert laptop_id not in [item["id"] for item in sessions_of(client, owner.token)["items"]]
    [event] = audit_events(table, owner.account_id, "user.session_revoked")
    assert (event["actor_id"], event["target_id"]) == (owner.user_id, laptop_id)

    again = client.delete(f"/me/sessions/{laptop_id}", token=owner.token)
    assert (again.status, again.error["code"]) == (404, "session_not_found")


def test_another_users_session_is_not_found(client: Client) -> None:
    owner = owner_of_new_account(client)
    admin = add_member(client, owner.account_id, "admin")
    stranger = owner_of_new_account(client)
    for victim, attacker in ((admin, owner), (owner, admin), (owner, stranger)):
        victim_session = sessions_of(client, victim.token)["items"][0]["id"]
        reply = client.delete(f"/me/sessions/{victim_session}", token=attacker.token)
        assert (reply.status, reply.error["code"]) == (404, "session_not_found")
        assert client.get("/me", token=victim.token).status == 200
        assert victim_session not in [item["id"] for item in sessions_of(client, attacker.token)["items"]]


def test_revoke_others_keeps_only_the_callers_session(client: Client, table: Any) -> None:
    owner = owner_of_new_account(client)
    others = [login_from(client, owner.email, agent) for agent in (FIREFOX, SAFARI)]
    colleague = add_member(client, owner.account_id, "member")

    assert client.post("/me/sessions/revoke-others", token=owner.token).status == 204
    for other in others:
        assert client.get("/me", token=other["access_token"]).status == 401
        assert client.post("/auth/refresh", {"refresh_token": other["refresh_token"]}).status == 401
    assert [item["current"] for item in sessions_of(client, owner.token)["items"]] == [True]
    assert client.get("/me", token=colleague.token).status == 200  # only the caller's sessions
    [event] = audit_events(table, owner.account_id, "user.other_sessions_revoked")
    assert event["details"]["sessions_ended"] == 2
    assert client.post("/me/sessions/revoke-others", token=owner.token).status == 204  # nothing left: still fine


def test_authorizing_a_request_still_costs_one_read(client: Client, table: Any) -> None:
    owner: Member = owner_of_new_account(client)
    with CallCounter("AuthorizerFunction") as authorizer, CallCounter("ListSessionsFunction") as route:
        assert client.get("/me/sessions", token=owner.token).status == 200
    # The authorizer's single read (user and session together), then the route's one Query: no write.
    # (Counted per function: the follow-ups of the module's earlier tests may still be running.)
    assert (dict(authorizer.calls), dict(route.calls)) == ({"BatchGetItem": 1}, {"Query": 1})


@pytest.mark.parametrize(
    ("method", "path", "status", "code", "field"),
    [
        ("DELETE", "/me/sessions/not-hex!", 422, "invalid_session_id", "session_id"),
        ("DELETE", "/me/sessions/" + "a" * 65, 422, "invalid_session_id", "session_id"),
        ("GET", "/me/sessions?limit=0", 422, "invalid_limit", "limit"),
        ("GET", "/me/sessions?limit=abc", 400, "wrong_type", "limit"),
        ("GET", "/me/sessions?cursor=forged", 422, "invalid_cursor", "cursor"),
    ],
)
def test_bad_input_is_a_4xx_naming_the_field(
    client: Client, method: str, path: str, status: int, code: str, field: str
) -> None:
    owner = owner_of_new_account(client)
    reply = client.call(method, path, token=owner.token)
    assert (reply.status, reply.error["code"], reply.error.get("field")) == (status, code, field)


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/me/sessions"), ("DELETE", "/me/sessions/abc"), ("POST", "/me/sessions/revoke-others")],
)
def test_no_token_is_401(client: Client, method: str, path: str) -> None:
    assert client.call(method, path).status == 401

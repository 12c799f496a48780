"""FEC files and sharing (SPEC R-GRP-2): sharing with a group grants its members of that moment only."""

import urllib.request
from typing import Any

import pytest

from comptasecure.domain import fecs
from tests.helpers import CallCounter, Client, add_user, login, set_account_type, signup_confirmed

VALID_NAME = "732829320FEC20251231.txt"


@pytest.fixture
def firm(client: Client) -> dict[str, Any]:
    """An owner, an admin and three members (alice, bob, carol) on a Premium account."""
    _, tokens = signup_confirmed(client)
    me = client.get("/me", token=tokens["access_token"]).body
    set_account_type(me["account_id"], "premium")
    ids, tokens_by = {"owner": me["id"]}, {"owner": tokens["access_token"]}
    for name, role in (("admin", "admin"), ("alice", "member"), ("bob", "member"), ("carol", "member")):
        user_id, email = add_user(me["account_id"], role)
        ids[name], tokens_by[name] = user_id, login(client, email)
    return {"account_id": me["account_id"], "ids": ids, "tokens": tokens_by}


def register(client: Client, firm: dict[str, Any], who: str = "owner", name: str = VALID_NAME) -> dict[str, Any]:
    reply = client.post("/fecs", {"file_name": name, "folder": "Clients 2025"}, token=firm["tokens"][who])
    assert reply.status == 201, reply.body
    return dict(reply.body)


def visible(client: Client, firm: dict[str, Any], who: str) -> set[str]:
    return {item["id"] for item in client.get("/fecs", token=firm["tokens"][who]).body["items"]}


def share(client: Client, firm: dict[str, Any], fec_id: str, who: str = "owner", **body: Any) -> Any:
    return client.post(f"/fecs/{fec_id}/shares", body, token=firm["tokens"][who])


def group_of(client: Client, firm: dict[str, Any], name: str, *members: str) -> str:
    body = {"name": name, "member_ids": [firm["ids"][member] for member in members]}
    return str(client.post("/groups", body, token=firm["tokens"]["owner"]).body["id"])


def test_register_returns_a_private_upload_url_under_the_account(client: Client, firm: dict[str, Any]) -> None:
    fec = register(client, firm, "alice")
    assert fec["imported_by"] == firm["ids"]["alice"]
    assert fec["folder"] == "Clients 2025"
    assert fec["naming_warning"] is None
    assert f"accounts/{firm['account_id']}/fecs/{fec['id']}/" in fec["upload_url"]
    upload = urllib.request.Request(fec["upload_url"], data=b"JournalCode|JournalLib\n", method="PUT")
    with urllib.request.urlopen(upload) as response:
        assert response.status == 200


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("grand-livre.txt", "forme officielle"),
        ("123456789FEC20251231.txt", "SIREN"),
        ("732829320FEC20251331.txt", "date"),
    ],
)
def test_a_name_off_the_official_naming_gets_a_clear_warning(name: str, problem: str) -> None:
    warning = fecs.naming_warning(name)
    assert warning is not None
    assert problem in warning


def test_members_see_what_they_imported_and_managers_see_everything(client: Client, firm: dict[str, Any]) -> None:
    alices = register(client, firm, "alice")["id"]
    owners = register(client, firm, "owner")["id"]
    assert visible(client, firm, "alice") == {alices}
    assert visible(client, firm, "bob") == set()
    assert visible(client, firm, "admin") >= {alices, owners}


def test_sharing_with_a_group_grants_its_members_of_that_moment(client: Client, firm: dict[str, Any]) -> None:
    fec = register(client, firm)["id"]
    team = group_of(client, firm, "Mission Dupont", "alice", "bob")
    granted = share(client, firm, fec, group_ids=[team])
    assert granted.status == 200
    assert sorted(granted.body["user_ids"]) == sorted([firm["ids"]["alice"], firm["ids"]["bob"]])
    assert fec in visible(client, firm, "alice")
    assert fec in visible(client, firm, "bob")
    assert fec not in visible(client, firm, "carol")


def test_a_late_joiner_does_not_see_earlier_shares(client: Client, firm: dict[str, Any]) -> None:
    fec = register(client, firm)["id"]
    team = group_of(client, firm, "Mission Martin", "alice")
    share(client, firm, fec, group_ids=[team])
    members = [firm["ids"]["alice"], firm["ids"]["carol"]]
    assert client.patch(f"/groups/{team}", {"member_ids": members}, token=firm["tokens"]["owner"]).status == 200
    assert fec not in visible(client, firm, "carol")
    share(client, firm, fec, group_ids=[team])  # shared again: now carol gets it
    assert fec in visible(client, firm, "carol")


def test_leaving_a_group_or_deleting_it_keeps_grants_already_given(client: Client, firm: dict[str, Any]) -> None:
    fec = register(client, firm)["id"]
    team = group_of(client, firm, "Mission Leroy", "alice", "bob")
    share(client, firm, fec, group_ids=[team])
    client.patch(f"/groups/{team}", {"member_ids": [firm["ids"]["bob"]]}, token=firm["tokens"]["owner"])
    assert fec in visible(client, firm, "alice")
    client.delete(f"/groups/{team}", token=firm["tokens"]["owner"])
    assert fec in visible(client, firm, "bob")


def test_a_deleted_users_grants_go_with_the_user_and_the_file_stays(client: Client, firm: dict[str, Any]) -> None:
    fec = register(client, firm, "alice")["id"]
    share(client, firm, fec, "alice", user_ids=[firm["ids"]["bob"]])
    fecs.forget_user(firm["account_id"], firm["ids"]["bob"])
    assert fec not in visible(client, firm, "bob")
    assert fec in visible(client, firm, "owner")


def test_sharing_rights(client: Client, firm: dict[str, Any]) -> None:
    alices = register(client, firm, "alice")["id"]
    assert share(client, firm, alices, "alice", user_ids=[firm["ids"]["bob"]]).status == 200
    # bob may open it but did not import it: he cannot pass it on.
    assert share(client, firm, alices, "bob", user_ids=[firm["ids"]["carol"]]).status == 403
    owners = register(client, firm)["id"]
    # carol cannot even see the owner's file: it does not exist for her.
    assert share(client, firm, owners, "carol", user_ids=[firm["ids"]["carol"]]).status == 404
    assert share(client, firm, owners, "admin", user_ids=[firm["ids"]["carol"]]).status == 200


def test_other_accounts_ids_are_404_even_inside_the_body(client: Client, firm: dict[str, Any]) -> None:
    fec = register(client, firm)["id"]
    _, other = signup_confirmed(client)
    stranger = other["access_token"]
    assert client.post(f"/fecs/{fec}/shares", {"user_ids": [firm["ids"]["alice"]]}, token=stranger).status == 404
    outsider_group = client.post("/groups", {"name": "Ailleurs"}, token=stranger).body["id"]
    outsider_user = client.get("/me", token=stranger).body["id"]
    by_user = share(client, firm, fec, user_ids=[outsider_user])
    assert (by_user.status, by_user.error["field"]) == (404, "user_ids")
    by_group = share(client, firm, fec, group_ids=[outsider_group])
    assert (by_group.status, by_group.error["field"]) == (404, "group_ids")
    assert fec not in {item["id"] for item in client.get("/fecs", token=stranger).body["items"]}


def test_share_needs_someone_and_register_needs_a_file_name(client: Client, firm: dict[str, Any]) -> None:
    fec = register(client, firm)["id"]
    assert share(client, firm, fec).status == 422
    for body, field in (({}, "file_name"), ({"file_name": "../../etc/passwd"}, "file_name")):
        reply = client.post("/fecs", body, token=firm["tokens"]["owner"])
        assert (reply.status, reply.error["field"]) == (422, field)


def test_shares_are_audited_with_the_users_a_group_expanded_to(client: Client, firm: dict[str, Any]) -> None:
    fec = register(client, firm)["id"]
    team = group_of(client, firm, "Mission Petit", "alice", "bob")
    share(client, firm, fec, group_ids=[team])
    [event] = client.get("/audit?action=fec.shared", token=firm["tokens"]["owner"]).body["items"]
    assert event["target_id"] == fec
    assert event["details"]["group_ids"] == [team]
    assert sorted(event["details"]["granted_user_ids"]) == sorted([firm["ids"]["alice"], firm["ids"]["bob"]])


def test_listing_costs_one_query_per_page_whatever_the_account_holds(client: Client, firm: dict[str, Any]) -> None:
    for _ in range(6):
        fec = register(client, firm)["id"]
        share(client, firm, fec, user_ids=[firm["ids"]["bob"]])
    for who in ("owner", "bob"):
        with CallCounter() as counter:
            page = client.get("/fecs?limit=2", token=firm["tokens"][who]).body
        assert len(page["items"]) == 2
        assert counter.calls["Query"] == 1
        assert counter.calls["Scan"] == 0
        # The authorizer's read, plus (for a member) the page's files.
        assert counter.calls["BatchGetItem"] == (1 if who == "owner" else 2)

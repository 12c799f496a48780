"""FEC files and sharing (SPEC R-GRP-2): sharing with a group grants its members of that moment only."""

import threading
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from boto3.dynamodb.conditions import Key

from comptasecure.domain import fecs
from comptasecure.http import pagination
from tests import seed
from tests.helpers import CallCounter, Client, add_member, follow_ups_done, owner_of_new_account, signup_confirmed

VALID_NAME = "732829320FEC20251231.txt"


@pytest.fixture
def firm(client: Client) -> dict[str, Any]:
    """An owner, an admin and three members (alice, bob, carol) on a Premium account."""
    owner = owner_of_new_account(client)
    seed.account_type(owner.account_id, "premium")
    people = {"owner": owner}
    for name, role in (("admin", "admin"), ("alice", "member"), ("bob", "member"), ("carol", "member")):
        people[name] = add_member(client, owner.account_id, role)
    return {
        "account_id": owner.account_id,
        "ids": {name: person.user_id for name, person in people.items()},
        "tokens": {name: person.token for name, person in people.items()},
    }


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


def test_a_members_cursor_never_starts_at_files_it_was_not_granted(client: Client, firm: dict[str, Any]) -> None:
    """A member's list walks its grants: a cursor signed for it but naming a file item is refused."""
    fec = register(client, firm)["id"]
    account_id, bob = firm["account_id"], firm["ids"]["bob"]
    cursor = pagination.encode({"PK": f"ACCOUNT#{account_id}", "SK": f"FEC#{fec}"}, f"{account_id}:{bob}")
    reply = client.get(f"/fecs?cursor={cursor}", token=firm["tokens"]["bob"])
    assert (reply.status, reply.error.get("code")) == (422, "invalid_cursor")


# ---------------------------------------------------------------- re-share (R-GRP-3)


def group_share_setup(client: Client, firm: dict[str, Any]) -> tuple[str, list[str]]:
    """A group of alice with two files shared with it; bob already had the first one on his own."""
    team = group_of(client, firm, "Mission Roux", "alice")
    files = [register(client, firm)["id"] for _ in range(2)]
    for fec in files:
        assert share(client, firm, fec, group_ids=[team]).status == 200
    share(client, firm, files[0], user_ids=[firm["ids"]["bob"]])
    return team, files


def add_members(client: Client, firm: dict[str, Any], team: str, *names: str) -> Any:
    body = {"member_ids": [firm["ids"][name] for name in ("alice", *names)]}
    return client.patch(f"/groups/{team}", body, token=firm["tokens"]["owner"])


def reshare(client: Client, firm: dict[str, Any], team: str, who: str = "owner", **body: Any) -> Any:
    return client.post(f"/groups/{team}/reshare", body, token=firm["tokens"][who])


def group_partition(table: Any, firm: dict[str, Any], prefix: str) -> list[dict[str, Any]]:
    condition = Key("PK").eq(f"ACCOUNT#{firm['account_id']}") & Key("SK").begins_with(prefix)
    return list(table.query(KeyConditionExpression=condition)["Items"])


def test_a_group_counts_the_files_shared_with_it(client: Client, firm: dict[str, Any]) -> None:
    team, files = group_share_setup(client, firm)
    share(client, firm, files[0], group_ids=[team])  # the same file again counts once
    share(client, firm, register(client, firm)["id"], user_ids=[firm["ids"]["alice"]])  # not through the group
    assert client.get(f"/groups/{team}", token=firm["tokens"]["carol"]).body["shared_fec_count"] == 2
    other = group_of(client, firm, "Vide", "carol")
    assert client.get(f"/groups/{other}", token=firm["tokens"]["owner"]).body["shared_fec_count"] == 0
    assert client.get("/groups", token=firm["tokens"]["owner"]).body["items"][0].keys() == {
        "id",
        "name",
        "member_count",
    }


def test_adding_members_says_who_misses_earlier_files(client: Client, firm: dict[str, Any]) -> None:
    team, _ = group_share_setup(client, firm)
    # admin opens every file anyway; bob misses the second file, carol both.
    added = add_members(client, firm, team, "bob", "carol", "admin")
    assert added.status == 200
    assert added.body["shared_fec_count"] == 2
    assert added.body["earlier_shares"] == {
        "fec_count": 2,
        "member_ids": sorted([firm["ids"]["bob"], firm["ids"]["carol"]]),
        "folder_count": 0,  # no folder was shared with the group (tests/integration/test_folders.py)
    }
    renamed = client.patch(f"/groups/{team}", {"name": "Mission Roux 2026"}, token=firm["tokens"]["owner"])
    assert renamed.body["earlier_shares"] is None
    fresh = group_of(client, firm, "Sans partage")
    joined = client.patch(f"/groups/{fresh}", {"member_ids": [firm["ids"]["carol"]]}, token=firm["tokens"]["owner"])
    assert joined.body["earlier_shares"] is None


def test_reshare_grants_the_earlier_files_once(client: Client, firm: dict[str, Any], table: Any) -> None:
    team, files = group_share_setup(client, firm)
    add_members(client, firm, team, "bob", "carol")
    assert not set(files) & visible(client, firm, "carol")
    first = reshare(client, firm, team, "admin")
    assert (first.status, first.body) == (200, {"granted": 3})  # bob the second file, carol both
    assert set(files) <= visible(client, firm, "bob")
    assert set(files) <= visible(client, firm, "carol")
    grants = group_partition(table, firm, "GRANT#")
    audit = group_partition(table, firm, "AUDIT#")
    assert reshare(client, firm, team).body == {"granted": 0}
    assert group_partition(table, firm, "GRANT#") == grants
    assert group_partition(table, firm, "AUDIT#") == audit
    [event] = client.get("/audit?action=group.reshared", token=firm["tokens"]["owner"]).body["items"]
    assert event["actor_id"] == firm["ids"]["admin"]
    assert event["target_id"] == team
    assert event["details"] == {
        "user_ids": sorted([firm["ids"]["bob"], firm["ids"]["carol"]]),
        "fec_ids": sorted(files),
        "granted": 3,
    }
    assert add_members(client, firm, team, "bob", "carol").body["earlier_shares"] is None


def test_reshare_to_listed_members_only(client: Client, firm: dict[str, Any]) -> None:
    team, files = group_share_setup(client, firm)
    add_members(client, firm, team, "bob", "carol")
    assert reshare(client, firm, team, user_ids=[firm["ids"]["carol"]]).body == {"granted": 2}
    assert set(files) <= visible(client, firm, "carol")
    assert files[1] not in visible(client, firm, "bob")


def test_fifty_parallel_reshares_grant_each_file_once(client: Client, firm: dict[str, Any], table: Any) -> None:
    team, files = group_share_setup(client, firm)
    add_members(client, firm, team, "bob", "carol")
    start = threading.Barrier(50)

    def one_reshare(_: int) -> int:
        start.wait()
        reply = reshare(client, firm, team)
        assert reply.status == 200, reply.body
        return int(reply.body["granted"])

    with ThreadPoolExecutor(max_workers=50) as pool:
        granted = list(pool.map(one_reshare, range(50)))
    assert sum(granted) == 3
    events = client.get("/audit?action=group.reshared", token=firm["tokens"]["owner"]).body["items"]
    assert sum(event["details"]["granted"] for event in events) == 3
    assert set(files) <= visible(client, firm, "carol")


def test_reshare_is_for_managers_of_the_account(client: Client, firm: dict[str, Any], table: Any) -> None:
    team, _ = group_share_setup(client, firm)
    add_members(client, firm, team, "carol")
    grants = group_partition(table, firm, "GRANT#")
    assert reshare(client, firm, team, "alice").status == 403
    _, other = signup_confirmed(client)
    stolen = client.post(f"/groups/{team}/reshare", {}, token=other["access_token"])
    assert (stolen.status, stolen.error["code"]) == (404, "group_not_found")
    assert client.post(f"/groups/{team}/reshare", {}).status == 401
    assert group_partition(table, firm, "GRANT#") == grants


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"user_ids": []}, 422, "user_ids"),
        ({"user_ids": "alice"}, 400, "user_ids"),
        ({"user_ids": [""]}, 422, "user_ids.0"),
        ({"user_ids": ["0" * 32]}, 422, "user_ids"),
        ({"group_ids": []}, 422, "group_ids"),
    ],
)
def test_reshare_refuses_bad_input_and_writes_nothing(
    client: Client, firm: dict[str, Any], table: Any, body: dict[str, Any], status: int, field: str
) -> None:
    team, _ = group_share_setup(client, firm)
    add_members(client, firm, team, "carol")
    grants = group_partition(table, firm, "GRANT#")
    reply = reshare(client, firm, team, **body)
    assert (reply.status, reply.error["field"]) == (status, field)
    assert group_partition(table, firm, "GRANT#") == grants


def test_a_listed_user_outside_the_group_is_refused(client: Client, firm: dict[str, Any]) -> None:
    team, _ = group_share_setup(client, firm)
    refused = reshare(client, firm, team, user_ids=[firm["ids"]["bob"]])
    assert (refused.status, refused.error["code"], refused.error["field"]) == (422, "not_a_group_member", "user_ids")


def test_deleting_a_group_forgets_what_was_shared_with_it_not_the_grants(
    client: Client, firm: dict[str, Any], table: Any
) -> None:
    team, files = group_share_setup(client, firm)
    assert len(group_partition(table, firm, f"GROUPFEC#{team}#")) == 2
    assert client.delete(f"/groups/{team}", token=firm["tokens"]["owner"]).status == 204
    follow_ups_done(client)  # the group's record of its shares goes with the deletion's follow-up
    assert group_partition(table, firm, "GROUPFEC#") == []
    assert set(files) <= visible(client, firm, "alice")

"""Sharing a folder (R-FOL-1) over HTTP: a standing grant on every file of the folder, now and later,
to the users chosen and the members of the groups chosen at the time of sharing (R-GRP-2, R-GRP-3)."""

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from comptasecure.store import keys
from tests import seed
from tests.helpers import (
    PASSWORD,
    CallCounter,
    Client,
    Member,
    add_member,
    audit_events,
    follow_ups_done,
    owner_of_new_account,
    partition,
    unique_email,
)

FOLDER = "Clients 2025"


def register(user: Member, folder: str | None = FOLDER, name: str = "732829320FEC20251231.txt") -> str:
    reply = user.client.post("/fecs", {"file_name": name, "folder": folder})
    assert reply.status == 201, reply.body
    return str(reply.body["id"])


def visible(user: Member) -> set[str]:
    seen: set[str] = set()
    cursor = ""
    while True:
        reply = user.client.get(f"/fecs?limit=100{cursor}")
        assert reply.status == 200, reply.body
        seen |= {item["id"] for item in reply.body["items"]}
        if not reply.body["next_cursor"]:
            return seen
        cursor = f"&cursor={reply.body['next_cursor']}"


def share(manager: Member, folder: str = FOLDER, **targets: list[str]) -> Any:
    return manager.client.post("/fecs/folder-shares", {"folder": folder, **targets})


@pytest.fixture
def team(client: Client) -> dict[str, Member]:
    owner = owner_of_new_account(client)
    seed.account_type(owner.account_id, "premium")
    return {
        "owner": owner,
        "admin": add_member(client, owner.account_id, "admin"),
        "member": add_member(client, owner.account_id),
        "newcomer": add_member(client, owner.account_id),
        "outsider": add_member(client, owner.account_id),
    }


def test_a_folder_shared_with_a_group_reaches_its_members_now_and_later_but_not_a_later_member(
    team: dict[str, Member], table: Any
) -> None:
    owner, member, newcomer, outsider = team["owner"], team["member"], team["newcomer"], team["outsider"]
    group = owner.client.post("/groups", {"name": "Mission Dupont", "member_ids": [member.user_id]}).body
    in_folder = {register(owner), register(owner, name="552100554FEC20241231.txt")}
    elsewhere = register(owner, "Autres")

    shared = share(owner, group_ids=[group["id"]])
    assert shared.status == 200, shared.body
    assert shared.body == {"folder": FOLDER, "user_ids": [member.user_id]}
    assert visible(member) == in_folder
    assert visible(outsider) == set()

    added = owner.client.patch(f"/groups/{group['id']}", {"member_ids": [member.user_id, newcomer.user_id]})
    assert added.body["earlier_shares"] == {"fec_count": 0, "member_ids": [newcomer.user_id], "folder_count": 1}
    later = register(owner)
    assert visible(member) == in_folder | {later}  # a file added later reaches the folder's users
    assert visible(newcomer) == set()  # R-GRP-2: joining the group afterwards gives nothing

    reshared = owner.client.post(f"/groups/{group['id']}/reshare", {})
    assert reshared.body == {"granted": 3}
    assert owner.client.post(f"/groups/{group['id']}/reshare", {}).body == {"granted": 0}
    last = register(admin := team["admin"])
    assert visible(newcomer) == in_folder | {later, last}
    assert elsewhere not in visible(member) | visible(newcomer)
    assert owner.client.get(f"/groups/{group['id']}").body["shared_folder_count"] == 1
    folders = {item["folder"]: item for item in owner.client.get("/fecs/folders").body["items"]}
    assert folders[FOLDER] == {
        "folder": FOLDER,
        "fec_count": 4,
        "user_ids": sorted([member.user_id, newcomer.user_id]),
    }
    assert folders["Autres"] == {"folder": "Autres", "fec_count": 1, "user_ids": []}
    assert admin.client.get("/fecs/folders").status == 200
    [event] = audit_events(table, owner.account_id, "folder.shared")
    assert event["details"]["granted_user_ids"] == [member.user_id] and event["details"]["fec_count"] == 2


def test_a_folder_shared_with_users_and_a_file_a_member_adds_to_it(team: dict[str, Member]) -> None:
    owner, member, newcomer = team["owner"], team["member"], team["newcomer"]
    first = register(owner)
    assert share(owner, user_ids=[member.user_id, newcomer.user_id]).status == 200
    theirs = register(member)  # a member imports into the shared folder: the others see it too
    assert visible(newcomer) == {first, theirs}
    assert visible(member) == {first, theirs}


def test_sharing_a_folder_is_for_the_owner_and_admins(team: dict[str, Member]) -> None:
    register(team["member"])
    refused = share(team["member"], user_ids=[team["newcomer"].user_id])
    assert refused.status == 403 and refused.error["code"] == "forbidden"
    assert team["member"].client.get("/fecs/folders").status == 403
    assert share(team["admin"], user_ids=[team["newcomer"].user_id]).status == 200


def test_a_folder_no_file_names_is_not_found_nor_another_accounts(client: Client, team: dict[str, Member]) -> None:
    owner, member = team["owner"], team["member"]
    stranger = owner_of_new_account(client)
    register(stranger, "Dossier de l'autre cabinet")
    for folder in ("Inconnu", "Dossier de l'autre cabinet"):
        reply = share(owner, folder, user_ids=[member.user_id])
        assert reply.status == 404 and reply.error == {
            "code": "folder_not_found",
            "message": "Dossier introuvable.",
            "field": "folder",
        }
    assert owner.client.get("/fecs/folders").body["items"] == []


def test_another_accounts_users_and_groups_are_not_found(client: Client, team: dict[str, Member]) -> None:
    owner = team["owner"]
    stranger = owner_of_new_account(client)
    their_group = stranger.client.post("/groups", {"name": "Autre", "member_ids": [stranger.user_id]}).body["id"]
    register(owner)
    users = share(owner, user_ids=[stranger.user_id])
    groups = share(owner, group_ids=[their_group])
    assert (users.status, users.error["code"], users.error["field"]) == (404, "user_not_found", "user_ids")
    assert (groups.status, groups.error["code"], groups.error["field"]) == (404, "group_not_found", "group_ids")
    assert visible(stranger) == set()


def test_folder_names_never_reach_into_each_other(team: dict[str, Member]) -> None:
    owner, member = team["owner"], team["member"]
    register(owner, "a")
    other = register(owner, "a#b")
    assert share(owner, "a", user_ids=[member.user_id]).status == 200
    assert other not in visible(member) and len(visible(member)) == 1


def test_a_large_folder_is_granted_by_a_follow_up(client: Client, team: dict[str, Member], table: Any) -> None:
    """More grants than one transaction holds: the answer comes at once, the grants follow."""
    owner, member, newcomer = team["owner"], team["member"], team["newcomer"]
    files = {register(owner, name=f"732829320FEC2025{n:04d}.txt") for n in range(60)}
    assert share(owner, user_ids=[member.user_id, newcomer.user_id]).status == 200
    follow_ups_done(client)
    assert visible(member) == files and visible(newcomer) == files
    assert partition(table, owner.account_id, keys.outbox_sk("")) == []


def test_a_folder_shared_with_many_users_grants_a_new_file_by_a_follow_up(
    client: Client, team: dict[str, Member], table: Any
) -> None:
    owner = team["owner"]
    many = []
    for _ in range(96):  # past the seed's 50 users: its counter set back, as an Entreprise account has room
        table.update_item(
            Key=keys.key(keys.account_pk(owner.account_id), keys.ACCOUNT_META),
            UpdateExpression="SET user_count = :n",
            ExpressionAttributeValues={":n": 6},
        )
        many.append(
            seed.user(owner.account_id, email=unique_email("m"), role="member", status="active", password=PASSWORD)
        )
    register(owner)
    assert share(owner, user_ids=many).status == 200
    added = register(owner)
    follow_ups_done(client)
    last = Member.logged_in(client, many[-1], _email_of(client, owner, many[-1]), owner.account_id, "member")
    assert added in visible(last) and len(visible(last)) == 2


def _email_of(client: Client, owner: Member, user_id: str) -> str:
    rows = owner.client.get("/users?limit=100").body["items"]
    return str(next(row["email"] for row in rows if row["id"] == user_id))


def test_files_registered_while_the_folder_is_shared_all_reach_its_users(
    client: Client, team: dict[str, Member]
) -> None:
    """A share and 20 registrations into the folder at once: whichever commits first, the folder's new
    user sees every file (each side conditions its write on what the other moves)."""
    owner, member = team["owner"], team["member"]
    first = register(owner)
    with ThreadPoolExecutor(max_workers=8) as pool:
        shared = pool.submit(share, owner, user_ids=[member.user_id])
        registered = list(pool.map(lambda n: register(owner, name=f"732829320FEC2026{n:04d}.txt"), range(20)))
    assert shared.result().status == 200, shared.result().body
    follow_ups_done(client)
    assert visible(member) == {first, *registered}


def test_a_keyed_retry_of_a_folder_share_gets_the_first_answer(team: dict[str, Member], table: Any) -> None:
    owner, member = team["owner"], team["member"]
    register(owner)
    first = owner.client.post(
        "/fecs/folder-shares", {"folder": FOLDER, "user_ids": [member.user_id]}, idempotency_key="f1"
    )
    again = owner.client.post(
        "/fecs/folder-shares", {"folder": FOLDER, "user_ids": [member.user_id]}, idempotency_key="f1"
    )
    assert first.body == again.body and again.headers["Idempotent-Replayed"] == "true"
    assert len(audit_events(table, owner.account_id, "folder.shared")) == 1


def test_a_removed_user_leaves_the_folders_shared_with_them(client: Client, team: dict[str, Member]) -> None:
    owner, member = team["owner"], team["member"]
    register(owner)
    share(owner, user_ids=[member.user_id, team["newcomer"].user_id])
    assert owner.client.delete(f"/users/{member.user_id}").status == 204
    follow_ups_done(client)
    [folder] = owner.client.get("/fecs/folders").body["items"]
    assert folder["user_ids"] == [team["newcomer"].user_id]


def test_the_files_list_is_one_query_and_one_batch_get_per_page_whatever_the_folders(
    client: Client, team: dict[str, Member]
) -> None:
    owner, member = team["owner"], team["member"]
    for n in range(12):
        register(owner, f"Dossier {n:02d}")
        register(owner, f"Dossier {n:02d}", name="552100554FEC20241231.txt")
        assert share(owner, f"Dossier {n:02d}", user_ids=[member.user_id]).status == 200
    with CallCounter("ListFecsFunction") as counter:
        page = member.client.get("/fecs?limit=10")
    assert len(page.body["items"]) == 10
    assert dict(counter.calls) == {"Query": 1, "BatchGetItem": 1}
    assert len(visible(member)) == 24


def test_folders_are_listed_page_by_page(team: dict[str, Member]) -> None:
    owner = team["owner"]
    register(owner, "Dossier A")
    register(owner, "Dossier B")
    first = owner.client.get("/fecs/folders?limit=1").body
    assert len(first["items"]) == 1 and first["next_cursor"]
    rest = owner.client.get(f"/fecs/folders?limit=1&cursor={first['next_cursor']}").body
    assert {first["items"][0]["folder"], rest["items"][0]["folder"]} == {"Dossier A", "Dossier B"}
    assert team["admin"].client.get(f"/fecs/folders?limit=1&cursor={first['next_cursor']}").status == 200
    stranger_cursor = team["member"].client.get(f"/fecs/folders?cursor={first['next_cursor']}")
    assert stranger_cursor.status == 403


def test_a_keyed_retry_of_a_file_share_gets_the_first_answer(team: dict[str, Member], table: Any) -> None:
    """POST /fecs/{id}/shares keeps its Idempotency-Key record (an UpdateItem its role needs: it answered 500)."""
    owner, member = team["owner"], team["member"]
    fec_id = register(owner)
    body = {"user_ids": [member.user_id]}
    first = owner.client.post(f"/fecs/{fec_id}/shares", body, idempotency_key="share-1")
    again = owner.client.post(f"/fecs/{fec_id}/shares", body, idempotency_key="share-1")
    assert (first.status, again.status) == (200, 200) and again.headers["Idempotent-Replayed"] == "true"
    assert first.body == again.body == {"user_ids": [member.user_id]}
    assert len(audit_events(table, owner.account_id, "fec.shared")) == 1

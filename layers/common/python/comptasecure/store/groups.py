"""Groups: the group item (name, members), its name claim, and the users' side of each membership."""

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any, cast

from boto3.dynamodb.conditions import Key

from comptasecure import aws
from comptasecure.errors import DomainError
from comptasecure.store import keys, pages
from comptasecure.store.batch import get_many
from comptasecure.store.records import Group
from comptasecure.store.transaction import MAX_TRANSACTION_ITEMS, Transaction
from comptasecure.store.values import plain


def get(account_id: str, group_id: str) -> Group | None:
    item = aws.table().get_item(Key=keys.key(keys.account_pk(account_id), keys.group_sk(group_id))).get("Item")
    return None if item is None else cast(Group, plain(item))


def get_many_in(account_id: str, group_ids: Sequence[str]) -> list[Group]:
    """The groups of this account among these ids; ids of other accounts are simply not found."""
    wanted = [keys.key(keys.account_pk(account_id), keys.group_sk(group_id)) for group_id in dict.fromkeys(group_ids)]
    return [cast(Group, plain(item)) for item in get_many(wanted)]


def page(account_id: str, limit: int, start_key: dict[str, Any] | None) -> tuple[list[Group], dict[str, Any] | None]:
    """One page of the account's groups; a start key may only continue them (else InvalidCursor)."""
    items, last_key = pages.query(keys.account_pk(account_id), keys.group_sk(), limit, start_key)
    return [cast(Group, plain(item)) for item in items], last_key


def put_new(
    tx: Transaction, group: Group, max_groups: int, *, on_quota_reached: DomainError, on_name_taken: DomainError
) -> None:
    account = keys.account_pk(group["account_id"])
    tx.update(
        keys.key(account, keys.ACCOUNT_META),
        "ADD group_count :one",
        condition="attribute_not_exists(group_count) OR group_count < :max",
        values={":one": 1, ":max": max_groups},
        on_condition_failed=on_quota_reached,
    )
    claim_name(tx, group["account_id"], group["name"], group["id"], on_taken=on_name_taken)
    item = {**keys.key(account, keys.group_sk(group["id"])), "kind": "group", **group}
    item["member_ids"] = set(group["member_ids"]) or None
    tx.put({name: value for name, value in item.items() if value is not None}, condition="attribute_not_exists(PK)")


def claim_name(tx: Transaction, account_id: str, name: str, group_id: str, *, on_taken: DomainError) -> None:
    tx.put(
        {**keys.key(keys.account_pk(account_id), keys.group_name_sk(name)), "kind": "group_name", "group_id": group_id},
        condition="attribute_not_exists(PK)",
        on_condition_failed=on_taken,
    )


def release_name(tx: Transaction, account_id: str, name: str) -> None:
    tx.delete(keys.key(keys.account_pk(account_id), keys.group_name_sk(name)))


def update(
    tx: Transaction,
    account_id: str,
    group: Group,
    *,
    name: str | None,
    member_ids: Collection[str],
    on_changed: DomainError | None,
) -> None:
    """The group's side of an edit, only if nobody changed the group since it was read."""
    assignments = ["member_count = :count", "version = :next"]
    values: dict[str, Any] = {":count": len(member_ids), ":next": int(group.get("version", 0)) + 1}
    names: dict[str, str] = {}
    if name is not None:
        assignments.append("#name = :name")
        names["#name"] = "name"
        values[":name"] = name
    if member_ids:
        assignments.append("member_ids = :members")
        values[":members"] = set(member_ids)
    expression = "SET " + ", ".join(assignments) + ("" if member_ids else " REMOVE member_ids")
    tx.update(
        keys.key(keys.account_pk(account_id), keys.group_sk(group["id"])),
        expression,
        condition=_unchanged_since_read(group, values),
        names=names or None,
        values=values,
        on_condition_failed=on_changed,
    )


def _unchanged_since_read(group: Group, values: dict[str, Any]) -> str:
    """The condition that the group item still exists at the version it was read (adds ``:version``)."""
    if "version" in group:
        values[":version"] = group["version"]
        return "version = :version"
    return "attribute_exists(PK) AND attribute_not_exists(version)"


def join(tx: Transaction, account_id: str, user_id: str, group_id: str, *, on_missing_user: DomainError) -> None:
    """The user's side of a membership, so the users table lists the user's groups without a scan."""
    tx.update(
        keys.key(keys.account_pk(account_id), keys.user_sk(user_id)),
        "ADD group_ids :group",
        condition="attribute_exists(PK)",
        values={":group": {group_id}},
        on_condition_failed=on_missing_user,
    )


def leave(
    tx: Transaction, account_id: str, user_id: str, group_id: str, *, on_missing_user: DomainError | None
) -> None:
    """The user's side of a membership ended. Only while the user exists: an update of a user removed
    meanwhile would create their item again, keys only (``on_missing_user``, or ``commit_or_failed``)."""
    tx.update(
        keys.key(keys.account_pk(account_id), keys.user_sk(user_id)),
        "DELETE group_ids :group",
        condition="attribute_exists(PK)",
        values={":group": {group_id}},
        on_condition_failed=on_missing_user,
    )


def delete(tx: Transaction, account_id: str, group: Group, *, on_changed: DomainError) -> None:
    """Delete the group as it was read: a member added meanwhile would otherwise keep pointing at it."""
    account = keys.account_pk(account_id)
    values: dict[str, Any] = {}
    condition = _unchanged_since_read(group, values)
    tx.delete(
        keys.key(account, keys.group_sk(group["id"])),
        condition=condition,
        values=values or None,
        on_condition_failed=on_changed,
    )
    release_name(tx, account_id, group["name"])
    tx.update(keys.key(account, keys.ACCOUNT_META), "ADD group_count :minus_one", values={":minus_one": -1})


def drop_member(tx: Transaction, account_id: str, group_id: str, user_id: str, *, on_changed: DomainError) -> None:
    """The group's side when a user is deleted (the user's own item goes away with the user).

    It is a new version of the group, so an edit prepared from the old member list cannot bring the
    deleted user back.
    """
    tx.update(
        keys.key(keys.account_pk(account_id), keys.group_sk(group_id)),
        "SET version = if_not_exists(version, :zero) + :one DELETE member_ids :user ADD member_count :minus_one",
        condition="contains(member_ids, :id)",
        values={":user": {user_id}, ":minus_one": -1, ":id": user_id, ":zero": 0, ":one": 1},
        on_condition_failed=on_changed,
    )


def record_share(tx: Transaction, account_id: str, group_id: str, fec_id: str, shared_by: str, at: str) -> None:
    """Remember that a file was shared with the group (R-GRP-3): what a re-share grants again.

    Sharing the same file again rewrites the same item, so the group's count of files stays right.
    """
    tx.put(
        {
            **keys.key(keys.account_pk(account_id), keys.group_fec_sk(group_id, fec_id)),
            "kind": "group_share",
            "group_id": group_id,
            "fec_id": fec_id,
            "shared_by": shared_by,
            "shared_at": at,
        }
    )


@dataclass(frozen=True)
class Shares:
    """What was shared with a group so far: files, and folders (R-GRP-3)."""

    fec_ids: list[str]
    folders: dict[str, str]
    """The folders' names, by folder key."""


def shares(account_id: str, group_id: str) -> Shares:
    """Every file and folder shared with the group so far: one Query (paged), files and folders being
    recorded under one prefix."""
    fec_ids: list[str] = []
    folders: dict[str, str] = {}
    folder_prefix = keys.group_folder_sk(group_id)
    for item in _shares(account_id, group_id, "SK, fec_id, folder"):
        sk = str(item["SK"])
        if sk.startswith(folder_prefix):
            folders[sk.removeprefix(folder_prefix)] = str(item["folder"])
        else:
            fec_ids.append(str(item["fec_id"]))
    return Shares(fec_ids, folders)


def forget_shares(account_id: str, group_id: str) -> None:
    """A deleted group's record of files and folders shared with it (the grants themselves stay with the users)."""
    found = _shares(account_id, group_id, "PK, SK")
    for start in range(0, len(found), MAX_TRANSACTION_ITEMS):
        tx = Transaction()
        for item in found[start : start + MAX_TRANSACTION_ITEMS]:
            tx.delete({"PK": item["PK"], "SK": item["SK"]})
        tx.commit()


def _shares_of(account_id: str, group_id: str) -> Any:
    return Key("PK").eq(keys.account_pk(account_id)) & Key("SK").begins_with(keys.group_fec_sk(group_id))


def _shares(account_id: str, group_id: str, projection: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    query: dict[str, Any] = {
        "KeyConditionExpression": _shares_of(account_id, group_id),
        "ProjectionExpression": projection,
    }
    while True:
        response = aws.table().query(**query)
        found.extend(plain(item) for item in response.get("Items", []))
        if "LastEvaluatedKey" not in response:
            return found
        query["ExclusiveStartKey"] = response["LastEvaluatedKey"]

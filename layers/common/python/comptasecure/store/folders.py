"""FEC folders (R-FOL-1): the folder item (its files counted, who it is shared with), the list of its
files, and the record of a folder shared with a group (key design in store/keys.py)."""

import hashlib
from collections.abc import Sequence
from typing import Any, cast

from boto3.dynamodb.conditions import Key

from comptasecure import aws
from comptasecure.errors import FolderChanged
from comptasecure.store import keys, pages
from comptasecure.store.batch import get_many
from comptasecure.store.records import Folder
from comptasecure.store.transaction import Transaction
from comptasecure.store.values import plain


def folder_key(folder: str) -> str:
    """A folder's key: the SHA-256 of its name (so no name can reach into another folder's keys)."""
    return hashlib.sha256(folder.encode()).hexdigest()


def _folder_key(account_id: str, key: str) -> dict[str, str]:
    return keys.key(keys.account_pk(account_id), keys.folder_sk(key))


def get(account_id: str, folder: str) -> Folder | None:
    item = aws.table().get_item(Key=_folder_key(account_id, folder_key(folder)), ConsistentRead=True).get("Item")
    return None if item is None else cast(Folder, plain(item))


def get_many_in(account_id: str, folder_keys: Sequence[str]) -> dict[str, Folder]:
    """The account's folders among these keys, by key."""
    wanted = [_folder_key(account_id, key) for key in dict.fromkeys(folder_keys)]
    return {str(item["SK"]).removeprefix(keys.folder_sk()): cast(Folder, plain(item)) for item in get_many(wanted)}


def add_file(tx: Transaction, account_id: str, folder: str, fec_id: str, seen: Folder | None) -> None:
    """The file joins its folder (created by its first file), if nobody shared the folder since ``seen``
    was read: a share committed meanwhile raises FolderChanged, and the registration reads it again."""
    key = folder_key(folder)
    tx.put(
        {
            **keys.key(keys.account_pk(account_id), keys.folder_fec_sk(key, fec_id)),
            "kind": "folder_fec",
            "fec_id": fec_id,
        }
    )
    values: dict[str, Any] = {":folder": folder, ":zero": 0, ":one": 1}
    if seen is None:
        condition = "attribute_not_exists(PK)"
    else:
        condition = "share_version = :version"
        values[":version"] = seen.get("share_version", 0)
    tx.update(
        _folder_key(account_id, key),
        "SET folder = :folder, kind = :kind, share_version = if_not_exists(share_version, :zero) ADD fec_count :one",
        condition=condition,
        values={**values, ":kind": "folder"},
        on_condition_failed=FolderChanged(),
    )


def file_ids(account_id: str, key: str) -> list[str]:
    """Every file of the folder (a consistent Query of its file items, paged)."""
    found: list[str] = []
    query: dict[str, Any] = {
        "KeyConditionExpression": Key("PK").eq(keys.account_pk(account_id))
        & Key("SK").begins_with(keys.folder_fec_sk(key)),
        "ProjectionExpression": "fec_id",
        "ConsistentRead": True,
    }
    while True:
        response = aws.table().query(**query)
        found.extend(str(item["fec_id"]) for item in response.get("Items", []))
        if "LastEvaluatedKey" not in response:
            return found
        query["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def share(tx: Transaction, account_id: str, key: str, user_ids: Sequence[str], *, fec_count: int | None) -> None:
    """The folder's standing grant to these users, moving its ``share_version`` (a file registered from
    an older read is refused); with ``fec_count``, only while the folder still has that many files (the
    grants written beside it cover them all)."""
    condition = "attribute_exists(PK)"
    values: dict[str, Any] = {":users": set(user_ids), ":one": 1, ":zero": 0}
    if fec_count is not None:
        condition += " AND fec_count = :count"
        values[":count"] = fec_count
    tx.update(
        _folder_key(account_id, key),
        "SET share_version = if_not_exists(share_version, :zero) + :one ADD user_ids :users",
        condition=condition,
        values=values,
        on_condition_failed=FolderChanged(),
    )


def record_group_share(
    tx: Transaction, account_id: str, group_id: str, key: str, folder: str, shared_by: str, at: str
) -> None:
    """Remember that the folder was shared with the group (R-GRP-3), beside the files shared with it."""
    tx.put(
        {
            **keys.key(keys.account_pk(account_id), keys.group_folder_sk(group_id, key)),
            "kind": "group_share",
            "group_id": group_id,
            "folder": folder,
            "shared_by": shared_by,
            "shared_at": at,
        }
    )


def page(account_id: str, limit: int, start_key: dict[str, Any] | None) -> tuple[list[Folder], dict[str, Any] | None]:
    """One page of the account's folders: one Query on ``FOLDER#``."""
    items, last_key = pages.query(keys.account_pk(account_id), keys.folder_sk(), limit, start_key)
    return [cast(Folder, plain(item)) for item in items], last_key


def forget_user(account_id: str, user_id: str) -> None:
    """A removed user leaves every folder shared with them (their grants go with them)."""
    start: dict[str, Any] | None = None
    while True:
        folders, start = page(account_id, 100, start)
        for folder in folders:
            if user_id in (folder.get("user_ids") or ()):
                aws.table().update_item(
                    Key=_folder_key(account_id, folder_key(folder["folder"])),
                    UpdateExpression="DELETE user_ids :user",
                    ExpressionAttributeValues={":user": {user_id}},
                )
        if not start:
            return

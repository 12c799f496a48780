"""FEC folders (SPEC R-FOL-1): sharing a folder is a standing grant on it.

The users chosen, and the members of the groups chosen *at the time of sharing* (R-GRP-2), see every
file of the folder: those in it now, and those registered in it later. The grant is materialised as
one ``GRANT#`` item per user and file, so "the files I may open" stays one Query on my grants whatever
the number of folders shared with me (store/keys.py). A share writes the folder's standing grant and
the grants of its files in one transaction when they fit (conditioned on the folder's file count, so a
file registered meanwhile makes it read again); past that, the grants of the files already there are
an outbox follow-up of the same transaction, and each file registered from then on grants the
folder's users itself, in its own transaction (conditioned on the folder's share version). A share
that finds files arriving while it decides takes the second way: it no longer depends on the count.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from comptasecure import clock
from comptasecure.domain import account_scope, audit_log, follow_ups
from comptasecure.errors import FolderChanged, FolderNotFound, TooManyGroups
from comptasecure.idempotency import NOTHING, replayable
from comptasecure.store import fecs as fec_store
from comptasecure.store import folders as folder_store
from comptasecure.store.records import Folder
from comptasecure.store.transaction import MAX_TRANSACTION_ITEMS, Transaction

# A registration retried this many times because the folder kept being shared meanwhile gives up (409).
ATTEMPTS = 4
# One share writes the folder, one record per group, its audit event and a follow-up: the groups of one
# share must leave room for them.
MAX_GROUPS = MAX_TRANSACTION_ITEMS - 3


@dataclass(frozen=True)
class FolderView:
    folder: str
    fec_count: int
    user_ids: list[str]


@dataclass(frozen=True)
class FolderShare:
    folder: str
    user_ids: list[str]


def view_of(folder: Folder) -> FolderView:
    return FolderView(folder["folder"], int(folder["fec_count"]), sorted(folder.get("user_ids") or []))


def page(
    account_id: str, limit: int, start_key: dict[str, Any] | None
) -> tuple[list[FolderView], dict[str, Any] | None]:
    """The account's folders with their file count and who they are shared with: one Query per page."""
    items, last_key = folder_store.page(account_id, limit, start_key)
    return [view_of(item) for item in items], last_key


@replayable
def share(
    account_id: str, sharer: audit_log.Actor, folder: str, user_ids: Sequence[str], group_ids: Sequence[str]
) -> FolderShare:
    """Share the folder with these users and the groups' members of this moment; 404 when no file names it."""
    if len(set(group_ids)) > MAX_GROUPS:
        raise TooManyGroups(limit=MAX_GROUPS)
    account_scope.users_of_account(account_id, user_ids, "user_ids")
    groups = account_scope.groups_of_account(account_id, group_ids, "group_ids")
    granted = sorted(set(user_ids) | {member for group in groups for member in group.get("member_ids") or []})
    key = folder_store.folder_key(folder)
    now = clock.iso(clock.now())
    shared = FolderShare(folder, granted)

    def records(tx: Transaction, fec_ids: list[str]) -> None:
        for group in groups:
            folder_store.record_group_share(tx, account_id, group["id"], key, folder, sharer.id, now)
        audit_log.record(
            tx,
            account_id,
            sharer,
            "folder.shared",
            target_type="folder",
            target_id=key,
            details={
                "folder": folder,
                "user_ids": sorted(user_ids),
                "group_ids": sorted(group_ids),
                "granted_user_ids": granted,
                "fec_count": len(fec_ids),
            },
        )

    open_to(account_id, sharer.id, key, granted, records, lambda _: shared)
    return shared


def open_to(
    account_id: str,
    granted_by: str,
    key: str,
    user_ids: Sequence[str],
    also: Callable[[Transaction, list[str]], None],
    answer: Callable[[list[str]], Any] = lambda _: NOTHING,
) -> list[str]:
    """The folder's standing grant to these users, with the grants of its files, in one transaction with
    what ``also`` adds (records, the audit event) and the operation's ``answer``; returns its files.

    When a file was registered meanwhile, read again and leave the files' grants to a follow-up (which
    reads the files after this commit); 404 when the folder has no file (it does not exist).
    """
    files_arriving = False
    while True:
        fec_ids = folder_store.file_ids(account_id, key)
        if not fec_ids:
            raise FolderNotFound()
        tx = Transaction()
        also(tx, fec_ids)
        pairs = [(user_id, fec_id) for user_id in user_ids for fec_id in fec_ids]
        inline = not files_arriving and len(pairs) <= MAX_TRANSACTION_ITEMS - len(tx) - 1
        folder_store.share(tx, account_id, key, user_ids, fec_count=len(fec_ids) if inline else None)
        if inline:
            now = clock.iso(clock.now())
            for user_id, fec_id in pairs:
                fec_store.grant(tx, account_id, user_id, fec_id, granted_by, now)
        else:
            follow_ups.grant_folder(tx, account_id, key, user_ids, granted_by)
        try:
            tx.commit(answer=answer(fec_ids))
            return fec_ids
        except FolderChanged:
            if not inline:
                raise  # only the count can change under a share: the folder is gone, which cannot be
            files_arriving = True


def add_file(
    tx: Transaction, account_id: str, folder: str, fec_id: str, importer_id: str, seen: Folder | None, at: str
) -> None:
    """A new file of the folder, in its registration's transaction: the folder's users (as ``seen``) are
    granted it there when they fit, else by a follow-up of the same transaction."""
    folder_store.add_file(tx, account_id, folder, fec_id, seen)
    holders = sorted(set(seen.get("user_ids") or [] if seen else []) - {importer_id})
    if len(holders) <= MAX_TRANSACTION_ITEMS - len(tx):
        for user_id in holders:
            fec_store.grant(tx, account_id, user_id, fec_id, importer_id, at)
    else:
        follow_ups.grant_folder(tx, account_id, folder_store.folder_key(folder), holders, importer_id, fec_id=fec_id)

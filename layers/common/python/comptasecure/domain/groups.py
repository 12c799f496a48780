"""Groups of users (SPEC R-GRP-1): named sets of one account's users, used to share FEC files."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from comptasecure import clock
from comptasecure.domain import account_scope, audit_log, folders, follow_ups
from comptasecure.domain.catalogue import catalogue
from comptasecure.domain.membership import MANAGERS
from comptasecure.errors import (
    Conflict,
    GroupChanged,
    GroupNameTaken,
    GroupNotFound,
    GroupQuotaReached,
    InvalidInput,
    NotAGroupMember,
    NotFound,
    TooManyMembers,
    UserNotFound,
)
from comptasecure.idempotency import NOTHING, replayable
from comptasecure.store import accounts as account_store
from comptasecure.store import fecs as fec_store
from comptasecure.store import folders as folder_store
from comptasecure.store import groups as group_store
from comptasecure.store.records import Group, User
from comptasecure.store.transaction import MAX_TRANSACTION_ITEMS, Transaction

# A change writes the group, two name claims, two audit events and one item per member moved.
MAX_MEMBERS_CHANGED = MAX_TRANSACTION_ITEMS - 5
# A delete that finds the group edited since it read it reads it again (the members may have changed).
DELETE_ATTEMPTS = 3


def group_not_found() -> NotFound:
    return GroupNotFound()


def too_many_members() -> InvalidInput:
    return TooManyMembers(limit=MAX_MEMBERS_CHANGED)


@dataclass(frozen=True)
class GroupSummary:
    id: str
    name: str
    member_ids: list[str]
    member_count: int


@dataclass(frozen=True)
class EarlierShares:
    """Files and folders shared with the group before some members joined, which those members do not see."""

    fec_count: int
    member_ids: list[str]
    folder_count: int = 0


@dataclass(frozen=True)
class GroupDetail(GroupSummary):
    shared_fec_count: int
    earlier_shares: EarlierShares | None = None
    shared_folder_count: int = 0


@dataclass(frozen=True)
class GroupRef:
    id: str
    name: str


def summary(group: Group) -> GroupSummary:
    member_ids = sorted(group.get("member_ids") or [])
    return GroupSummary(group["id"], group["name"], member_ids, len(member_ids))


def page(
    account_id: str, limit: int, start_key: dict[str, Any] | None
) -> tuple[list[GroupSummary], dict[str, Any] | None]:
    """One Query per page; the member count is kept on each group item."""
    items, last_key = group_store.page(account_id, limit, start_key)
    return [summary(item) for item in items], last_key


def get(account_id: str, group_id: str) -> GroupDetail:
    """The group with how many files and folders were shared with it so far (R-GRP-3)."""
    group = _existing(account_id, group_id)
    return _detail(group, group_store.shares(account_id, group_id))


@replayable
def create(account_id: str, actor: audit_log.Actor, name: str, member_ids: Sequence[str]) -> GroupDetail:
    """A new group; its name is unique in the account whatever the case, within the type's group limit."""
    wanted = sorted(set(member_ids))
    if len(wanted) > MAX_MEMBERS_CHANGED:
        raise too_many_members()
    account_scope.users_of_account(account_id, wanted, "member_ids")
    max_groups = catalogue().get(account_store.get(account_id)["type_id"]).limits.get("max_groups", 0)
    group_id = uuid.uuid4().hex
    group: Group = {
        "id": group_id,
        "account_id": account_id,
        "name": name,
        "member_ids": wanted,
        "member_count": len(wanted),
    }
    tx = Transaction()
    group_store.put_new(
        tx,
        group,
        max_groups,
        on_quota_reached=GroupQuotaReached(),
        on_name_taken=_name_taken(),
    )
    for user_id in wanted:
        group_store.join(tx, account_id, user_id, group_id, on_missing_user=_member_not_found())
    audit_log.record(
        tx,
        account_id,
        actor,
        "group.created",
        target_type="group",
        target_id=group_id,
        details={"name": name, "member_ids": wanted},
    )
    created = _detail(group, group_store.Shares([], {}))
    tx.commit(answer=created)
    return created


def update(
    account_id: str, actor: audit_log.Actor, group_id: str, name: str | None, member_ids: Sequence[str] | None
) -> GroupDetail:
    """Rename and/or replace the members. Adding a member does not share earlier FEC files (R-GRP-2).

    The answer says which added members do not see files shared with the group before
    (``earlier_shares``, R-GRP-3), so the admin can re-share them.
    """
    group = _existing(account_id, group_id)
    before = set(group.get("member_ids") or [])
    after = before if member_ids is None else set(member_ids)
    added, removed = after - before, before - after
    if len(added) + len(removed) > MAX_MEMBERS_CHANGED:
        raise too_many_members()
    newcomers = account_scope.users_of_account(account_id, sorted(added), "member_ids")
    new_name = name if name is not None and name != group["name"] else None
    tx = Transaction()
    if new_name is not None and new_name.casefold() != group["name"].casefold():
        group_store.claim_name(tx, account_id, new_name, group_id, on_taken=_name_taken())
        group_store.release_name(tx, account_id, group["name"])
    group_store.update(tx, account_id, group, name=new_name, member_ids=after, on_changed=GroupChanged())
    for user_id in sorted(added):
        group_store.join(tx, account_id, user_id, group_id, on_missing_user=_member_not_found())
    for user_id in sorted(removed):
        # A member removed from the account meanwhile changed the group too: reload it.
        group_store.leave(tx, account_id, user_id, group_id, on_missing_user=GroupChanged())
    if new_name is not None:
        audit_log.record(
            tx,
            account_id,
            actor,
            "group.renamed",
            target_type="group",
            target_id=group_id,
            details={"name": {"before": group["name"], "after": new_name}},
        )
    if added or removed:
        audit_log.record(
            tx,
            account_id,
            actor,
            "group.members_changed",
            target_type="group",
            target_id=group_id,
            details={"added": sorted(added), "removed": sorted(removed)},
        )
    tx.commit()
    shared = group_store.shares(account_id, group_id)
    updated: Group = {**group, "name": new_name or group["name"], "member_ids": sorted(after)}
    return _detail(updated, shared, _unseen_by(account_id, newcomers, shared))


def _unseen_by(account_id: str, newcomers: list[User], shared: group_store.Shares) -> EarlierShares | None:
    """Which newcomers do not see files or folders shared with the group earlier, and how many.

    Owner and admins open every file of the account, so only members can miss one.
    """
    unseen: set[str] = set()
    unseen_folders: set[str] = set()
    missing_members = []
    members_only = [user for user in newcomers if user["role"] not in MANAGERS]
    folders_now = folder_store.get_many_in(account_id, list(shared.folders)) if shared.folders and members_only else {}
    for user in sorted(members_only if shared.fec_ids or shared.folders else [], key=lambda user: user["id"]):
        missing = set(shared.fec_ids) - fec_store.granted_fec_ids(account_id, user["id"]) if shared.fec_ids else set()
        folders_missed = {
            key for key, folder in folders_now.items() if user["id"] not in (folder.get("user_ids") or [])
        }
        if missing or folders_missed:
            unseen |= missing
            unseen_folders |= folders_missed
            missing_members.append(user["id"])
    return EarlierShares(len(unseen), missing_members, len(unseen_folders)) if missing_members else None


@replayable
def reshare(account_id: str, actor: audit_log.Actor, group_id: str, user_ids: Sequence[str] | None) -> int:
    """Grant the files shared with the group so far to its current members (or those listed), once, and
    the folders shared with it (their files, and those added later).

    Each grant is written only if it does not exist, in transactions that carry their audit event, so
    a second call, or a concurrent one, grants nothing twice. Returns how many grants were made.
    """
    group = _existing(account_id, group_id)
    current = set(group.get("member_ids") or [])
    if user_ids is not None and not set(user_ids) <= current:
        raise NotAGroupMember()
    shared = group_store.shares(account_id, group_id)
    targets = sorted(current if user_ids is None else set(user_ids))
    has = {user_id: fec_store.granted_fec_ids(account_id, user_id) for user_id in targets} if shared.fec_ids else {}
    missing = [(user_id, fec_id) for user_id in has for fec_id in sorted(set(shared.fec_ids) - has[user_id])]
    # Folders shared with the group: their standing grant to the targets not holding it yet (R-FOL-1).
    folders_now = folder_store.get_many_in(account_id, list(shared.folders)) if shared.folders else {}
    openings = [
        (key, newcomers)
        for key, folder in sorted(folders_now.items())
        if (newcomers := [user_id for user_id in targets if user_id not in (folder.get("user_ids") or [])])
    ]
    chunk = MAX_TRANSACTION_ITEMS - 1
    granted = 0
    for start in range(0, len(missing), chunk):
        last = start + chunk >= len(missing) and not openings
        granted += _grant_once(account_id, actor, group_id, missing[start : start + chunk], granted, last=last)
    for user_id, fec_id in missing:
        has.setdefault(user_id, set()).add(fec_id)
    for key, newcomers in openings:
        last = key == openings[-1][0]
        granted += _open_folder(account_id, actor, group_id, (key, shared.folders[key]), newcomers, has, granted, last)
    return granted


def _open_folder(
    account_id: str,
    actor: audit_log.Actor,
    group_id: str,
    folder: tuple[str, str],
    newcomers: list[str],
    has: dict[str, set[str]],
    granted_before: int,
    last: bool,
) -> int:
    """A folder shared with the group, shared now with members who joined since; returns the grants it
    opens (files of the folder they did not have). The last step carries the re-share's answer."""
    key, name = folder
    if any(user_id not in has for user_id in newcomers):
        has.update({user_id: fec_store.granted_fec_ids(account_id, user_id) for user_id in newcomers})

    def opened(fec_ids: list[str]) -> int:
        return sum(1 for user_id in newcomers for fec_id in fec_ids if fec_id not in has[user_id])

    def audit(tx: Transaction, fec_ids: list[str]) -> None:
        audit_log.record(
            tx,
            account_id,
            actor,
            "group.reshared",
            target_type="group",
            target_id=group_id,
            details={"folder": name, "user_ids": newcomers, "granted": opened(fec_ids)},
        )

    fec_ids = folders.open_to(
        account_id,
        actor.id,
        key,
        newcomers,
        audit,
        answer=lambda fec_ids: granted_before + opened(fec_ids) if last else NOTHING,
    )
    return opened(fec_ids)


def _grant_once(
    account_id: str,
    actor: audit_log.Actor,
    group_id: str,
    pairs: list[tuple[str, str]],
    granted_before: int,
    *,
    last: bool,
) -> int:
    """Write the grants not yet there; a grant made meanwhile by someone else is dropped and the rest retried.

    The last transaction carries the whole re-share's answer (how many grants were made)."""
    now = clock.iso(clock.now())
    while pairs:
        tx = Transaction()
        for user_id, fec_id in pairs:
            fec_store.grant(tx, account_id, user_id, fec_id, actor.id, now, if_new=_AlreadyGranted())
        audit_log.record(
            tx,
            account_id,
            actor,
            "group.reshared",
            target_type="group",
            target_id=group_id,
            details={
                "user_ids": sorted({user_id for user_id, _ in pairs}),
                "fec_ids": sorted({fec_id for _, fec_id in pairs}),
                "granted": len(pairs),
            },
        )
        try:
            tx.commit(answer=granted_before + len(pairs) if last else NOTHING)
            return len(pairs)
        except _AlreadyGranted:
            made = fec_store.existing_grants(account_id, pairs)
            if not made:  # the refusal named a grant that is not there: not ours to guess why
                raise
            pairs = [pair for pair in pairs if pair not in made]
    return 0


class _AlreadyGranted(Conflict):
    """A grant a re-share was about to write exists already (a concurrent re-share or share made it)."""


@replayable
def delete(account_id: str, actor: audit_log.Actor, group_id: str) -> None:
    """Delete the group. FEC access already granted through it stays (it was granted to the users).

    The delete is conditional on the version read, in the transaction that ends the memberships, so
    a member added meanwhile is never left pointing at a deleted group: the delete reads again.
    """
    for attempt in range(DELETE_ATTEMPTS):
        group = _existing(account_id, group_id)
        try:
            _delete_as_read(account_id, actor, group)
            return
        except GroupChanged:
            if attempt == DELETE_ATTEMPTS - 1:
                raise


def _delete_as_read(account_id: str, actor: audit_log.Actor, group: Group) -> None:
    group_id = group["id"]
    member_ids = sorted(group.get("member_ids") or [])
    tx = Transaction()
    group_store.delete(tx, account_id, group, on_changed=GroupChanged())
    audit_log.record(
        tx,
        account_id,
        actor,
        "group.deleted",
        target_type="group",
        target_id=group_id,
        details={"name": group["name"], "member_ids": member_ids},
    )
    first, rest = member_ids[: MAX_MEMBERS_CHANGED - 1], member_ids[MAX_MEMBERS_CHANGED - 1 :]
    for user_id in first:
        group_store.leave(tx, account_id, user_id, group_id, on_missing_user=GroupChanged())
    # The group is gone at the commit; readers skip ids of missing groups, so the rest may follow: its
    # record of the files shared with it, and the memberships of the members past the first ones.
    follow_ups.forget_group(tx, account_id, group_id, rest)
    tx.commit(answer=None)


def forget(account_id: str, group_id: str, member_ids: Sequence[str]) -> None:
    """The follow-up of a group's deletion: its record of shared files goes, and the memberships the
    deleting transaction had no room for. Safe to run again (deleting what is gone changes nothing)."""
    group_store.forget_shares(account_id, group_id)
    for start in range(0, len(member_ids), MAX_TRANSACTION_ITEMS):
        members = list(member_ids[start : start + MAX_TRANSACTION_ITEMS])
        while members:
            cleanup = Transaction()
            for user_id in members:
                group_store.leave(cleanup, account_id, user_id, group_id, on_missing_user=None)
            gone = cleanup.commit_or_failed()
            # Committed (nothing gone), or users removed from the account since, whose membership ended
            # with them: the others are tried again without them.
            members = [user_id for position, user_id in enumerate(members) if gone and position not in gone]


def named(account_id: str, group_ids: Sequence[str]) -> list[GroupRef]:
    """{id, name} of these groups as they are now, by name: the users table's groups column."""
    return refs(group_store.get_many_in(account_id, group_ids), set(group_ids))


def refs(groups: Sequence[Group], group_ids: set[str]) -> list[GroupRef]:
    """{id, name} of those of these groups (already read) that are among ``group_ids``, by name."""
    found = [GroupRef(group["id"], group["name"]) for group in groups if group["id"] in group_ids]
    return sorted(found, key=lambda ref: ref.name)


def remove_user(tx: Transaction, account_id: str, user: User) -> None:
    """A deleted user leaves every group it is in, in the deleting transaction.

    Only groups that still list the user are touched: a membership pointing at a group deleted
    since (its delete still tidying up, or data from before deletes checked versions) is ignored.
    """
    group_ids = sorted(user.get("group_ids") or [])
    for group in group_store.get_many_in(account_id, group_ids) if group_ids else []:
        if user["id"] in (group.get("member_ids") or []):
            group_store.drop_member(tx, account_id, group["id"], user["id"], on_changed=GroupChanged())


def _existing(account_id: str, group_id: str) -> Group:
    group = group_store.get(account_id, group_id)
    if group is None:
        raise group_not_found()
    return group


def _detail(group: Group, shared: group_store.Shares, earlier_shares: EarlierShares | None = None) -> GroupDetail:
    member_ids = sorted(group.get("member_ids") or [])
    return GroupDetail(
        group["id"],
        group["name"],
        member_ids,
        len(member_ids),
        len(shared.fec_ids),
        earlier_shares,
        len(shared.folders),
    )


def _name_taken() -> Conflict:
    return GroupNameTaken()


def _member_not_found() -> NotFound:
    return UserNotFound(field="member_ids")

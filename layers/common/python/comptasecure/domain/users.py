"""Access management (SPEC R-USR, R-ROLE): the users table, invitations by the batch, edits, removal."""

import uuid
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from pydantic import TypeAdapter, ValidationError

from comptasecure import clock
from comptasecure.domain import audit_log, codes, follow_ups, groups, user_access
from comptasecure.domain.catalogue import catalogue
from comptasecure.domain.groups import GroupRef
from comptasecure.domain.identity import actor_of, email_taken
from comptasecure.domain.membership import Role, Source, UserStatus
from comptasecure.domain.user_rows import NewUser
from comptasecure.errors import (
    AccountNotFound,
    ChangedMeanwhile,
    Conflict,
    DomainError,
    DuplicateEmail,
    GroupChanged,
    InvalidEmail,
    InvalidInput,
    InvalidRole,
    InvitationAlreadyAccepted,
    InvitationGroupChanged,
    NameTooLong,
    NameWithControlCharacter,
    OwnerCannotLeave,
    OwnerRoleFixed,
    QuotaExceeded,
    RoleNotAllowed,
    TooManyGroups,
    UnknownGroups,
    UserNotFound,
)
from comptasecure.idempotency import replayable
from comptasecure.observability import count
from comptasecure.store import accounts as account_store
from comptasecure.store import codes as code_store
from comptasecure.store import groups as group_store
from comptasecure.store import invitations as invitation_store
from comptasecure.store import users as user_store
from comptasecure.store.records import Account, Group, User
from comptasecure.store.transaction import MAX_TRANSACTION_ITEMS, Transaction
from comptasecure.validation import CONTROL_CHARACTER, Email, Name

# Nobody is invited or promoted as owner: there is one, the person who signed up (R-ROLE).
ASSIGNABLE_ROLES = (Role.ADMIN, Role.MEMBER)
DEFAULT_ROLE = Role.MEMBER
# The codes whose workflow waits on a user: a removal withdraws them with the invitation's.
WAITING_CODES = (codes.CONFIRMATION, codes.PASSWORD_CHANGE)


def owner_cannot_leave() -> Conflict:
    return OwnerCannotLeave()


def owner_role_fixed() -> Conflict:
    return OwnerRoleFixed()


def changed_meanwhile() -> Conflict:
    return ChangedMeanwhile()


# Each invited row writes its email claim, the user and its audit event; each batch transaction adds
# the account's user counter, the outbox item that starts the batch's workflows, and one update per
# group its rows join.
ITEMS_PER_ROW = 3
ITEMS_PER_BATCH = 2
# One edit or invitation changes at most this many of a user's groups (one item per group changed);
# the rest of the transaction is the user's own items, its audit event and its follow-ups.
MAX_GROUPS_CHANGED = MAX_TRANSACTION_ITEMS - 10
# DynamoDB stops a page at 1 MB anyway; this only avoids a needless second page.
GROUPS_PER_QUERY = 1000

_email = TypeAdapter(Email)
_name = TypeAdapter(Name)


@dataclass(frozen=True)
class UserView:
    """A row of the users table."""

    id: str
    email: str
    first_name: str | None
    last_name: str | None
    role: str
    groups: list[GroupRef]
    status: str
    email_delivery: str
    mfa_enabled: bool
    passkey_count: int
    source: str


@dataclass(frozen=True)
class UserLimits:
    max_users: int
    used: int


@dataclass(frozen=True)
class UserPage:
    items: list[UserView]
    last_key: dict[str, Any] | None
    """Where the next page starts (None: this was the last one)."""
    limits: UserLimits


@dataclass(frozen=True)
class RowError:
    code: str
    message: str
    field: str | None


@dataclass(frozen=True)
class InvitationResult:
    """What became of one row of an invitation: invited (with the new user's id), or why not."""

    email: str
    status: Literal["invited", "error"]
    user_id: str | None = None
    error: RowError | None = None
    line: int | None = None
    """The row's line in a CSV file."""


@dataclass(frozen=True)
class UserChanges:
    """An edit of a user; None leaves a field as it is (``group_ids`` is the user's whole set)."""

    first_name: str | None = None
    last_name: str | None = None
    role: str | None = None
    group_ids: Sequence[str] | None = None
    active: bool | None = None
    """False disables the user (every session ended), True restores its access."""


def page(account_id: str, limit: int, start_key: dict[str, Any] | None) -> UserPage:
    """One page of the users table with the account type's limit and the number of users used."""
    account = account_store.get(account_id)
    items, last_key = user_store.page(account_id, limit, start_key)
    now = clock.iso(clock.now())
    # Group names are read from the groups now (one BatchGet for the page): never a stale name.
    found = group_store.get_many_in(account_id, sorted({g for item in items for g in item.get("group_ids") or ()}))
    return UserPage(
        [_view(item, groups.refs(found, set(item.get("group_ids") or ())), now) for item in items],
        last_key,
        UserLimits(_max_users(account["type_id"]), int(account["user_count"])),
    )


def invite(account_id: str, inviter_id: str, rows: Sequence[NewUser]) -> list[InvitationResult]:
    """Invite each row and report each: created and emailed, or why not.

    Valid rows are created in batches, each one transaction that adds its rows to the account's user
    count only while they all fit under the limit, so the limit holds for the batch and against
    concurrent batches alike. A row whose write fails (email taken meanwhile, group edited
    meanwhile) is reported and the rest of its batch tried again. Each batch's transaction also owes
    the start of its rows' invitation workflows (an outbox item): the request answers as soon as the
    rows are written, and no row is ever written without its invitation owed.
    """
    read = user_store.read(account_id, [inviter_id], with_account=True)
    if inviter_id not in read.users:
        raise UserNotFound()
    if read.account is None:
        raise AccountNotFound()
    inviter, account = read.users[inviter_id], read.account
    known_groups = _account_groups(account_id) if any(row.group_ids for row in rows) else {}
    results: list[InvitationResult | None] = [None] * len(rows)
    valid: deque[tuple[int, User]] = deque()
    seen: set[str] = set()
    for index, row in enumerate(rows):
        try:
            valid.append((index, _new_user(account_id, inviter, row, seen, known_groups)))
        except DomainError as error:
            results[index] = _error_result(row.email.strip(), error)
    _create_all(
        inviter, account, valid, known_groups, _max_users(account["type_id"]), int(account["user_count"]), results
    )
    return [result for result in results if result is not None]


def _create_all(
    inviter: User,
    account: Account,
    valid: deque[tuple[int, User]],
    known_groups: dict[str, Group],
    max_users: int,
    user_count: int,
    results: list[InvitationResult | None],
) -> None:
    """Write the valid rows in as few transactions as fit, in order; fills their results."""
    free = max_users - user_count
    while valid and free > 0:
        batch = _next_batch(valid, free)
        while batch:
            tx, claims, group_positions = _creation(inviter, account, batch, known_groups, max_users)
            failed = tx.commit_or_failed()
            if not failed:
                for index, user in batch:
                    results[index] = InvitationResult(user["email"], "invited", user_id=user["id"])
                _joined(known_groups, [user for _, user in batch])
                free -= len(batch)
                break
            for position in failed.keys() & group_positions.keys():
                # Another admin edited this group since it was read: its rows are reported, not guessed.
                known_groups.pop(group_positions[position], None)
            kept: list[tuple[int, User]] = []
            for (index, user), claim in zip(batch, claims, strict=True):
                error = _creation_error(user, claim in failed, known_groups)
                if error is None:
                    kept.append((index, user))
                else:
                    results[index] = _error_result(user["email"], error)
            if len(kept) == len(batch) and 0 not in failed:
                raise RuntimeError(f"invitation batch refused for no known reason: {failed}")
            batch = kept
            if 0 in failed:
                # The counter refused the batch: concurrent invitations took places. Keep what fits.
                count = account_store.user_count_in(failed[0])
                free = 0 if count is None else max_users - count
                valid.extendleft(reversed(batch[max(free, 0) :]))
                batch = batch[: max(free, 0)]
    for index, user in valid:
        results[index] = _error_result(user["email"], _quota_exceeded())


def _next_batch(valid: deque[tuple[int, User]], free: int) -> list[tuple[int, User]]:
    """The next rows, in order, that fit under the limit and in one transaction with their groups."""
    batch: list[tuple[int, User]] = []
    group_ids: set[str] = set()
    while valid and len(batch) < free:
        joined = group_ids | _group_ids(valid[0][1])
        if ITEMS_PER_BATCH + ITEMS_PER_ROW * (len(batch) + 1) + len(joined) > MAX_TRANSACTION_ITEMS:
            break
        batch.append(valid.popleft())
        group_ids = joined
    return batch


def _creation(
    inviter: User, account: Account, batch: list[tuple[int, User]], known_groups: dict[str, Group], max_users: int
) -> tuple[Transaction, list[int], dict[int, str]]:
    """The batch's transaction, with the position of each row's email claim and of each group's update."""
    account_id = inviter["account_id"]
    tx = Transaction()
    account_store.count_new_users(tx, account_id, len(batch), max_users)  # position 0
    joining: dict[str, set[str]] = {}
    for _, user in batch:
        for group_id in _group_ids(user):
            joining.setdefault(group_id, set()).add(user["id"])
    group_positions: dict[int, str] = {}
    for group_id, user_ids in sorted(joining.items()):
        group_positions[len(tx)] = group_id
        group = known_groups[group_id]
        # A refusal is read from its position (commit_or_failed), so no error is named for it.
        members = set(group.get("member_ids") or ()) | user_ids
        group_store.update(tx, account_id, group, name=None, member_ids=members, on_changed=None)
    claims: list[int] = []
    for _, user in batch:
        claims.append(len(tx))
        user_store.put_new(tx, user)
        details: dict[str, Any] = {"email": user["email"], "role": user["role"]}
        if _group_ids(user):
            details["group_ids"] = sorted(_group_ids(user))
        audit_log.record(
            tx, account_id, actor_of(inviter), "user.invited", target_type="user", target_id=user["id"], details=details
        )
    follow_ups.start_workflows(
        tx,
        account_id,
        step="invitation",
        purpose=codes.CONFIRMATION,
        users=[(user["id"], _invitation_message(user, account["name"])) for _, user in batch],
    )
    return tx, claims, group_positions


def _creation_error(user: User, email_is_taken: bool, known_groups: dict[str, Group]) -> DomainError | None:
    if email_is_taken:
        return email_taken()
    if any(group_id not in known_groups for group_id in _group_ids(user)):
        return InvitationGroupChanged()
    return None


def _joined(known_groups: dict[str, Group], created: list[User]) -> None:
    """The groups as the committed batch left them, so the next batch's version checks expect that."""
    for group_id in {group_id for user in created for group_id in _group_ids(user)}:
        group = known_groups[group_id]
        joining = {user["id"] for user in created if group_id in _group_ids(user)}
        members = set(group.get("member_ids") or ()) | joining
        known_groups[group_id] = {**group, "member_ids": sorted(members), "version": int(group.get("version", 0)) + 1}


def _account_groups(account_id: str) -> dict[str, Group]:
    """Every group of the account (a few Query pages at most: the account type caps the groups), so
    rows naming many unknown ids cost nothing more."""
    found: dict[str, Group] = {}
    start_key = None
    while True:
        items, start_key = group_store.page(account_id, GROUPS_PER_QUERY, start_key)
        found.update((group["id"], group) for group in items)
        if not start_key:
            return found


def _quota_exceeded() -> Conflict:
    return QuotaExceeded()


def _invitation_message(user: User, account_name: str) -> dict[str, Any]:
    """What the invitation email says, handed to the workflow so its task reads nothing."""
    return {
        "email": user["email"],
        "first_name": user.get("first_name"),
        "invited_by_name": user.get("invited_by_name"),
        "account_name": account_name,
    }


def update(account_id: str, actor_id: str, user_id: str, changes: UserChanges) -> UserView:
    """Edit names, role, groups (``group_ids`` is the user's whole set of groups) and access (``active``).

    The owner's role changes only by a transfer of ownership, and the owner is never disabled. Both
    sides of each membership change in one transaction, which fails if a group or the user's groups
    changed since they were read; disabling ends every session of the user in the same update.
    """
    actor, user = user_access.actor_and_target(account_id, actor_id, user_id)
    fields: dict[str, Any] = {
        name: _optional_name(value, name)
        for name, value in (("first_name", changes.first_name), ("last_name", changes.last_name))
        if value
    }
    if changes.role is not None and changes.role != user["role"]:
        if user["role"] == Role.OWNER:
            raise owner_role_fixed()
        fields["role"] = _assignable(changes.role)
    access = None if changes.active is None else user_access.access_change(user, changes.active)
    before = _group_ids(user)
    after = before if changes.group_ids is None else set(changes.group_ids)
    found = {group["id"]: group for group in group_store.get_many_in(account_id, sorted(before | after))}
    if after - before - found.keys():
        raise UnknownGroups()
    # A group deleted meanwhile has nothing left to update: only the user's side drops it.
    changed_groups = [found[group_id] for group_id in sorted((after ^ before) & found.keys())]
    if len(changed_groups) > MAX_GROUPS_CHANGED:
        raise _too_many_groups()
    details = audit_log.changes({name: user.get(name) for name in fields}, fields)
    if after != before:
        details["group_ids"] = {"before": sorted(before), "after": sorted(after)}
    shown = replace(_view(user, groups.refs(list(found.values()), after), clock.iso(clock.now())), **fields)
    if access is not None:
        shown = replace(shown, status=access.after)
    if not details and access is None:
        return shown
    tx = Transaction()
    user_store.set_fields(
        tx,
        account_id,
        user_id,
        {**fields, **(access.fields if access else {})},
        remove=access.remove if access else (),
        expected_role=user["role"],
        expected_status=user["status"] if access else None,
        group_ids=(before, after) if after != before else None,
        ending=access.ending if access else None,
        on_condition_failed=changed_meanwhile(),
    )
    for group in changed_groups:
        members = set(group.get("member_ids") or ())
        members = members | {user_id} if group["id"] in after else members - {user_id}
        group_store.update(tx, account_id, group, name=None, member_ids=members, on_changed=GroupChanged())
    if details:
        audit_log.record(
            tx, account_id, actor_of(actor), "user.updated", target_type="user", target_id=user_id, details=details
        )
    if access is not None:
        user_access.record(tx, actor_of(actor), user, access)
    tx.commit()
    if access is not None and access.after == UserStatus.DISABLED:
        count("UsersDisabled")
    return shown


@replayable
def promote(account_id: str, actor_id: str, user_id: str) -> UserView:
    """Make the user an administrator (already one: nothing changes)."""
    actor, user = user_access.actor_and_target(account_id, actor_id, user_id)
    if user["role"] == Role.OWNER:
        raise owner_role_fixed()
    group_ids = sorted(_group_ids(user))
    group_refs = groups.named(account_id, group_ids) if group_ids else []
    shown = replace(_view(user, group_refs, clock.iso(clock.now())), role=Role.ADMIN)
    if user["role"] != Role.ADMIN:
        tx = Transaction()
        user_store.set_fields(
            tx,
            account_id,
            user_id,
            {"role": Role.ADMIN},
            expected_role=user["role"],
            on_condition_failed=changed_meanwhile(),
        )
        audit_log.record(
            tx,
            account_id,
            actor_of(actor),
            "user.promoted",
            target_type="user",
            target_id=user_id,
            details={"role": {"before": user["role"], "after": Role.ADMIN}},
        )
        tx.commit(answer=shown)
    return shown


@replayable
def resend_invitation(account_id: str, actor_id: str, user_id: str) -> None:
    """Start the invitation afresh: the old link dies now, a new workflow emails a new one.

    The status read is not checked here: the reinvite's condition refuses an accepted invitation.
    """
    read = user_store.read(account_id, [actor_id, user_id], with_account=True, waiting_on=user_id)
    actor, user = user_access.actor_and_target_in(read.users, actor_id, user_id)
    if read.account is None:
        raise AccountNotFound()
    tx = Transaction()
    user_store.reinvite(
        tx,
        account_id,
        user_id,
        on_accepted=InvitationAlreadyAccepted(),
    )
    invitation_store.delete(tx, account_id, user_id)
    audit_log.record(
        tx,
        account_id,
        actor_of(actor),
        "user.reinvited",
        target_type="user",
        target_id=user_id,
        details={"email": user["email"], "previous_status": user["status"]},
    )
    follow_ups.withdraw_tasks(tx, account_id, read.waiting_tasks, "Superseded")
    follow_ups.start_workflow(
        tx,
        account_id,
        user_id,
        step="invitation",
        purpose=codes.CONFIRMATION,
        invitation=_invitation_message(user, read.account["name"]),
    )
    tx.commit(answer=None)


def remove(account_id: str, actor_id: str, user_id: str) -> None:
    """DELETE /users/{id}: an admin never removes the owner; the owner cannot remove itself."""
    read = user_store.read(account_id, [actor_id, user_id], waiting_on=user_id, code_purposes=WAITING_CODES)
    actor, user = user_access.actor_and_target_in(read.users, actor_id, user_id)
    _remove_user(user, actor_of(actor), read.waiting_tasks)


def leave(account_id: str, user_id: str) -> None:
    """DELETE /me (R-PRO-3): refused to the owner and to a user alone on the account."""
    read = user_store.read(account_id, [user_id], waiting_on=user_id, code_purposes=WAITING_CODES)
    if user_id not in read.users:
        raise UserNotFound()
    user = read.users[user_id]
    _remove_user(user, actor_of(user), read.waiting_tasks)


def _remove_user(user: User, actor: audit_log.Actor, waiting_tasks: list[str]) -> None:
    """Remove the user's own items only: the user, its email, sessions, codes, invitation and grants.

    What the user did on the account (imported FEC files, audit events) stays. The account's user
    count drops in the same transaction, whose conditions refuse the last user (alone on the
    account) and the owner, even if a transfer of ownership races this removal. The same transaction
    owes the rest: the user's sessions and FEC grants go, its waiting workflows are withdrawn (the
    user item is gone, so the authorizer already refuses its sessions).
    """
    account_id, user_id = user["account_id"], user["id"]
    tx = Transaction()
    # Order matters: the first failed condition names the error, and "alone" says more than "owner".
    account_store.count_removed_user(tx, account_id)
    user_store.delete(tx, user, on_owner=owner_cannot_leave())
    invitation_store.delete(tx, account_id, user_id)
    for purpose in WAITING_CODES:
        code_store.delete_in(tx, account_id, user_id, purpose)
    groups.remove_user(tx, account_id, user)
    audit_log.record(
        tx,
        account_id,
        actor,
        "user.deleted",
        target_type="user",
        target_id=user_id,
        details={"email": user["email"], "role": user["role"], "status": user["status"]},
    )
    follow_ups.forget_user(tx, account_id, user_id)
    follow_ups.withdraw_tasks(tx, account_id, waiting_tasks, "Cancelled")
    tx.commit()


def _view(user: User, group_refs: list[GroupRef], now: str) -> UserView:
    status = user["status"]
    # The link's expiry is on the user item, so the table is right before the cleanup job has run.
    expires_at = user.get("invitation_expires_at")
    if status == UserStatus.INVITED and expires_at and expires_at <= now:
        status = UserStatus.INVITATION_EXPIRED
    return UserView(
        id=user["id"],
        email=user["email"],
        first_name=user.get("first_name"),
        last_name=user.get("last_name"),
        role=user["role"],
        groups=group_refs,
        status=status,
        email_delivery=user.get("email_delivery") or ("failed" if user.get("send_failed_at") else "ok"),
        mfa_enabled=bool(user.get("mfa_enabled")),
        passkey_count=int(user.get("passkey_count", 0)),
        source=user.get("source", Source.INVITATION),
    )


def _error_result(email: str, error: DomainError) -> InvitationResult:
    return InvitationResult(email, "error", error=RowError(error.code, error.message, error.field))


def _max_users(account_type_id: str) -> int:
    return int(catalogue().get(account_type_id).limits["max_users"])


def _new_user(account_id: str, inviter: User, row: NewUser, seen: set[str], known_groups: dict[str, Group]) -> User:
    try:
        email = _email.validate_python(row.email.strip())
    except ValidationError as error:
        raise InvalidEmail() from error
    if email in seen:
        raise DuplicateEmail()
    seen.add(email)
    inviter_name = " ".join(part for part in (inviter.get("first_name"), inviter.get("last_name")) if part)
    return {
        "id": uuid.uuid4().hex,
        "account_id": account_id,
        "email": email,
        "first_name": _optional_name(row.first_name, "first_name"),
        "last_name": _optional_name(row.last_name, "last_name"),
        "role": _assignable(row.role or DEFAULT_ROLE),
        "group_ids": _groups_of_account(row.group_ids, known_groups),
        "status": UserStatus.INVITED,
        "invited_by": inviter["id"],
        "invited_by_name": inviter_name or inviter["email"],
        "created_at": clock.iso(clock.now()),
    }


def _optional_name(value: str | None, field: str) -> str | None:
    """A name as the signup's (validation.Name), or this row's error naming the field and what is wrong."""
    if value is None or not value.strip():
        return None
    try:
        return _name.validate_python(value)
    except ValidationError as error:
        [problem] = error.errors()
        if problem["type"] == CONTROL_CHARACTER:
            raise NameWithControlCharacter(field=field) from error
        raise NameTooLong(field=field) from error


def _assignable(role: str) -> Role:
    if role == Role.OWNER:
        raise RoleNotAllowed()
    if role not in ASSIGNABLE_ROLES:
        raise InvalidRole()
    return Role(role)


def _groups_of_account(group_ids: Sequence[str], known_groups: dict[str, Group]) -> set[str]:
    """The row's groups, all of the inviter's account (another account's id is simply not found)."""
    wanted = set(group_ids)
    if len(wanted) > MAX_GROUPS_CHANGED:
        raise _too_many_groups()
    if any(group_id not in known_groups for group_id in wanted):
        raise UnknownGroups()
    return wanted


def _group_ids(user: User) -> set[str]:
    return set(user.get("group_ids") or ())


def _too_many_groups() -> InvalidInput:
    return TooManyGroups(limit=MAX_GROUPS_CHANGED)

"""Users, stored in their account's partition, and the email index that makes an email unique."""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from boto3.dynamodb.conditions import Key

from comptasecure import aws
from comptasecure.domain.membership import Role, UserStatus
from comptasecure.errors import DomainError, UserNotFound
from comptasecure.store import keys, pages
from comptasecure.store.batch import get_many
from comptasecure.store.conditions import conditional
from comptasecure.store.records import Account, User
from comptasecure.store.transaction import Transaction

# What the users table shows: never the password hash, never the login counters.
TABLE_FIELDS = (
    "id",
    "email",
    "first_name",
    "last_name",
    "role",
    "group_ids",
    "status",
    "invitation_expires_at",
    "email_delivery",
    "send_failed_at",
    "mfa_enabled",
    "passkey_count",
    "source",
)
# What the user item holds: the attributes its record declares (a stray field is never written).
USER_FIELDS = User.__required_keys__ | User.__optional_keys__


def get(account_id: str, user_id: str) -> User:
    user = find(account_id, user_id)
    if user is None:
        raise UserNotFound()
    return user


def find(account_id: str, user_id: str) -> User | None:
    item = aws.table().get_item(Key=keys.key(keys.account_pk(account_id), keys.user_sk(user_id))).get("Item")
    return cast(User | None, item)


Clause = tuple[str, str, dict[str, Any]]
"""Part of an update of the user item: a SET action, a condition, and their values."""


@dataclass(frozen=True)
class SessionsEnd:
    """Every session the user has opened so far ends: its ``session_epoch`` moves on, in the same update
    of the user item as the change that ends them (a transaction writes an item once), conditioned on
    the epoch read, so two such changes at once cannot both keep a session."""

    epoch: int
    """The user's epoch as read."""

    @property
    def next(self) -> int:
        return self.epoch + 1

    def clause(self) -> Clause:
        return (
            "session_epoch = :next_epoch",
            "(attribute_not_exists(session_epoch) OR session_epoch = :epoch)",
            {":next_epoch": self.next, ":epoch": self.epoch},
        )


@dataclass(frozen=True)
class MfaTokenSpent:
    """A login's ``mfa_token`` opens one session at most: the user keeps the issue time of the last one
    spent, and only a token issued after it is accepted (a replay, or an older token, is refused)."""

    issued_ns: int

    def clause(self) -> Clause:
        return (
            "mfa_token_floor = :issued_ns",
            "(attribute_not_exists(mfa_token_floor) OR mfa_token_floor < :issued_ns)",
            {":issued_ns": self.issued_ns},
        )


def joined(*parts: SessionsEnd | MfaTokenSpent | None) -> Clause:
    """The parts of a user update as one: ``", a, b"``, ``" AND x AND y"`` and the values."""
    clauses = [part.clause() for part in parts if part is not None]
    return (
        "".join(f", {action}" for action, _, _ in clauses),
        "".join(f" AND {condition}" for _, condition, _ in clauses),
        {name: value for _, _, values in clauses for name, value in values.items()},
    )


def sessions_end(user: User) -> SessionsEnd:
    return SessionsEnd(int(user.get("session_epoch", 0)))


def end_sessions(
    tx: Transaction, account_id: str, user_id: str, ending: SessionsEnd, *, on_changed: DomainError
) -> None:
    """End every session of the user in the caller's transaction (when nothing else of the user changes)."""
    set_action, condition, values = ending.clause()
    tx.update(
        keys.key(keys.account_pk(account_id), keys.user_sk(user_id)),
        f"SET {set_action}",
        condition=f"attribute_exists(PK) AND {condition}",
        values=values,
        on_condition_failed=on_changed,
    )


@dataclass(frozen=True)
class UsersRead:
    """What one BatchGetItem found in an account's partition."""

    users: dict[str, User]
    """The users found among the ids asked, by id (another account's id is simply not found)."""
    account: Account | None
    """The account's META, when asked for."""
    waiting_tasks: list[str]
    """Task tokens of the workflows waiting on the user: its invitation link's, then its codes'."""


def read(
    account_id: str,
    user_ids: Sequence[str],
    *,
    with_account: bool = False,
    waiting_on: str | None = None,
    code_purposes: Sequence[str] = (),
) -> UsersRead:
    """Users of the account, and what a change to one of them needs, in one BatchGetItem: the
    account's META, the user's invitation link and its codes of these purposes (their waiting tasks)."""
    pk = keys.account_pk(account_id)
    wanted = [keys.key(pk, keys.user_sk(user_id)) for user_id in dict.fromkeys(user_ids)]
    if with_account:
        wanted.append(keys.key(pk, keys.ACCOUNT_META))
    waiting_sks: list[str] = []
    if waiting_on is not None:
        waiting_sks = [keys.invitation_sk(waiting_on)] + [keys.code_sk(waiting_on, p) for p in code_purposes]
        wanted.extend(keys.key(pk, sk) for sk in waiting_sks)
    found = {str(item["SK"]): item for item in get_many(wanted)}
    users = {str(item["id"]): cast(User, item) for sk, item in found.items() if sk.startswith(keys.USER_PREFIX)}
    tokens = [str(found[sk]["task_token"]) for sk in waiting_sks if found.get(sk, {}).get("task_token")]
    return UsersRead(users, cast(Account | None, found.get(keys.ACCOUNT_META)), tokens)


def page(account_id: str, limit: int, start_key: dict[str, Any] | None) -> tuple[list[User], dict[str, Any] | None]:
    """One page of the account's users: a single Query on the account partition, each user read
    with the table's fields only (TABLE_FIELDS)."""
    pk = keys.account_pk(account_id)
    query: dict[str, Any] = {
        "KeyConditionExpression": Key("PK").eq(pk) & Key("SK").begins_with(keys.user_sk()),
        "ProjectionExpression": ", ".join(f"#f{i}" for i in range(len(TABLE_FIELDS))),
        "ExpressionAttributeNames": {f"#f{i}": name for i, name in enumerate(TABLE_FIELDS)},
        "Limit": limit,
    }
    if start_key is not None:
        pages.check_start_key(start_key, pk, keys.user_sk())
        query["ExclusiveStartKey"] = start_key
    response = aws.table().query(**query)
    return cast(list[User], response.get("Items", [])), response.get("LastEvaluatedKey")


def find_by_email(email: str) -> User | None:
    """The user owning this email, whatever the account, or None."""
    link = aws.table().get_item(Key=keys.key(keys.email_pk(email), keys.EMAIL_SK)).get("Item")
    if link is None:
        return None
    item = (
        aws.table()
        .get_item(Key=keys.key(keys.account_pk(str(link["account_id"])), keys.user_sk(str(link["user_id"]))))
        .get("Item")
    )
    return cast(User | None, item)


# Login attempts are counted per email, beside the email's link, whether or not a user has it: a
# locked unknown email answers as a locked known one. The item expires once nothing refreshes it.
LOGIN_SK = "LOGIN"
NOT_LOCKED = "(attribute_not_exists(locked_until) OR locked_until <= :now)"
# Ids no item has: an email without a user costs the same reads as one with a user.
NO_ACCOUNT = NO_USER = "none"


def email_owner(email: str) -> tuple[str, str]:
    """(account id, user id) of the user owning this email, or ids no item has: one GetItem either way."""
    link = aws.table().get_item(Key=keys.key(keys.email_pk(email), keys.EMAIL_SK)).get("Item")
    if link is None:
        return NO_ACCOUNT, NO_USER
    return str(link["account_id"]), str(link["user_id"])


@dataclass(frozen=True)
class LoginView:
    """What a login decides on: the email's user and account (None for an email without a user)."""

    user: User | None
    account: Account | None


def login_view(email: str) -> LoginView:
    """The user owning this email and its account.

    One GetItem of the email's link, then one BatchGetItem of the user and its account (ids no item
    has without a link): the same two reads for every email, so the time of a login tells nothing of
    whether the email has an account.
    """
    # Strongly consistent: a login right after the signup's confirmation finds its link.
    link = aws.table().get_item(Key=keys.key(keys.email_pk(email), keys.EMAIL_SK), ConsistentRead=True).get("Item")
    account_id, user_id = (str(link["account_id"]), str(link["user_id"])) if link else (NO_ACCOUNT, NO_USER)
    account_pk = keys.account_pk(account_id)
    found = {
        str(item["SK"]): item
        for item in get_many([keys.key(account_pk, keys.user_sk(user_id)), keys.key(account_pk, keys.ACCOUNT_META)])
    }
    return LoginView(
        cast(User | None, found.get(keys.user_sk(user_id))), cast(Account | None, found.get(keys.ACCOUNT_META))
    )


def reserve_login_attempt(email: str, *, max_attempts: int, now: str, abandoned_before: str, ttl: int) -> int:
    """Count one login attempt before its password is checked: its number in the email's run of
    attempts (failed, or still being checked); ConditionFailed while the login is locked or
    ``max_attempts`` are counted.

    One conditional ADD: however many requests arrive at once, at most ``max_attempts`` passwords
    are checked. ``reserved_at`` keeps the last reservation's time: a full count left by a login that
    died before deciding (none runs past ``abandoned_before``) lets one more attempt through, which
    locks if it is wrong, so a crash never leaves the email refused for good.
    """
    with conditional():
        response = aws.table().update_item(
            Key=keys.key(keys.email_pk(email), LOGIN_SK),
            UpdateExpression="ADD failed_logins :one SET reserved_at = :now, #ttl = :ttl",
            ConditionExpression=f"{NOT_LOCKED} AND (attribute_not_exists(failed_logins) OR failed_logins < :max "
            "OR reserved_at <= :abandoned)",
            ExpressionAttributeNames={"#ttl": "ttl"},
            ExpressionAttributeValues={
                ":one": 1,
                ":max": max_attempts,
                ":now": now,
                ":abandoned": abandoned_before,
                ":ttl": ttl,
            },
            ReturnValues="UPDATED_NEW",
        )
    # The resource reads DynamoDB numbers as Decimal.
    return int(cast(Decimal, response["Attributes"]["failed_logins"]))


def lock_login(
    tx: Transaction, email: str, *, max_failures: int, now: str, locked_until: str, ttl: int, already: DomainError
) -> None:
    """A wrong password that reached the limit locks the login, in the caller's transaction (with its
    audit event). Only while the count stands at the limit and no lock holds: one request wins, and
    a right password that ended the run meanwhile (the item is gone) leaves nothing to lock."""
    tx.update(
        keys.key(keys.email_pk(email), LOGIN_SK),
        "SET failed_logins = :zero, locked_until = :until, #ttl = :ttl",
        condition=f"failed_logins >= :max AND {NOT_LOCKED}",
        names={"#ttl": "ttl"},
        values={":zero": 0, ":until": locked_until, ":max": max_failures, ":now": now, ":ttl": ttl},
        on_condition_failed=already,
    )


def clear_login_failures(email: str, now: str) -> None:
    """A right password ends the run of attempts, its own with it; ConditionFailed when a lock was set
    meanwhile (it stays)."""
    with conditional():
        aws.table().delete_item(
            Key=keys.key(keys.email_pk(email), LOGIN_SK),
            ConditionExpression=NOT_LOCKED,
            ExpressionAttributeValues={":now": now},
        )


def replace_password_hash(account_id: str, user_id: str, current_hash: str, new_hash: str) -> None:
    """Store the same password rehashed at today's parameters; ConditionFailed if the password changed meanwhile."""
    with conditional():
        aws.table().update_item(
            Key=keys.key(keys.account_pk(account_id), keys.user_sk(user_id)),
            UpdateExpression="SET password_hash = :new",
            ConditionExpression="password_hash = :current",
            ExpressionAttributeValues={":new": new_hash, ":current": current_hash},
        )


def put_new(tx: Transaction, user: User, *, on_email_taken: DomainError | None = None) -> None:
    """Create the user and claim its email; a taken email cancels the whole transaction.

    The email claim is the first item added: ``commit_or_failed`` reports a taken email at that position.
    """
    tx.put(
        {
            **keys.key(keys.email_pk(user["email"]), keys.EMAIL_SK),
            "kind": "email",
            "account_id": user["account_id"],
            "user_id": user["id"],
        },
        condition="attribute_not_exists(PK)",
        on_condition_failed=on_email_taken,
    )
    fields: dict[str, Any] = {name: value for name, value in user.items() if name in USER_FIELDS}
    # A string set, as groups' join and leave update it; DynamoDB stores no empty set.
    fields["group_ids"] = set(user.get("group_ids") or ()) or None
    item = {**keys.key(keys.account_pk(user["account_id"]), keys.user_sk(user["id"])), "kind": "user", **fields}
    tx.put({name: value for name, value in item.items() if value is not None}, condition="attribute_not_exists(PK)")


def set_fields(
    tx: Transaction,
    account_id: str,
    user_id: str,
    fields: dict[str, Any],
    *,
    remove: Sequence[str] = (),
    expected_status: str | None = None,
    expected_role: str | None = None,
    group_ids: tuple[set[str], set[str]] | None = None,
    ending: SessionsEnd | None = None,
    on_condition_failed: DomainError | None = None,
) -> None:
    """Set these fields and remove those of ``remove``; ``group_ids`` = (the user's groups as read, the new
    set), replaced only if no group edit added or removed the user since it was read; ``ending``: every
    session of the user ends in this same update."""
    names = {f"#f{i}": name for i, name in enumerate(fields)}
    values: dict[str, Any] = {f":v{i}": value for i, value in enumerate(fields.values())}
    assignments = [f"#f{i} = :v{i}" for i in range(len(fields))]
    names.update({f"#r{i}": name for i, name in enumerate(remove)})
    removals: list[str] = [f"#r{i}" for i in range(len(remove))]
    condition = "attribute_exists(PK)"
    if ending is not None:
        set_action, ending_condition, ending_values = ending.clause()
        assignments.append(set_action)
        condition += f" AND {ending_condition}"
        values.update(ending_values)
    if expected_status:
        condition += " AND #status = :expected_status"
        names["#status"] = "status"
        values[":expected_status"] = expected_status
    if expected_role:
        # The role read before deciding is still the role: a concurrent promotion or transfer wins.
        condition += " AND #role = :expected_role"
        names["#role"] = "role"
        values[":expected_role"] = expected_role
    if group_ids is not None:
        before, after = group_ids
        if before:
            condition += " AND group_ids = :groups_before"
            values[":groups_before"] = before
        else:
            condition += " AND attribute_not_exists(group_ids)"
        if after:
            assignments.append("group_ids = :groups_after")
            values[":groups_after"] = after
        else:
            removals.append("group_ids")
    expression = " ".join(
        part
        for part in (
            "SET " + ", ".join(assignments) if assignments else "",
            "REMOVE " + ", ".join(removals) if removals else "",
        )
        if part
    )
    tx.update(
        keys.key(keys.account_pk(account_id), keys.user_sk(user_id)),
        expression,
        condition=condition,
        names=names or None,
        values=values,
        on_condition_failed=on_condition_failed or UserNotFound(),
    )


def set_invitation_expiry(
    tx: Transaction, account_id: str, user_id: str, expires_at: str, *, on_not_invited: DomainError
) -> None:
    """Copy the link's expiry onto the user, so the table tells an expired invitation at a glance."""
    tx.update(
        keys.key(keys.account_pk(account_id), keys.user_sk(user_id)),
        "SET invitation_expires_at = :expires_at REMOVE send_failed_at",
        condition="#status = :invited",
        names={"#status": "status"},
        values={":expires_at": expires_at, ":invited": UserStatus.INVITED},
        on_condition_failed=on_not_invited,
    )


def reinvite(tx: Transaction, account_id: str, user_id: str, *, on_accepted: DomainError) -> None:
    """Back to ``invited`` with no link yet: the workflow's new link sets the expiry."""
    tx.update(
        keys.key(keys.account_pk(account_id), keys.user_sk(user_id)),
        "SET #status = :invited REMOVE invitation_expires_at",
        condition="#status IN (:invited, :expired)",
        names={"#status": "status"},
        values={":invited": UserStatus.INVITED, ":expired": UserStatus.INVITATION_EXPIRED},
        on_condition_failed=on_accepted,
    )


def accept_invitation(tx: Transaction, account_id: str, user_id: str, password_hash: str, gone: DomainError) -> None:
    tx.update(
        keys.key(keys.account_pk(account_id), keys.user_sk(user_id)),
        "SET password_hash = :hash, #status = :pending REMOVE invitation_expires_at",
        condition="#status = :invited",
        names={"#status": "status"},
        values={":hash": password_hash, ":pending": UserStatus.PENDING_CONFIRMATION, ":invited": UserStatus.INVITED},
        on_condition_failed=gone,
    )


def mark_invitation_expired(tx: Transaction, account_id: str, user_id: str, now: str) -> None:
    """Only a user still waiting on a link that has expired: a re-invited or accepted user is left alone
    (the cleanup commits with ``commit_or_failed`` and drops that user)."""
    tx.update(
        keys.key(keys.account_pk(account_id), keys.user_sk(user_id)),
        "SET #status = :expired",
        condition="#status = :invited AND invitation_expires_at < :now",
        names={"#status": "status"},
        values={":expired": UserStatus.INVITATION_EXPIRED, ":invited": UserStatus.INVITED, ":now": now},
    )


def check_status(
    tx: Transaction, account_id: str, user_id: str, status: str, *, on_changed: DomainError | None
) -> None:
    """The change holds only while the user still has this status."""
    tx.check(
        keys.key(keys.account_pk(account_id), keys.user_sk(user_id)),
        "#status = :status",
        names={"#status": "status"},
        values={":status": status},
        on_condition_failed=on_changed,
    )


def delete(tx: Transaction, user: User, on_owner: DomainError) -> None:
    """Remove the user and free its email; the owner is never removed, even by a racing transfer."""
    tx.delete(
        keys.key(keys.account_pk(user["account_id"]), keys.user_sk(user["id"])),
        condition="attribute_exists(PK) AND #role <> :owner",
        names={"#role": "role"},
        values={":owner": Role.OWNER},
        on_condition_failed=on_owner,
    )
    tx.delete(
        keys.key(keys.email_pk(user["email"]), keys.EMAIL_SK),
        condition="attribute_not_exists(PK) OR user_id = :user_id",
        values={":user_id": user["id"]},
    )


def get_many_in(account_id: str, user_ids: Sequence[str]) -> list[User]:
    """The users of this account among these ids; ids of other accounts are simply not found."""
    return list(read(account_id, user_ids).users.values())


def set_role(
    tx: Transaction,
    account_id: str,
    user_id: str,
    role: str,
    *,
    expected_role: str,
    expected_status: str | None = None,
    on_condition_failed: DomainError,
) -> None:
    """Change a role only from the role (and status) the rule was checked against."""
    condition = "#role = :expected_role"
    names = {"#role": "role"}
    values: dict[str, Any] = {":role": role, ":expected_role": expected_role}
    if expected_status:
        condition += " AND #status = :expected_status"
        names["#status"] = "status"
        values[":expected_status"] = expected_status
    tx.update(
        keys.key(keys.account_pk(account_id), keys.user_sk(user_id)),
        "SET #role = :role",
        condition=condition,
        names=names,
        values=values,
        on_condition_failed=on_condition_failed,
    )


def delete_with_email(tx: Transaction, account_id: str, user_id: str, email: str) -> None:
    """Remove the user and free its email for a new signup, in the caller's transaction."""
    tx.delete(keys.key(keys.account_pk(account_id), keys.user_sk(user_id)))
    tx.delete(keys.key(keys.email_pk(email), keys.EMAIL_SK))


def release_email(email: str, account_id: str) -> None:
    """Free an email, unless it already belongs to a user of another account (then ConditionFailed)."""
    with conditional():
        aws.table().delete_item(
            Key=keys.key(keys.email_pk(email), keys.EMAIL_SK),
            ConditionExpression="account_id = :account_id",
            ExpressionAttributeValues={":account_id": account_id},
        )


def add_attempt(account_id: str, user_id: str, counter: str, *, max_attempts: int, now: str) -> None:
    """One more attempt at a secret (``counter``: "password", "mfa") in its open window, counted before
    the secret is checked; ConditionFailed once the window's limit is reached or when no window is open.

    The count (``<counter>_attempts``) lives for a window (``<counter>_attempts_until``).
    """
    _update_attempts(
        account_id,
        user_id,
        counter,
        "ADD #count :one",
        "#count < :max AND #until > :now",
        {":one": 1, ":max": max_attempts, ":now": now},
    )


def start_attempt_window(account_id: str, user_id: str, counter: str, *, now: str, window_end: str) -> None:
    """A first attempt opens a new window; ConditionFailed while the previous window is still open."""
    _update_attempts(
        account_id,
        user_id,
        counter,
        "SET #count = :one, #until = :end",
        "attribute_exists(PK) AND (attribute_not_exists(#until) OR #until <= :now)",
        {":one": 1, ":end": window_end, ":now": now},
    )


def clear_attempts(account_id: str, user_id: str, counter: str) -> None:
    """Forget the attempts counted at a secret, and their window; ConditionFailed when the user is gone
    (an update would create an item of the key alone)."""
    _update_attempts(account_id, user_id, counter, "REMOVE #count, #until", "attribute_exists(PK)")


def _update_attempts(
    account_id: str, user_id: str, counter: str, expression: str, condition: str, values: dict[str, Any] | None = None
) -> None:
    """One conditional update of the user's ``<counter>_attempts`` (#count) and ``<counter>_attempts_until``
    (#until); ConditionFailed when the condition does not hold."""
    update: dict[str, Any] = {
        "Key": keys.key(keys.account_pk(account_id), keys.user_sk(user_id)),
        "UpdateExpression": expression,
        "ConditionExpression": condition,
        "ExpressionAttributeNames": {"#count": f"{counter}_attempts", "#until": f"{counter}_attempts_until"},
    }
    if values:
        update["ExpressionAttributeValues"] = values
    with conditional():
        aws.table().update_item(**update)


def set_pending_password(tx: Transaction, account_id: str, user_id: str, pending_hash: str) -> None:
    """The new password waits for its code; the old one keeps working. The right current password
    clears the attempt count."""
    tx.update(
        keys.key(keys.account_pk(account_id), keys.user_sk(user_id)),
        "SET pending_password_hash = :pending REMOVE password_attempts, password_attempts_until",
        condition="attribute_exists(PK)",
        values={":pending": pending_hash},
        on_condition_failed=UserNotFound(),
    )


def apply_pending_password(
    tx: Transaction, account_id: str, user_id: str, pending_hash: str, ending: SessionsEnd, *, on_stale: DomainError
) -> None:
    """Swap in the pending password, only if it is still the one the code was sent for (else ``on_stale``),
    and end the user's sessions."""
    set_action, condition, values = ending.clause()
    tx.update(
        keys.key(keys.account_pk(account_id), keys.user_sk(user_id)),
        f"SET password_hash = :pending, {set_action} REMOVE pending_password_hash",
        condition=f"pending_password_hash = :pending AND {condition}",
        values={":pending": pending_hash, **values},
        on_condition_failed=on_stale,
    )


def mark_email_undeliverable(tx: Transaction, account_id: str, user_id: str, kind: str, at: str) -> None:
    """SES reported a permanent bounce or a complaint for this user's address: show it in the table."""
    tx.update(
        keys.key(keys.account_pk(account_id), keys.user_sk(user_id)),
        "SET email_delivery = :kind, email_delivery_at = :at",
        condition="attribute_exists(PK)",
        values={":kind": kind, ":at": at},
    )


def clear_send_failure(account_id: str, user_id: str) -> None:
    """An email of the identity workflow went: the failure an earlier workflow recorded is over.
    ConditionFailed if the user was removed meanwhile."""
    with conditional():
        aws.table().update_item(
            Key=keys.key(keys.account_pk(account_id), keys.user_sk(user_id)),
            UpdateExpression="REMOVE send_failed_at",
            ConditionExpression="attribute_exists(PK)",
        )


def set_pending_email(tx: Transaction, account_id: str, user_id: str, new_email: str) -> None:
    """The new email waits for its code; the right current password clears the attempt count."""
    tx.update(
        keys.key(keys.account_pk(account_id), keys.user_sk(user_id)),
        "SET pending_email = :email REMOVE password_attempts, password_attempts_until",
        condition="attribute_exists(PK)",
        values={":email": new_email},
        on_condition_failed=UserNotFound(),
    )


def move_email(
    tx: Transaction,
    account_id: str,
    user_id: str,
    emails: tuple[str, str],
    ending: SessionsEnd,
    *,
    on_taken: DomainError,
    on_stale: DomainError,
) -> None:
    """Claim the new email, free the old one and swap it on the user (``emails``: old, new), all in the
    caller's transaction.

    The claim is the uniqueness guard: an email taken since the request (by anyone) cancels it all.
    The user changes only if the pending email is still the one the code was sent for (else ``on_stale``).
    """
    old_email, new_email = emails
    tx.put(
        {
            **keys.key(keys.email_pk(new_email), keys.EMAIL_SK),
            "kind": "email",
            "account_id": account_id,
            "user_id": user_id,
        },
        condition="attribute_not_exists(PK)",
        on_condition_failed=on_taken,
    )
    tx.delete(
        keys.key(keys.email_pk(old_email), keys.EMAIL_SK),
        condition="user_id = :user_id",
        values={":user_id": user_id},
    )
    set_action, condition, values = ending.clause()
    tx.update(
        keys.key(keys.account_pk(account_id), keys.user_sk(user_id)),
        f"SET email = :new, {set_action} REMOVE pending_email, email_delivery, email_delivery_at",
        condition=f"email = :old AND pending_email = :new AND {condition}",
        values={":new": new_email, ":old": old_email, **values},
        on_condition_failed=on_stale,
    )

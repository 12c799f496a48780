"""Access management (SPEC R-USR, R-ROLE): the users table, invitations by the batch, edits, removal."""

import uuid
from collections.abc import Sequence
from typing import Any

from pydantic import TypeAdapter, ValidationError

from comptasecure import clock
from comptasecure.domain import audit, codes, fecs, groups, workflow
from comptasecure.domain.catalogue import catalogue
from comptasecure.domain.identity import INVITATION_EXPIRED, INVITED, actor_of
from comptasecure.errors import Conflict, DomainError, Forbidden, InvalidInput
from comptasecure.models.users import NewUserRow
from comptasecure.store import accounts as account_store
from comptasecure.store import codes as code_store
from comptasecure.store import invitations as invitation_store
from comptasecure.store import sessions as session_store
from comptasecure.store import users as user_store
from comptasecure.store.transaction import Transaction
from comptasecure.validation import Email, Name

OWNER = "owner"
# Nobody is invited or promoted as owner: there is one, the person who signed up (R-ROLE).
ASSIGNABLE_ROLES = ("admin", "member")
DEFAULT_ROLE = "member"

OWNER_CANNOT_LEAVE = Conflict(
    "Le propriétaire du compte ne peut pas être supprimé. Transférez d'abord la propriété du compte.",
    code="owner_cannot_leave",
)
OWNER_ROLE_FIXED = Conflict(
    "Le rôle du propriétaire ne change que par un transfert de propriété.", field="role", code="owner_role_fixed"
)

CHANGED_MEANWHILE = Conflict(
    "Cet utilisateur vient d'être modifié ou supprimé par ailleurs. Rechargez la page.", code="changed_meanwhile"
)

_email = TypeAdapter(Email)
_name = TypeAdapter(Name)


def page(account_id: str, limit: int, start_key: dict[str, Any] | None) -> dict[str, Any]:
    """One page of the users table with the account type's limit and the number of users used."""
    account = account_store.get(account_id)
    items, last_key = user_store.page(account_id, limit, start_key)
    now = clock.iso(clock.now())
    # Group names are read from the groups now (one BatchGet for the page): never a stale name.
    names = {
        group["id"]: group for group in groups.named(account_id, [g for i in items for g in i.get("group_ids") or []])
    }
    for item in items:
        item["groups"] = [names[group_id] for group_id in sorted(item.get("group_ids") or []) if group_id in names]
    return {
        "items": [_view(item, now) for item in items],
        "last_key": last_key,
        "limits": {"max_users": _max_users(account), "used": int(account["user_count"])},
    }


def invite(account_id: str, inviter_id: str, rows: Sequence[NewUserRow]) -> list[dict[str, Any]]:
    """Invite each row on its own and report each: created and emailed, or why not.

    Every creation is its own transaction that counts the user only while the account is under its
    limit, so the limit holds for the batch and against concurrent batches alike.
    """
    inviter = user_store.get(account_id, inviter_id)
    max_users = _max_users(account_store.get(account_id))
    seen: set[str] = set()
    quota_full: DomainError | None = None
    results: list[dict[str, Any]] = []
    for row in rows:
        try:
            user = _new_user(account_id, inviter, row, seen)
            if quota_full is not None:
                # The limit was reached earlier in this batch: spare the remaining rows a doomed write.
                raise quota_full
            _create(inviter, user, max_users)
            results.append({"email": user["email"], "status": "invited", "user_id": user["id"]})
        except DomainError as error:
            if error.code == "quota_exceeded":
                quota_full = error
            results.append({"email": row.email.strip(), "status": "error", "error": _row_error(error)})
    return results


def update(account_id: str, actor_id: str, user_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    """Edit names, role and groups. The owner's role changes only by a transfer of ownership."""
    actor, user = _actor_and_target(account_id, actor_id, user_id)
    fields: dict[str, Any] = {name: changes[name] for name in ("first_name", "last_name") if changes.get(name)}
    role = changes.get("role")
    if role is not None and role != user["role"]:
        if user["role"] == OWNER:
            raise OWNER_ROLE_FIXED
        fields["role"] = _assignable(role)
    if changes.get("group_ids") is not None:
        fields["groups"] = _groups(changes["group_ids"])
    return _apply(actor, user, fields, "user.updated")


def promote(account_id: str, actor_id: str, user_id: str) -> dict[str, Any]:
    """Make the user an administrator (already one: nothing changes)."""
    actor, user = _actor_and_target(account_id, actor_id, user_id)
    if user["role"] == OWNER:
        raise OWNER_ROLE_FIXED
    return _apply(actor, user, {"role": "admin"}, "user.promoted")


def resend_invitation(account_id: str, actor_id: str, user_id: str) -> None:
    """Start the invitation afresh: the old link dies now, a new workflow emails a new one."""
    actor, user = _actor_and_target(account_id, actor_id, user_id)
    previous = invitation_store.get(account_id, user_id)
    tx = Transaction()
    user_store.reinvite(tx, account_id, user_id)
    invitation_store.delete(tx, account_id, user_id)
    audit.record(
        tx,
        account_id,
        actor_of(actor),
        "user.reinvited",
        target_type="user",
        target_id=user_id,
        details={"email": user["email"], "previous_status": user["status"]},
    )
    tx.commit()
    workflow.withdraw((previous or {}).get("task_token"), "Superseded")
    workflow.start("invitation", account_id=account_id, user_id=user_id, purpose=codes.CONFIRMATION)


def remove(account_id: str, actor_id: str, user_id: str) -> None:
    """DELETE /users/{id}: an admin never removes the owner; the owner cannot remove itself."""
    actor, user = _actor_and_target(account_id, actor_id, user_id)
    remove_user(user, actor_of(actor))


def leave(account_id: str, user_id: str) -> None:
    """DELETE /me (R-PRO-3): refused to the owner and to a user alone on the account."""
    user = user_store.get(account_id, user_id)
    remove_user(user, actor_of(user))


def remove_user(user: dict[str, Any], actor: audit.Actor) -> None:
    """Remove the user's own items only: the user, its email, sessions, codes and invitation.

    What the user did on the account (imported FEC files, audit events) stays. The account's user
    count drops in the same transaction, whose conditions refuse the last user (alone on the
    account) and the owner, even if a transfer of ownership races this removal.
    """
    account_id, user_id = user["account_id"], user["id"]
    waiting = [invitation_store.get(account_id, user_id)] + [
        code_store.get(account_id, user_id, purpose) for purpose in (codes.CONFIRMATION, codes.PASSWORD_CHANGE)
    ]
    tx = Transaction()
    # Order matters: the first failed condition names the error, and "alone" says more than "owner".
    account_store.count_removed_user(tx, account_id)
    user_store.delete(tx, user, on_owner=OWNER_CANNOT_LEAVE)
    invitation_store.delete(tx, account_id, user_id)
    for purpose in (codes.CONFIRMATION, codes.PASSWORD_CHANGE):
        code_store.delete_in(tx, account_id, user_id, purpose)
    groups.remove_user(tx, account_id, user)
    audit.record(
        tx,
        account_id,
        actor,
        "user.deleted",
        target_type="user",
        target_id=user_id,
        details={"email": user["email"], "role": user["role"], "status": user["status"]},
    )
    tx.commit()
    # The user item is gone, so the authorizer already refuses these sessions; deleting them is tidying.
    session_store.delete_all(account_id, user_id)
    fecs.forget_user(account_id, user_id)
    for item in waiting:
        workflow.withdraw((item or {}).get("task_token"), "Cancelled")


def view(user: dict[str, Any]) -> dict[str, Any]:
    return _view(user, clock.iso(clock.now()))


def _view(user: dict[str, Any], now: str) -> dict[str, Any]:
    status = user["status"]
    # The link's expiry is on the user item, so the table is right before the cleanup job has run.
    if status == INVITED and user.get("invitation_expires_at") and user["invitation_expires_at"] <= now:
        status = INVITATION_EXPIRED
    return {
        "id": user["id"],
        "email": user["email"],
        "first_name": user.get("first_name"),
        "last_name": user.get("last_name"),
        "role": user["role"],
        "groups": list(user.get("groups") or []),
        "status": status,
        "email_delivery": user.get("email_delivery", "ok"),
        "mfa_enabled": bool(user.get("mfa_enabled")),
    }


def _row_error(error: DomainError) -> dict[str, Any]:
    return {"code": error.code, "message": error.message, "field": error.field}


def _max_users(account: dict[str, Any]) -> int:
    return int(catalogue().get(account["type_id"]).limits["max_users"])


def _new_user(account_id: str, inviter: dict[str, Any], row: NewUserRow, seen: set[str]) -> dict[str, Any]:
    try:
        email = _email.validate_python(row.email.strip())
    except ValidationError as error:
        raise InvalidInput("Cette adresse email n'est pas valide.", field="email", code="invalid_email") from error
    if email in seen:
        raise InvalidInput("Cette adresse email figure déjà plus haut dans la liste.", field="email", code="duplicate")
    seen.add(email)
    inviter_name = " ".join(part for part in (inviter.get("first_name"), inviter.get("last_name")) if part)
    return {
        "id": uuid.uuid4().hex,
        "account_id": account_id,
        "email": email,
        "first_name": _optional_name(row.first_name, "first_name"),
        "last_name": _optional_name(row.last_name, "last_name"),
        "role": _assignable(row.role or DEFAULT_ROLE),
        "groups": _groups(row.group_ids),
        "status": INVITED,
        "invited_by": inviter["id"],
        "invited_by_name": inviter_name or inviter["email"],
        "created_at": clock.iso(clock.now()),
    }


def _create(inviter: dict[str, Any], user: dict[str, Any], max_users: int) -> None:
    tx = Transaction()
    account_store.count_new_user(tx, user["account_id"], max_users)
    user_store.put_new(tx, user)
    audit.record(
        tx,
        user["account_id"],
        actor_of(inviter),
        "user.invited",
        target_type="user",
        target_id=user["id"],
        details={"email": user["email"], "role": user["role"]},
    )
    tx.commit()
    workflow.start("invitation", account_id=user["account_id"], user_id=user["id"], purpose=codes.CONFIRMATION)


def _optional_name(value: str | None, field: str) -> str | None:
    if value is None or not value.strip():
        return None
    try:
        return _name.validate_python(value)
    except ValidationError as error:
        raise InvalidInput("Ce nom dépasse 100 caractères.", field=field, code=f"invalid_{field}") from error


def _assignable(role: str) -> str:
    if role == OWNER:
        raise InvalidInput(
            "Le rôle propriétaire ne s'attribue pas : il change par un transfert de propriété.",
            field="role",
            code="role_not_allowed",
        )
    if role not in ASSIGNABLE_ROLES:
        raise InvalidInput("Le rôle doit être « admin » ou « member ».", field="role", code="invalid_role")
    return role


def _groups(group_ids: Sequence[str]) -> list[dict[str, str]]:
    """The {id, name} of each group; until groups can be created (issue 5) no id can exist."""
    if group_ids:
        raise InvalidInput("Ce groupe n'existe pas sur votre compte.", field="group_ids", code="group_not_found")
    return []


def _actor_and_target(account_id: str, actor_id: str, user_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Both users of this account (another account's id is 404); an admin never acts on the owner."""
    actor = user_store.get(account_id, actor_id)
    user = user_store.get(account_id, user_id)
    if user["role"] == OWNER and actor["role"] != OWNER:
        raise Forbidden("Un administrateur ne peut pas agir sur le propriétaire du compte.")
    return actor, user


def _apply(actor: dict[str, Any], user: dict[str, Any], fields: dict[str, Any], action: str) -> dict[str, Any]:
    changed = audit.changes(user, fields)
    if not changed:
        return view(user)
    tx = Transaction()
    user_store.set_fields(
        tx, user["account_id"], user["id"], fields, expected_role=user["role"], on_condition_failed=CHANGED_MEANWHILE
    )
    audit.record(
        tx, user["account_id"], actor_of(actor), action, target_type="user", target_id=user["id"], details=changed
    )
    tx.commit()
    return view({**user, **fields})

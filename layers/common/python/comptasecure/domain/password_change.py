"""Changing one's password (SPEC R-PRO-2/4): confirmed by an emailed code, then other sessions end.

Until the code is entered the old password keeps working; the new one waits as a pending hash.
"""

from comptasecure.domain import audit_log, codes, passwords, reauthentication, workflow
from comptasecure.emails import sender, templates
from comptasecure.errors import InvalidCode, PasswordMismatch, SamePassword, UserNotFound
from comptasecure.store import codes as code_store
from comptasecure.store import sessions as session_store
from comptasecure.store import users as user_store
from comptasecure.store.transaction import Transaction

PENDING_CONFIRMATION = "pending_confirmation"


def request(
    account_id: str, actor: audit_log.Actor, current_password: str, new_password: str, confirmation: str
) -> str:
    """Check the request, keep the new password pending and start the workflow that emails the code."""
    # The user and a previous request's code in one read: the code's waiting workflow is withdrawn below.
    user, previous = code_store.with_user(account_id, actor.id, codes.PASSWORD_CHANGE)
    if user is None:
        raise UserNotFound()
    if new_password != confirmation:
        raise PasswordMismatch()
    passwords.check_policy(new_password, field="new_password", email=user["email"])
    if current_password == new_password:
        raise SamePassword()
    reauthentication.check_password(account_id, user, current_password)
    tx = Transaction()
    user_store.set_pending_password(tx, account_id, actor.id, passwords.hash_password(new_password))
    audit_log.record(tx, account_id, actor, "user.password_change_requested", target_type="user", target_id=actor.id)
    tx.commit()
    # A request made again replaces the previous one: its code and waiting workflow are withdrawn.
    if previous is not None:
        workflow.withdraw(previous.get("task_token"), "Superseded")
    workflow.start("code", account_id=account_id, user_id=actor.id, purpose=codes.PASSWORD_CHANGE)
    return PENDING_CONFIRMATION


def confirm(account_id: str, actor: audit_log.Actor, session_id: str, code: str) -> int:
    """The right code swaps the password in, ends every other session and emails a notice.

    Returns how many other sessions ended. The caller's own session goes on.
    """
    user = user_store.get(account_id, actor.id)
    pending = user.get("pending_password_hash")
    if not pending:
        raise InvalidCode()
    tx = Transaction()
    task_token = codes.redeem(tx, account_id, actor.id, codes.PASSWORD_CHANGE, code)
    user_store.apply_pending_password(tx, account_id, actor.id, str(pending), on_stale=InvalidCode())
    audit_log.record(tx, account_id, actor, "user.password_changed", target_type="user", target_id=actor.id)
    tx.commit()
    # After the commit: a session opened before it with the old password is listed and ended here;
    # none can be opened with the old password any more.
    ended = session_store.delete_all_except(account_id, actor.id, session_id)
    if task_token:
        workflow.resume(task_token, {"confirmed": True})
    sender.send(user["email"], templates.password_changed(user.get("first_name")))
    return ended

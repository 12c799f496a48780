"""Changing one's password (SPEC R-PRO-2/4): confirmed by an emailed code, then other sessions end.

Until the code is entered the old password keeps working; the new one waits as a pending hash.
The workflow that emails the code, the withdrawal of a previous request's, and after the code the
end of the other sessions and the notice, are all recorded in the change's own transaction.
"""

from comptasecure.domain import audit_log, codes, follow_ups, notices, passwords, reauthentication, user_sessions
from comptasecure.domain.user_sessions import Device
from comptasecure.errors import InvalidCode, PasswordMismatch, SamePassword, UserNotFound
from comptasecure.idempotency import replayable
from comptasecure.store import codes as code_store
from comptasecure.store import users as user_store
from comptasecure.store.transaction import Transaction

PENDING_CONFIRMATION = "pending_confirmation"


@replayable
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
    # A request made again replaces the previous one: its code's waiting workflow is withdrawn.
    if previous is not None and previous.get("task_token"):
        follow_ups.withdraw_tasks(tx, account_id, [str(previous["task_token"])], "Superseded")
    follow_ups.start_workflow(tx, account_id, actor.id, step="code", purpose=codes.PASSWORD_CHANGE)
    tx.commit(answer=PENDING_CONFIRMATION)
    return PENDING_CONFIRMATION


@replayable
def confirm(account_id: str, actor: audit_log.Actor, session_id: str, code: str, device: Device) -> None:
    """The right code swaps the password in, ends every other session and emails a notice.

    One transaction: the new password, the end of every session but the caller's (the user's session
    epoch moves on, so none opened with the old password survives it), the workflow's resumption
    and the notice. The caller's own session goes on.
    """
    user = user_store.get(account_id, actor.id)
    pending = user.get("pending_password_hash")
    if not pending:
        raise InvalidCode()
    tx = Transaction()
    task_token = codes.redeem(tx, account_id, actor.id, codes.PASSWORD_CHANGE, code)
    ending = user_sessions.end_other_sessions(tx, account_id, actor.id, user_store.sessions_end(user), session_id)
    user_store.apply_pending_password(tx, account_id, actor.id, str(pending), ending, on_stale=InvalidCode())
    audit_log.record(tx, account_id, actor, "user.password_changed", target_type="user", target_id=actor.id)
    follow_ups.resume_task(tx, account_id, task_token, {"confirmed": True})
    follow_ups.email(
        tx,
        account_id,
        user["email"],
        "password_changed",
        first_name=user.get("first_name"),
        **notices.where_from(device),
    )
    tx.commit(answer=None)

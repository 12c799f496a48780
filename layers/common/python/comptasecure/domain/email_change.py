"""Changing one's email (SPEC R-MFA-4): the current password, then a code sent to the new address.

The old address is told when the change is asked and when it is done. Until the code is entered
the old email stays the login; then, in one transaction, the new email is claimed (unique across
every account), the old one freed and the user's email swapped: login works with the new address
only. The caller's session goes on, every other one ends. The code is capped as signup's is: 5 codes
an hour and 10 tries a day, each per user and per new address (codes.py), then 429.
"""

from datetime import timedelta

from comptasecure import clock
from comptasecure.domain import audit_log, codes, follow_ups, notices, profiles, reauthentication, user_sessions
from comptasecure.domain.user_sessions import Device
from comptasecure.errors import Conflict, EmailTaken, InvalidCode, SameEmail
from comptasecure.idempotency import replayable
from comptasecure.settings import settings
from comptasecure.store import codes as code_store
from comptasecure.store import users as user_store
from comptasecure.store.records import User
from comptasecure.store.transaction import Transaction

PENDING_CONFIRMATION = "pending_confirmation"
# Wrong current passwords allowed per window (shared with the password change: one counter).


@replayable
def request(account_id: str, actor: audit_log.Actor, new_email: str, current_password: str, device: Device) -> str:
    """Check the password and the address, keep the new email pending, email its code and the notice."""
    user = user_store.get(account_id, actor.id)
    if new_email == user["email"]:
        raise SameEmail()
    reauthentication.check_password(account_id, user, current_password)
    if user_store.find_by_email(new_email) is not None:
        raise _email_taken()
    previous = code_store.get(account_id, actor.id, codes.EMAIL_CHANGE)
    if user.get("pending_email") == new_email and _recently_issued(previous):
        return PENDING_CONFIRMATION  # asked again at once: the code just sent stands, no second email
    tx = Transaction()
    codes.count_email_change_request(tx, account_id, actor.id, new_email)
    user_store.set_pending_email(tx, account_id, actor.id, new_email)
    audit_log.record(
        tx,
        account_id,
        actor,
        "user.email_change_requested",
        target_type="user",
        target_id=actor.id,
        details={"email": user["email"], "new_email": new_email},
    )
    # A new request replaces the previous one: its code stops working when the new one is issued.
    follow_ups.email_change_code(tx, account_id, actor.id, new_email)
    follow_ups.email(
        tx,
        account_id,
        user["email"],
        "email_change_requested",
        first_name=user.get("first_name"),
        new_email=new_email,
        **notices.where_from(device),
    )
    tx.commit(answer=PENDING_CONFIRMATION)
    return PENDING_CONFIRMATION


@replayable
def confirm(
    account_id: str, actor: audit_log.Actor, session_id: str, code: str, device: Device
) -> profiles.ProfileView:
    """The right code moves the login to the new email; returns the profile with it."""
    user = user_store.get(account_id, actor.id)
    new_email = user.get("pending_email")
    if not new_email:
        raise InvalidCode()
    codes.take_email_change_try(account_id, actor.id, str(new_email))
    tx = Transaction()
    codes.redeem(tx, account_id, actor.id, codes.EMAIL_CHANGE, code)
    ending = user_sessions.end_other_sessions(tx, account_id, actor.id, user_store.sessions_end(user), session_id)
    user_store.move_email(
        tx,
        account_id,
        actor.id,
        (str(user["email"]), str(new_email)),
        ending,
        on_taken=_email_taken(),
        on_stale=InvalidCode(),
    )
    audit_log.record(
        tx,
        account_id,
        actor,
        "user.email_changed",
        target_type="user",
        target_id=actor.id,
        details={"email": {"before": user["email"], "after": new_email}},
    )
    follow_ups.email(
        tx,
        account_id,
        user["email"],
        "email_changed",
        first_name=user.get("first_name"),
        new_email=str(new_email),
        **notices.where_from(device),
    )
    moved: User = {**user, "email": str(new_email)}
    profile = profiles.view_of(moved)
    tx.commit(answer=profile)
    return profile


def _email_taken() -> Conflict:
    return EmailTaken(field="new_email")


def _recently_issued(stored: code_store.StoredCode | None) -> bool:
    """True while a new code would only flood the new address's inbox (a resend right after a send)."""
    interval = settings().code_resend_interval_seconds
    if stored is None or not interval or "issued_at" not in stored:
        return False
    if str(stored["expires_at"]) <= clock.iso(clock.now()):
        return False  # an expired code never stands in the way of a new one
    return clock.parse(str(stored["issued_at"])) > clock.now() - timedelta(seconds=interval)

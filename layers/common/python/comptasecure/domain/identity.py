"""Signup, confirmation codes, login and sessions (SPEC R-USR-5/6, R-SEC)."""

import uuid
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from comptasecure import clock
from comptasecure.domain import audit_log, codes, follow_ups, mfa_challenge, passwords, sessions, tokens, workflow
from comptasecure.domain.catalogue import catalogue
from comptasecure.domain.membership import Role, UserStatus
from comptasecure.domain.user_sessions import Device, new_session_id
from comptasecure.emails import sender, templates
from comptasecure.errors import (
    EmailTaken,
    InvalidCode,
    InvalidCredentials,
    InvalidRefreshToken,
    LoginLocked,
    NotConfirmed,
    Unauthorized,
    UserDisabled,
)
from comptasecure.idempotency import replayable
from comptasecure.observability import count
from comptasecure.settings import settings
from comptasecure.store import accounts as account_store
from comptasecure.store import codes as code_store
from comptasecure.store import sessions as session_store
from comptasecure.store import users as user_store
from comptasecure.store.conditions import ConditionFailed
from comptasecure.store.records import Account, User
from comptasecure.store.records import Session as SessionRecord
from comptasecure.store.transaction import Transaction

LOGIN_MAX_FAILURES = 10
LOGIN_LOCK_SECONDS = 15 * 60
# A run of failures is forgotten a day after the last one (the counter item's TTL).
LOGIN_FAILURES_KEPT_SECONDS = 24 * 3600
# No login runs this long (the function's timeout is 10 s): an attempt reserved longer ago and never
# decided belongs to a login that died, and no longer holds its place in the count.
LOGIN_ATTEMPT_ABANDONED_SECONDS = 60


@dataclass(frozen=True)
class Session:
    access_token: str
    refresh_token: str
    expires_in: int


def actor_of(user: Mapping[str, Any]) -> audit_log.Actor:
    return audit_log.Actor(user["id"], user["email"])


def email_taken() -> EmailTaken:
    return EmailTaken()


@dataclass(frozen=True)
class Signup:
    """What a future owner gives to open an account (checked for shape at the edge)."""

    email: str
    password: str
    first_name: str
    last_name: str
    company_name: str
    phone: str | None = None
    siren: str | None = None


@dataclass(frozen=True)
class SignedUp:
    account_id: str
    user_id: str
    status: UserStatus


@replayable
def signup(request: Signup) -> SignedUp:
    """Create a Freemium account, its pending owner, and start the workflow that emails the code."""
    passwords.check_policy(request.password, email=request.email)
    account_id, user_id = uuid.uuid4().hex, uuid.uuid4().hex
    created_at = clock.iso(clock.now())
    freemium = catalogue().obtained_by("signup")
    account: Account = {
        "id": account_id,
        "name": request.company_name,
        "type_id": freemium.id,
        "owner_id": user_id,
        "user_count": 1,
        "created_at": created_at,
    }
    user: User = {
        "id": user_id,
        "account_id": account_id,
        "email": request.email.lower(),
        "first_name": request.first_name,
        "last_name": request.last_name,
        "company_name": request.company_name,
        "phone": request.phone,
        "siren": request.siren,
        "role": Role.OWNER,
        "status": UserStatus.PENDING_CONFIRMATION,
        "password_hash": passwords.hash_password(request.password),
        "created_at": created_at,
    }
    tx = Transaction()
    account_store.put_new(tx, account)
    user_store.put_new(tx, user, on_email_taken=email_taken())
    codes.record_first_code(tx, user["email"])
    audit_log.record(
        tx,
        account_id,
        actor_of(user),
        "account.signed_up",
        target_type="account",
        target_id=account_id,
        details={"account_name": account["name"], "type": freemium.id, "email": user["email"]},
    )
    follow_ups.start_workflow(tx, account_id, user_id, step="code", purpose=codes.CONFIRMATION)
    signed_up = SignedUp(account_id, user_id, UserStatus.PENDING_CONFIRMATION)
    tx.commit(answer=signed_up)
    return signed_up


def send_code(account_id: str, user_id: str, purpose: str, task_token: str, execution_arn: str) -> str:
    """Workflow task: issue a fresh code, remember the task waiting for it, email it in French."""
    user = user_store.get(account_id, user_id)
    issued = codes.issue(account_id, user_id, purpose, task_token=task_token, execution_arn=execution_arn)
    minutes = settings().code_validity_seconds // 60
    if purpose == codes.PASSWORD_CHANGE:
        email = templates.password_change_code(user.get("first_name"), issued.code, minutes)
    else:
        email = templates.confirmation_code(user.get("first_name"), issued.code, minutes)
    sender.send(user["email"], email)
    if user.get("send_failed_at"):
        with suppress(ConditionFailed):  # the user was removed meanwhile
            user_store.clear_send_failure(account_id, user_id)
    return issued.expires_at


@replayable
def confirm(email: str, code: str) -> None:
    """The right code activates the user and lets the waiting workflow finish.

    Every email, with a user or not, costs the same: a counted try, the email's link and the code's
    read, and gets the same answers (422 for a wrong code, 429 once the tries are spent).
    """
    codes.take_confirmation_try(email)
    account_id, user_id = user_store.email_owner(email)
    stored = codes.check_confirmation(account_id, user_id, code)
    tx = Transaction()
    code_store.consume(
        tx,
        account_id,
        user_id,
        codes.CONFIRMATION,
        stored["code_hash"],
        settings().code_max_attempts,
        clock.iso(clock.now()),
    )
    user_store.set_fields(
        tx,
        account_id,
        user_id,
        {"status": UserStatus.ACTIVE},
        expected_status=UserStatus.PENDING_CONFIRMATION,
        on_condition_failed=InvalidCode(),
    )
    codes.forget_confirmation_tries(tx, email)
    audit_log.record(
        tx,
        account_id,
        audit_log.Actor(user_id, email.lower()),
        "user.confirmed",
        target_type="user",
        target_id=user_id,
        details={"status": {"before": UserStatus.PENDING_CONFIRMATION, "after": UserStatus.ACTIVE}},
    )
    follow_ups.resume_task(tx, account_id, stored.get("task_token"), {"confirmed": True})
    tx.commit(answer=None)


@replayable
def resend_code(email: str) -> None:
    """Ask for a new code. Says nothing of whether the email exists, neither by the answer nor by its time.

    Every email costs the same single transaction: the email's counters (at most
    CODE_REQUESTS_PER_HOUR requests an hour, none within seconds of the last, so the route cannot
    flood an inbox; fresh tries for the new code) and the follow-up that looks the email up
    (``send_new_code``), where time tells no one anything. Past a limit nothing is written.
    """
    tx = Transaction()
    codes.count_code_request(tx, email)
    follow_ups.send_new_code(tx, email)
    with suppress(ConditionFailed):  # past the hour's limit or within the resend interval: nothing sent
        tx.commit(answer=None)


def send_new_code(email: str, outbox_id: str) -> None:
    """The follow-up of a resend: a user waiting for a code gets a new one through the workflow (the
    previous code's wait is withdrawn); any other email, known or not, gets nothing. Idempotent on
    ``outbox_id``: run again, the start answers as the same execution."""
    account_id, user_id = user_store.email_owner(email)
    if account_id == user_store.NO_ACCOUNT:
        return
    user, previous = code_store.with_user(account_id, user_id, codes.CONFIRMATION)
    if user is None or user["status"] != UserStatus.PENDING_CONFIRMATION:
        return
    if previous is not None:
        workflow.withdraw(previous.get("task_token"), "Superseded")
    workflow.start(
        "code",
        account_id=account_id,
        user_id=user_id,
        purpose=codes.CONFIRMATION,
        name=workflow.execution_name(codes.CONFIRMATION, user_id, outbox_id),
    )


def login(email: str, password: str, device: Device) -> Session | mfa_challenge.Challenge:
    """Check a password; the same work and the same answers whether or not the email has an account.

    The attempt is reserved first, per email (an unknown email locks like a known one): one
    conditional update, refused while the login is locked or LOGIN_MAX_FAILURES attempts are counted,
    so however many requests arrive at once, at most that many passwords are checked. Then every
    email costs two reads and one argon2id verification (against a stand-in hash when no user has
    it). A wrong password's attempt stays counted, and the one that reaches the limit locks the login;
    a right password ends the run, its own attempt with it.
    """
    now = clock.iso(clock.now())
    attempt = _reserve_login_attempt(email, now)
    view = user_store.login_view(email)
    user = view.user
    password_hash = user.get("password_hash") if user else None
    matches = passwords.verify(password_hash, password)
    if user is None or password_hash is None or not matches:
        if attempt >= LOGIN_MAX_FAILURES:
            _lock_login(email, user, now)
        count("Logins", outcome="wrong_password")
        raise InvalidCredentials()
    with suppress(ConditionFailed):  # a lock set meanwhile by another request stays
        user_store.clear_login_failures(email, now)
    check_may_log_in(user)
    if passwords.needs_rehash(password_hash):
        with suppress(ConditionFailed):  # the password changed meanwhile: its new hash stands
            user_store.replace_password_hash(
                user["account_id"], user["id"], password_hash, passwords.hash_password(password)
            )
    # MFA (R-MFA-1/2): with a second factor on, or required by the account, no token before it.
    challenge = mfa_challenge.challenge(user, view.account)
    if challenge is not None:
        count("Logins", outcome="mfa_required")
        return challenge
    count("Logins", outcome="ok")
    return open_session(user, device, mfa=False)


def check_may_log_in(user: User) -> None:
    """What a login that proved who the user is must still pass, whatever proved it (a password, a
    passkey): an active user (403 ``user_disabled``, ``not_confirmed``). Called only after the right
    credentials, so that neither answer tells anything to someone who has not proved them."""
    if user["status"] == UserStatus.DISABLED:
        raise UserDisabled()
    if user["status"] != UserStatus.ACTIVE:
        raise NotConfirmed()


def open_session(user: User, device: Device, *, mfa: bool, epoch: int | None = None) -> Session:
    """A new session for this user on this device: its refresh token stored (hashed), an access token.

    It belongs to the user's current session epoch (``epoch`` when the caller has just moved it on), so
    a change that ends the user's sessions after this read ends this one too; ``mfa``: the login
    passed a second factor (the session then survives the account requiring MFA).
    """
    account_id, user_id = user["account_id"], user["id"]
    session_id = new_session_id()
    now = clock.iso(clock.now())
    refresh = tokens.RefreshToken.new(account_id, user_id, session_id)
    config = settings()
    stored: SessionRecord = {
        "user_id": user_id,
        "session_id": session_id,
        "refresh_hash": refresh.secret_hash,
        "created_at": now,
        "last_used_at": now,
        "user_agent": device.stored_user_agent,
        "ip": device.ip,
        "ttl": clock.epoch(clock.later(config.refresh_token_seconds)),
        "epoch": int(user.get("session_epoch", 0)) if epoch is None else epoch,
    }
    if mfa:
        stored["mfa"] = True
    session_store.put(account_id, stored)
    access = tokens.issue_access(tokens.AccessClaims(account_id, user_id, session_id, user["role"]))
    return Session(access, str(refresh), config.access_token_seconds)


def refresh(refresh_token: str, device: Device) -> Session:
    """Rotate the refresh token. A token already rotated away means theft: the session ends.

    The account's login requirements apply now, not only at login: a session of a disabled user, of
    an epoch the user has left, or without a second factor while the account requires one gets no
    new token (its access token stops at its expiry, 15 minutes at most, if the authorizer has not
    already refused it).
    """
    presented = tokens.RefreshToken.parse(refresh_token)
    # The session, its user and their account in one BatchGetItem, not three GetItems.
    user, session, account = session_store.get_for_refresh(
        presented.account_id, presented.user_id, presented.session_id
    )
    if session is None or session.get("ttl", 0) < clock.epoch(clock.now()):
        raise InvalidRefreshToken()
    rotated = tokens.RefreshToken.new(presented.account_id, presented.user_id, presented.session_id)
    try:
        session_store.rotate(
            presented.account_id,
            presented.user_id,
            presented.session_id,
            presented.secret_hash,
            {"refresh_hash": rotated.secret_hash, "last_used_at": clock.iso(clock.now()), **device.fields()},
        )
    except ConditionFailed:
        # A refresh token already rotated away: theft, or a replay. The whole session ends.
        session_store.delete(presented.account_id, presented.user_id, presented.session_id)
        raise InvalidRefreshToken() from None
    if user is None or not sessions.is_live(user, session) or not meets_requirements(account, session):
        raise InvalidRefreshToken()
    access = tokens.issue_access(
        tokens.AccessClaims(user["account_id"], user["id"], presented.session_id, user["role"])
    )
    return Session(access, str(rotated), settings().access_token_seconds)


def meets_requirements(account: Account | None, session: SessionRecord) -> bool:
    """Whether a session meets its account's current login requirements (a second factor when required)."""
    return account is not None and (not account.get("require_mfa") or bool(session.get("mfa")))


def logout(refresh_token: str) -> None:
    try:
        presented = tokens.RefreshToken.parse(refresh_token)
    except Unauthorized:
        return
    with suppress(ConditionFailed):  # not the current token: the session (if any) is not this caller's to end
        session_store.delete_if_current(
            presented.account_id, presented.user_id, presented.session_id, presented.secret_hash
        )


def _reserve_login_attempt(email: str, now: str) -> int:
    """This attempt's number in the email's run, counted before the password is checked; 429 while locked."""
    abandoned_before = clock.iso(clock.now() - timedelta(seconds=LOGIN_ATTEMPT_ABANDONED_SECONDS))
    try:
        return user_store.reserve_login_attempt(
            email,
            max_attempts=LOGIN_MAX_FAILURES,
            now=now,
            abandoned_before=abandoned_before,
            ttl=clock.epoch(clock.later(LOGIN_FAILURES_KEPT_SECONDS)),
        )
    except ConditionFailed:
        count("Logins", outcome="locked")
        raise LoginLocked() from None


def _lock_login(email: str, user: User | None, now: str) -> None:
    """The wrong password that reached the limit locks the email's login, audited on the account."""
    locked_until = clock.iso(clock.later(LOGIN_LOCK_SECONDS))
    tx = Transaction()
    user_store.lock_login(
        tx,
        email,
        max_failures=LOGIN_MAX_FAILURES,
        now=now,
        locked_until=locked_until,
        ttl=clock.epoch(clock.later(LOGIN_FAILURES_KEPT_SECONDS)),
        already=LoginLocked(),
    )
    if user is not None:
        audit_log.record(
            tx,
            user["account_id"],
            audit_log.SYSTEM,
            "user.login_locked",
            target_type="user",
            target_id=user["id"],
            details={"failed_attempts": LOGIN_MAX_FAILURES, "locked_until": locked_until},
        )
    try:
        tx.commit()
    except LoginLocked:
        return  # locked by another request already, or a right password ended the run meanwhile

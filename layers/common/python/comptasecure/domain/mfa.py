"""Multi-factor authentication with a TOTP app (SPEC R-MFA-1/2).

Enrollment keeps a sealed secret pending until a first code proves the app holds it; MFA is then
on, with 10 single-use recovery codes (only their keyed hashes are stored). A code is accepted once
(the last accepted time step is kept with a conditional write) and every attempt at a code is
counted before it is checked: 5 in 15 minutes, then 429. Turning MFA on or off ends the user's
other sessions. The secret is returned once, at enrollment, and never logged.
"""

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from comptasecure import clock
from comptasecure.domain import (
    audit_log,
    identity,
    mfa_challenge,
    notices,
    reauthentication,
    sealed,
    totp,
    user_sessions,
)
from comptasecure.domain.membership import UserStatus
from comptasecure.domain.user_sessions import Device
from comptasecure.errors import (
    InvalidCode,
    MfaAlreadyEnabled,
    MfaEnrollmentNotStarted,
    MfaNotEnabled,
    MfaRequiredByAccount,
    TooManyMfaAttempts,
)
from comptasecure.idempotency import replayable
from comptasecure.observability import count
from comptasecure.store import accounts as account_store
from comptasecure.store import mfa as mfa_store
from comptasecure.store import users as user_store
from comptasecure.store.records import User
from comptasecure.store.transaction import Transaction

ISSUER = "ComptaSecure"
RECOVERY_CODE_COUNT = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read from paper without doubt
RECOVERY_HALF_LENGTH = 5  # "xxxxx-xxxxx": 10 characters of 31, about 49 bits
MAX_CODE_ATTEMPTS = 5
ATTEMPTS_WINDOW_SECONDS = 15 * 60


@dataclass(frozen=True)
class Enrollment:
    secret: str
    otpauth_uri: str


@dataclass(frozen=True)
class EnrolledSession:
    session: identity.Session
    recovery_codes: list[str]


@replayable
def start_enrollment(account_id: str, actor: audit_log.Actor) -> Enrollment:
    """A new secret, pending until its first code; a previous pending one is replaced. 409 when MFA is on."""
    user = user_store.get(account_id, actor.id)
    if user.get("mfa_enabled"):
        raise MfaAlreadyEnabled()
    secret = totp.new_secret()
    tx = Transaction()
    mfa_store.set_pending_secret(tx, account_id, actor.id, sealed.seal(secret, _owner(account_id, actor.id)))
    audit_log.record(tx, account_id, actor, "user.mfa_enrollment_started", target_type="user", target_id=actor.id)
    enrollment = Enrollment(secret, totp.otpauth_uri(secret, str(user["email"]), ISSUER))
    tx.commit(answer=enrollment)
    return enrollment


@replayable
def confirm_enrollment(
    account_id: str, actor: audit_log.Actor, code: str, keep_session_id: str, device: Device
) -> list[str]:
    """The first right code turns MFA on; returns the recovery codes (in clear, this once).

    Every session of the user but the caller's (``keep_session_id``) ends; the user is told (R-MFA-6).
    """

    def end_others(tx: Transaction, ending: user_store.SessionsEnd) -> user_store.SessionsEnd:
        return user_sessions.end_other_sessions(tx, account_id, actor.id, ending, keep_session_id, mfa=True)

    return _enable(account_id, actor, code, end_others, spent=None, device=device)[0]


def _enable(
    account_id: str,
    actor: audit_log.Actor,
    code: str,
    end: Callable[[Transaction, user_store.SessionsEnd], user_store.SessionsEnd],
    spent: user_store.MfaTokenSpent | None,
    device: Device,
) -> tuple[list[str], int]:
    """Turn MFA on; returns the recovery codes and the user's new session epoch."""
    user = user_store.get(account_id, actor.id)
    if user.get("mfa_enabled"):
        raise MfaAlreadyEnabled()
    pending = user.get("totp_pending_secret")
    if not pending:
        raise MfaEnrollmentNotStarted()
    # Counted before the code is checked, as at login: 5 wrong codes per 15 minutes, then 429.
    _reserve_code_attempt(account_id, user)
    opened = sealed.open_sealed(str(pending), _owner(account_id, actor.id))
    step = totp.matching_step(opened.plaintext, code, _now())
    if step is None:
        raise InvalidCode()
    recovery_codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    tx = Transaction()
    ending = end(tx, user_store.sessions_end(user))
    mfa_store.enable(
        tx,
        account_id,
        actor.id,
        str(pending),
        step,
        {_recovery_hash(account_id, actor.id, recovery, opened.mac_key) for recovery in recovery_codes},
        ending,
        spent,
    )
    audit_log.record(
        tx,
        account_id,
        actor,
        "user.mfa_enabled",
        target_type="user",
        target_id=actor.id,
        details={"method": "totp", "recovery_codes_issued": RECOVERY_CODE_COUNT},
    )
    notices.security_changed(tx, account_id, user, notices.MFA_ENABLED, device)
    tx.commit(answer=recovery_codes)
    return recovery_codes, ending.next


def disable(
    account_id: str, actor: audit_log.Actor, session_id: str, current_password: str, code: str, device: Device
) -> None:
    """Turn MFA off with the password and a code; refused while the account requires MFA. The user is told."""
    user = user_store.get(account_id, actor.id)
    if not user.get("mfa_enabled"):
        raise MfaNotEnabled()
    if account_store.get(account_id).get("require_mfa"):
        raise MfaRequiredByAccount()
    reauthentication.check_password(account_id, user, current_password)
    try:
        _reserve_code_attempt(account_id, user)
        use = _check_code(user, code)
    except (InvalidCode, TooManyMfaAttempts):
        # Count what was wrong: the password was right, so the attempt reserved for it is no wrong
        # password (five would lock the password and email changes). The code's counter keeps its own.
        reauthentication.forget_password_attempts(account_id, actor.id)
        raise
    tx = Transaction()
    mfa_store.check_not_required(tx, account_id)
    ending = user_sessions.end_other_sessions(tx, account_id, actor.id, user_store.sessions_end(user), session_id)
    mfa_store.disable(tx, account_id, actor.id, str(user["totp_secret"]), use, ending)
    audit_log.record(
        tx,
        account_id,
        actor,
        "user.mfa_disabled",
        target_type="user",
        target_id=actor.id,
        details={"with": "totp" if use.step is not None else "recovery_code"},
    )
    notices.security_changed(tx, account_id, user, notices.MFA_DISABLED, device)
    tx.commit()


def complete_login(mfa_token: str, code: str, device: Device) -> identity.Session:
    """The second step of a login: a TOTP code or an unused recovery code, then the session opens."""
    pending = mfa_challenge.verify(mfa_token, mfa_challenge.VERIFY)
    user = _login_user(pending)
    if not user.get("mfa_enabled"):
        raise mfa_challenge.invalid_mfa_token()
    _reserve_code_attempt(pending.account_id, user)
    try:
        use = _check_code(user, code)
    except InvalidCode:
        count("MfaChallenges", outcome="wrong_code")
        raise
    tx = Transaction()
    spent = user_store.MfaTokenSpent(pending.issued_ns)
    mfa_store.use_code(tx, pending.account_id, pending.user_id, str(user["totp_secret"]), use, spent)
    if use.recovery_hash is not None:
        audit_log.record(
            tx,
            pending.account_id,
            identity.actor_of(user),
            "user.mfa_recovery_code_used",
            target_type="user",
            target_id=pending.user_id,
            details={"recovery_codes_left": len(user["recovery_code_hashes"]) - 1},
        )
    tx.commit()
    count("MfaChallenges", outcome="ok")
    return identity.open_session(user, device, mfa=True)


def start_enrollment_at_login(mfa_token: str) -> Enrollment:
    """The account requires MFA and this user has none: enroll before any token (R-MFA-2)."""
    pending = mfa_challenge.verify(mfa_token, mfa_challenge.ENROLL)
    user = _login_user(pending)
    return start_enrollment(pending.account_id, identity.actor_of(user))


def confirm_enrollment_at_login(mfa_token: str, code: str, device: Device) -> EnrolledSession:
    pending = mfa_challenge.verify(mfa_token, mfa_challenge.ENROLL)
    user = _login_user(pending)

    def end_all(tx: Transaction, ending: user_store.SessionsEnd) -> user_store.SessionsEnd:
        # The session this login opens comes after, in the new epoch.
        return user_sessions.end_sessions(tx, pending.account_id, pending.user_id, ending)

    recovery_codes, epoch = _enable(
        pending.account_id,
        identity.actor_of(user),
        code,
        end_all,
        spent=user_store.MfaTokenSpent(pending.issued_ns),
        device=device,
    )
    return EnrolledSession(identity.open_session(user, device, mfa=True, epoch=epoch), recovery_codes)


def _login_user(pending: mfa_challenge.Pending) -> User:
    """The user an mfa_token names, still there and active, the token unspent and not outlived by a
    change that ended the user's sessions (a removed user's, or a replayed, token is worthless)."""
    user = user_store.find(pending.account_id, pending.user_id)
    if user is None or user.get("status") != UserStatus.ACTIVE or not pending.still_valid_for(user):
        raise mfa_challenge.invalid_mfa_token()
    return user


def _check_code(user: User, code: str) -> mfa_store.CodeUse:
    """Which single use this code is: a TOTP code's time step, or a recovery code's hash. 422 if neither."""
    account_id, user_id = str(user["account_id"]), str(user["id"])
    opened = sealed.open_sealed(str(user["totp_secret"]), _owner(account_id, user_id))
    if totp.is_code(code):
        step = totp.matching_step(opened.plaintext, code, _now())
        if step is None:
            raise InvalidCode()
        return mfa_store.CodeUse(step=step)
    code_hash = _recovery_hash(account_id, user_id, code, opened.mac_key)
    if code_hash not in (user.get("recovery_code_hashes") or set()):
        raise InvalidCode()
    return mfa_store.CodeUse(recovery_hash=code_hash)


def _reserve_code_attempt(account_id: str, user: User) -> None:
    if not reauthentication.reserve_attempt(
        account_id, user, "mfa", max_attempts=MAX_CODE_ATTEMPTS, window_seconds=ATTEMPTS_WINDOW_SECONDS
    ):
        raise TooManyMfaAttempts()


def _new_recovery_code() -> str:
    half = RECOVERY_HALF_LENGTH
    characters = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(2 * half))
    return f"{characters[:half]}-{characters[half:]}"


def _recovery_hash(account_id: str, user_id: str, code: str, key: bytes) -> str:
    """Keyed with the key of the user's sealed TOTP secret: a leaked table does not let anyone test
    codes offline, and the hashes stay valid when the signing secret rotates."""
    normalized = code.replace("-", "").strip().lower()
    message = f"{account_id}:{user_id}:recovery:{normalized}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _owner(account_id: str, user_id: str) -> str:
    return f"totp:{account_id}:{user_id}"


def _now() -> float:
    return clock.now().timestamp()

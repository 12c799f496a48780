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
from dataclasses import dataclass

from comptasecure import clock
from comptasecure.domain import audit_log, identity, mfa_challenge, reauthentication, sealed, totp
from comptasecure.domain.membership import UserStatus
from comptasecure.domain.user_sessions import Device
from comptasecure.errors import (
    Conflict,
    InvalidCode,
    InvalidInput,
    MfaAlreadyEnabled,
    MfaRequiredByAccount,
    NotFound,
    TooManyAttempts,
)
from comptasecure.observability import count
from comptasecure.store import accounts as account_store
from comptasecure.store import mfa as mfa_store
from comptasecure.store import sessions as session_store
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


def start_enrollment(account_id: str, actor: audit_log.Actor) -> Enrollment:
    """A new secret, pending until its first code; a previous pending one is replaced. 409 when MFA is on."""
    user = user_store.get(account_id, actor.id)
    if user.get("mfa_enabled"):
        raise MfaAlreadyEnabled()
    secret = totp.new_secret()
    tx = Transaction()
    mfa_store.set_pending_secret(tx, account_id, actor.id, sealed.seal(secret, _owner(account_id, actor.id)))
    audit_log.record(tx, account_id, actor, "user.mfa_enrollment_started", target_type="user", target_id=actor.id)
    tx.commit()
    return Enrollment(secret, totp.otpauth_uri(secret, str(user["email"]), ISSUER))


def confirm_enrollment(account_id: str, actor: audit_log.Actor, code: str, keep_session_id: str | None) -> list[str]:
    """The first right code turns MFA on; returns the recovery codes (in clear, this once).

    Every session of the user but ``keep_session_id`` ends (all of them when it is None: a login
    that enrolls opens its session afterwards).
    """
    user = user_store.get(account_id, actor.id)
    if user.get("mfa_enabled"):
        raise MfaAlreadyEnabled()
    pending = user.get("totp_pending_secret")
    if not pending:
        raise InvalidInput(
            "Commencez par activer la double authentification pour obtenir un secret.",
            field="code",
            code="mfa_enrollment_not_started",
        )
    opened = sealed.open_sealed(str(pending), _owner(account_id, actor.id))
    step = totp.matching_step(opened.plaintext, code, _now())
    if step is None:
        raise InvalidCode()
    recovery_codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    tx = Transaction()
    mfa_store.enable(
        tx,
        account_id,
        actor.id,
        str(pending),
        step,
        {_recovery_hash(account_id, actor.id, recovery, opened.mac_key) for recovery in recovery_codes},
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
    tx.commit()
    _end_other_sessions(account_id, actor.id, keep_session_id)
    return recovery_codes


def disable(account_id: str, actor: audit_log.Actor, session_id: str, current_password: str, code: str) -> None:
    """Turn MFA off with the password and a code; refused while the account requires MFA."""
    user = user_store.get(account_id, actor.id)
    if not user.get("mfa_enabled"):
        raise Conflict("La double authentification n'est pas activée.", code="mfa_not_enabled")
    if account_store.get(account_id).get("require_mfa"):
        raise MfaRequiredByAccount()
    reauthentication.check_password(account_id, user, current_password)
    _reserve_code_attempt(account_id, user)
    use = _check_code(user, code)
    tx = Transaction()
    mfa_store.check_not_required(tx, account_id)
    mfa_store.disable(tx, account_id, actor.id, str(user["totp_secret"]), use)
    audit_log.record(
        tx,
        account_id,
        actor,
        "user.mfa_disabled",
        target_type="user",
        target_id=actor.id,
        details={"with": "totp" if use.step is not None else "recovery_code"},
    )
    tx.commit()
    _end_other_sessions(account_id, actor.id, session_id)


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
    mfa_store.use_code(tx, pending.account_id, pending.user_id, str(user["totp_secret"]), use)
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
    return identity.open_session(pending.account_id, pending.user_id, str(user["role"]), device)


def start_enrollment_at_login(mfa_token: str) -> Enrollment:
    """The account requires MFA and this user has none: enroll before any token (R-MFA-2)."""
    pending = mfa_challenge.verify(mfa_token, mfa_challenge.ENROLL)
    user = _login_user(pending)
    return start_enrollment(pending.account_id, identity.actor_of(user))


def confirm_enrollment_at_login(mfa_token: str, code: str, device: Device) -> EnrolledSession:
    pending = mfa_challenge.verify(mfa_token, mfa_challenge.ENROLL)
    user = _login_user(pending)
    recovery_codes = confirm_enrollment(pending.account_id, identity.actor_of(user), code, keep_session_id=None)
    return EnrolledSession(
        identity.open_session(pending.account_id, pending.user_id, str(user["role"]), device), recovery_codes
    )


def _login_user(pending: mfa_challenge.Pending) -> User:
    """The user an mfa_token names, still there and active (a removed user's token is worthless)."""
    try:
        user = user_store.get(pending.account_id, pending.user_id)
    except NotFound as error:
        raise mfa_challenge.invalid_mfa_token() from error
    if user.get("status") != UserStatus.ACTIVE:
        raise mfa_challenge.invalid_mfa_token()
    return user


def _check_code(user: User, code: str) -> mfa_store.CodeUse:
    """Which single use this code is: a TOTP code's time step, or a recovery code's hash. 422 if neither."""
    account_id, user_id = str(user["account_id"]), str(user["id"])
    opened = sealed.open_sealed(str(user["totp_secret"]), _owner(account_id, user_id))
    if code.isdigit():
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
        raise TooManyAttempts("Trop de tentatives. Réessayez dans quelques minutes.")


def _end_other_sessions(account_id: str, user_id: str, keep_session_id: str | None) -> None:
    if keep_session_id is None:
        session_store.delete_all(account_id, user_id)
    else:
        session_store.delete_all_except(account_id, user_id, keep_session_id)


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

"""Six-digit one-time codes: CSPRNG, stored as an HMAC, single use, limited attempts, expiring."""

import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from hashlib import sha256

from comptasecure import clock
from comptasecure.errors import (
    ExpiredCode,
    InvalidCode,
    TooManyAttempts,
    TooManyEmailChangeCodes,
    TooManyEmailChangeTries,
)
from comptasecure.secrets import accepted_keys, signing_key
from comptasecure.settings import settings
from comptasecure.store import codes as code_store
from comptasecure.store.conditions import ConditionFailed
from comptasecure.store.transaction import Transaction

CONFIRMATION = "confirmation"
PASSWORD_CHANGE = "password_change"
EMAIL_CHANGE = "email_change"

# Guessing a 6-digit code over time (a new code every 30 s, 5 tries each, was about 600 guesses an
# hour): at most CODE_REQUESTS_PER_HOUR codes per email and hour, and CONFIRMATION_TRIES_PER_DAY
# tries per email and day whatever the codes, so about 1 chance in 100,000 a day. The email change's
# code has the same caps, per user and per new address.
CODE_REQUESTS_PER_HOUR = 5
CONFIRMATION_TRIES_PER_DAY = 10
HOUR = 3600
DAY = 24 * HOUR


@dataclass(frozen=True)
class IssuedCode:
    code: str
    expires_at: str


def new_code() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


def code_hash(account_id: str, user_id: str, purpose: str, code: str, key: bytes | None = None) -> str:
    """Keyed hash: a leaked table does not let anyone test the million codes offline."""
    message = f"{account_id}:{user_id}:{purpose}:{code}".encode()
    return hmac.new(key or signing_key(), message, sha256).hexdigest()


def issue(
    account_id: str,
    user_id: str,
    purpose: str,
    *,
    task_token: str | None = None,
    execution_arn: str | None = None,
    code: str | None = None,
    issued_by: str | None = None,
) -> IssuedCode:
    """Store a fresh code (the previous one dies) and return it in clear, for the email only.

    ``code`` and ``issued_by``: a follow-up that derives its code from its own id issues it once; run
    again, it finds its code already stored and leaves it (and its attempts) as they are.
    """
    code = code or new_code()
    expires_at = clock.iso(clock.later(settings().code_validity_seconds))
    fields: dict[str, str | int] = {
        "code_hash": code_hash(account_id, user_id, purpose, code),
        "issued_at": clock.iso(clock.now()),
        "expires_at": expires_at,
        "ttl": clock.epoch(clock.parse(expires_at)) + 24 * 3600,
    }
    if task_token:
        fields["task_token"] = task_token
    if execution_arn:
        fields["execution_arn"] = execution_arn
    if issued_by is None:
        code_store.replace(account_id, user_id, purpose, fields)
        return IssuedCode(code, expires_at)
    fields["issued_by"] = issued_by
    try:
        code_store.replace(account_id, user_id, purpose, fields, unless_issued_by=issued_by)
    except ConditionFailed:
        stored = code_store.get(account_id, user_id, purpose)
        if stored is not None:
            return IssuedCode(code, str(stored["expires_at"]))
    return IssuedCode(code, expires_at)


def redeem(tx: Transaction, account_id: str, user_id: str, purpose: str, code: str) -> str | None:
    """Check a presented code and add its single use to the caller's transaction.

    Returns the workflow task token waiting for this code, if any. A wrong code costs one of
    the limited attempts; past the limit only a new code helps (429).
    """
    stored = code_store.get(account_id, user_id, purpose)
    if stored is None:
        raise InvalidCode()
    max_attempts = settings().code_max_attempts
    if int(stored.get("attempts", 0)) >= max_attempts:
        raise TooManyAttempts()
    if not _unexpired_match(stored, account_id, user_id, purpose, code):
        try:
            code_store.count_failed_attempt(account_id, user_id, purpose, stored["code_hash"], max_attempts)
        except ConditionFailed:
            raise TooManyAttempts() from None  # the tries ran out meanwhile (or a new code replaced it)
        raise InvalidCode()
    code_store.consume(tx, account_id, user_id, purpose, stored["code_hash"], max_attempts, clock.iso(clock.now()))
    token = stored.get("task_token")
    return str(token) if token else None


def _unexpired_match(stored: code_store.StoredCode, account_id: str, user_id: str, purpose: str, code: str) -> bool:
    """Whether the presented code is the stored one; an expired code is a 422 of its own."""
    if stored["expires_at"] <= clock.iso(clock.now()):
        raise ExpiredCode()
    # Keyed with the signing secret of the moment it was issued: the secret may have rotated since.
    presented = (code_hash(account_id, user_id, purpose, code.strip(), key) for key in accepted_keys())
    return any(hmac.compare_digest(hashed, stored["code_hash"]) for hashed in presented)


def take_confirmation_try(email: str) -> None:
    """Count a confirmation try for this email, known or not, before any code is looked at (429 past a limit).

    The tries per code are counted per email too, so an unknown email answers as a known one.
    """
    now = clock.epoch(clock.now())
    try:
        code_store.take_confirmation_try(
            email,
            now // DAY,
            per_code=settings().code_max_attempts,
            per_day=CONFIRMATION_TRIES_PER_DAY,
            ttl=(now // DAY + 2) * DAY,
        )
    except ConditionFailed:
        raise TooManyAttempts() from None


def forget_confirmation_tries(tx: Transaction, email: str) -> None:
    """In the confirmation's transaction: a confirmed email answers later tries as an unknown one."""
    code_store.forget_tries(tx, email, clock.epoch(clock.now()) // DAY)


def count_code_request(tx: Transaction, email: str) -> None:
    """In the request's transaction: count a request for a new confirmation code, known email or not
    (the transaction fails past the hour's limit or within the resend interval), with fresh tries for
    the new code."""
    moment = clock.now()
    now = clock.epoch(moment)
    code_store.take_code_request(
        tx,
        email,
        now // HOUR,
        per_hour=CODE_REQUESTS_PER_HOUR,
        now=clock.iso(moment),
        resend_after=clock.iso(moment - timedelta(seconds=settings().code_resend_interval_seconds)),
        ttl=(now // HOUR + 2) * HOUR,
    )
    code_store.reset_tries_per_code(tx, email, now // DAY, ttl=(now // DAY + 2) * DAY)


def record_first_code(tx: Transaction, email: str) -> None:
    """The code a signup sends counts as the hour's first request (and starts the resend interval)."""
    moment = clock.now()
    hour = clock.epoch(moment) // HOUR
    code_store.record_code_request(tx, email, hour, now=clock.iso(moment), ttl=(hour + 2) * HOUR)


@dataclass(frozen=True)
class _EmailChangeCap:
    """A cap of the email change's code, per user and per new address: at most ``limit`` a window."""

    counter: str
    window_seconds: int
    limit: int
    refusal: type[TooManyAttempts]

    def count(self, tx: Transaction, account_id: str, user_id: str, new_email: str) -> None:
        window = clock.epoch(clock.now()) // self.window_seconds
        code_store.count_email_change(
            tx,
            self.counter,
            account_id,
            user_id,
            new_email,
            window,
            limit=self.limit,
            ttl=(window + 2) * self.window_seconds,
            on_limit=self.refusal(),
        )


EMAIL_CHANGE_CODES = _EmailChangeCap(
    code_store.EMAIL_CHANGE_REQUESTS,
    HOUR,
    CODE_REQUESTS_PER_HOUR,
    TooManyEmailChangeCodes,
)
EMAIL_CHANGE_TRIES = _EmailChangeCap(
    code_store.EMAIL_CHANGE_TRIES,
    DAY,
    CONFIRMATION_TRIES_PER_DAY,
    TooManyEmailChangeTries,
)


def count_email_change_request(tx: Transaction, account_id: str, user_id: str, new_email: str) -> None:
    """In the email change's transaction: one more code this hour for the user and for the new address,
    CODE_REQUESTS_PER_HOUR each at most (429): neither an account nor many accounts aiming at one
    address can flood its inbox or buy fresh tries without end."""
    EMAIL_CHANGE_CODES.count(tx, account_id, user_id, new_email)


def take_email_change_try(account_id: str, user_id: str, new_email: str) -> None:
    """Count a try at the email change's code, for the user and for the new address, before the code
    is looked at: CONFIRMATION_TRIES_PER_DAY each, whatever the codes (429 past it)."""
    tx = Transaction()
    EMAIL_CHANGE_TRIES.count(tx, account_id, user_id, new_email)
    tx.commit()


def check_confirmation(account_id: str, user_id: str, code: str) -> code_store.StoredCode:
    """The stored confirmation code if this is it (the try was counted by email beforehand), else 422.

    An email without a user comes with ids no item has: the same read, the same answer.
    """
    stored = code_store.get(account_id, user_id, CONFIRMATION)
    if stored is None or not _unexpired_match(stored, account_id, user_id, CONFIRMATION, code):
        raise InvalidCode()
    return stored
